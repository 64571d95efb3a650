#!/usr/bin/env bash
# Accept-and-store throughput, side by side in one run on this machine:
#   Mailroom:  smtp-source -> mailroom-smtpd -> mailroom-stored -> PostgreSQL (fsync on);
#              a message is stored when it is answered 250.
#   Reference: smtp-source -> Postfix 3.7 -> LMTP -> Dovecot 2.3 maildir (mail_fsync=always);
#              timed until the last message is in the maildir.
# Both from Debian's packages, on free loopback ports. Bounded by message count and timeouts.
#   bench/smtp/compare_postfix.sh [MESSAGES_4K=5000] [MESSAGES_100K=1000] [SESSIONS=20]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n4k=${1:-5000}; n100k=${2:-1000}; sessions=${3:-20}
for tool in smtp-source postfix dovecot; do
  command -v $tool >/dev/null || { echo "$tool missing: scripts/install-deps --bench" >&2; exit 1; }
done
"$root/scripts/build" --target mailroom-stored mailroom-smtpd mailroomctl >/dev/null
source "$root/bench/lib/mailroom_env.sh"
source "$root/bench/reference/dovecot.sh"
source "$root/bench/reference/postfix.sh"
trap 'pf_stop; dc_stop; mr_cleanup' EXIT

mr_start_store
mx=$(mr_free_port)
mr_start_frontend smtp mailroom-smtpd "$mx" --mx_listen="127.0.0.1:$mx" --submission_listen= \
  --submissions_listen= --max_connections_per_ip=100
dc_start
pf_start "$DC_LMTP"

now() { date +%s.%N; }
rate() { python3 -c "print(round($1 / ($3 - $2), 1))"; }

declare -A results
for spec in "4096:$n4k" "102400:$n100k"; do
  size=${spec%%:*}; n=${spec##*:}
  user="load$size"
  mr_user "$user@example.test" secret
  dc_user "$user" secret
  # Mailroom: 250 means stored.
  t0=$(now)
  timeout 900 smtp-source -s "$sessions" -m "$n" -l "$size" -f sender@example.test \
    -t "$user@example.test" "127.0.0.1:$mx"
  t1=$(now)
  stored=$(mr_psql "SELECT count(*) FROM messages m JOIN users u USING (user_id) WHERE u.address = '$user@example.test'")
  [ "$stored" -eq "$n" ] || { echo "mailroom stored $stored of $n" >&2; exit 1; }
  mr_rate=$(rate "$n" "$t0" "$t1")
  # Postfix + Dovecot: until the last message is delivered into the maildir.
  t0=$(now)
  timeout 900 smtp-source -s "$sessions" -m "$n" -l "$size" -f sender@example.test \
    -t "$user@bench.test" "127.0.0.1:$PF_PORT"
  deadline=$(( $(date +%s) + 900 ))
  while [ "$(dc_count "$user")" -lt "$n" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
  t1=$(now)
  delivered=$(dc_count "$user")
  [ "$delivered" -eq "$n" ] || { echo "dovecot got $delivered of $n" >&2; exit 1; }
  ref_rate=$(rate "$n" "$t0" "$t1")
  ratio=$(python3 -c "print(round($mr_rate / $ref_rate, 2))")
  echo "size=$size messages=$n sessions=$sessions mailroom=${mr_rate}/s postfix+lmtp+dovecot=${ref_rate}/s ratio=${ratio}x"
done
