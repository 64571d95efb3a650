#!/usr/bin/env bash
# End-to-end SMTP load: Postfix's smtp-source sends MESSAGES messages of SIZE octets over
# SESSIONS parallel sessions to mailroom-smtpd; then every message answered 250 must be in the
# store exactly once (count, distinct Message-Id, and each stored body's SHA-256 checked).
#   bench/smtp/smtp_source_load.sh [MESSAGES=10000] [SESSIONS=20] [SIZE=4096]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
messages=${1:-10000}; sessions=${2:-20}; size=${3:-4096}
command -v smtp-source >/dev/null || { echo "smtp-source missing: scripts/install-deps --bench" >&2; exit 1; }
"$root/scripts/build" --target mailroom-stored mailroom-smtpd mailroomctl >/dev/null
source "$root/bench/lib/mailroom_env.sh"
trap mr_cleanup EXIT
mr_start_store
mx=$(mr_free_port)
mr_start_frontend smtp mailroom-smtpd "$mx" --mx_listen="127.0.0.1:$mx" --submission_listen= \
  --submissions_listen= --max_connections_per_ip=100
mr_user load@example.test load-secret

start=$(date +%s.%N)
# -c counts; -s sessions; -m messages; -l size; bounded: smtp-source stops after -m messages.
timeout 900 smtp-source -s "$sessions" -m "$messages" -l "$size" -f sender@example.test \
  -t load@example.test "127.0.0.1:$mx"
end=$(date +%s.%N)

stored=$(mr_psql "SELECT count(*) FROM messages")
distinct=$(mr_psql "SELECT count(DISTINCT c.headers->'message-id'->>0) FROM messages m JOIN contents c USING (sha256)")
corrupt=$(mr_psql "SELECT count(*) FROM contents WHERE sha256 <> sha256(raw) OR size <> length(raw)")
rate=$(python3 -c "print(round($messages / ($end - $start), 1))")
echo "smtp-source: $messages messages x $size octets over $sessions sessions in $(python3 -c "print(round($end - $start, 2))") s = $rate msgs/s"
echo "stored=$stored distinct_message_ids=$distinct corrupt_contents=$corrupt"
[ "$stored" -eq "$messages" ] && [ "$distinct" -eq "$messages" ] && [ "$corrupt" -eq 0 ] \
  && echo "PASS: every message answered 250 is stored exactly once, byte-identical" \
  || { echo "FAIL"; exit 1; }
