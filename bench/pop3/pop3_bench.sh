#!/usr/bin/env bash
# POP3 side by side: mailroom-pop3d (+ mailroom-stored + PostgreSQL with fsync on) and Dovecot's
# POP3 (dovecot-pop3d, maildir), on other loopback ports, serving the same messages to the same
# users with the same argon2id password hashes (copied from the store into Dovecot's passwd-file,
# so a login costs both servers the same). The same client, build/bin/pop3_load, measures:
#   sessions/s   USER/PASS, STAT, QUIT (login + lock + listing), USERS clients in parallel
#   messages/s   sessions that RETR every message of their maildrop, each checked by digest
# and the ratio Mailroom/Dovecot. Everything it starts lives in a temp dir and is stopped by PID.
#   bench/pop3/pop3_bench.sh [USERS] [MESSAGES] [SIZE]        (defaults 8 2000 4096)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/build/bin
users=${1:-8}; messages=${2:-2000}; size=${3:-4096}
session_rounds=${SESSION_ROUNDS:-40}; read_rounds=${READ_ROUNDS:-3}

for b in mailroom-stored mailroom-pop3d pop3_load; do
  [ -x "$bin/$b" ] || { echo "build first: $bin/$b missing" >&2; exit 1; }
done
command -v dovecot >/dev/null || { echo "dovecot-pop3d is not installed (scripts/install-deps --bench)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pop3-bench.XXXXXX")
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  "$root/scripts/pgctl" status "$tmp/pg" && "$root/scripts/pgctl" stop "$tmp/pg" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

pg_port=$(free_port); store_port=$(free_port); pop3_port=$(free_port); dove_port=$(free_port)
"$root/scripts/pgctl" init "$tmp/pg"
"$root/scripts/pgctl" start "$tmp/pg" "$pg_port"
"$root/scripts/pgctl" createdb "$tmp/pg" "$pg_port" mailroom
db_url="postgresql://postgres@127.0.0.1:$pg_port/mailroom"

"$bin/mailroom-stored" --listen=127.0.0.1:"$store_port" --database_url="$db_url" \
  >"$tmp/store.log" 2>&1 &
pids+=($!)
wait_port "$store_port"
"$bin/mailroom-pop3d" --store=127.0.0.1:"$store_port" --pop3_listen=127.0.0.1:"$pop3_port" \
  --pop3s_listen= --metrics_listen=127.0.0.1:"$(free_port)" --log_level=warning \
  --auth_max_failures_per_ip=100000 >"$tmp/pop3d.log" 2>&1 &
pids+=($!)
wait_port "$pop3_port"

echo "== filling: $messages messages of ~$size octets for $users users (store + maildir)"
"$bin/pop3_load" fill --store=127.0.0.1:"$store_port" --users="$users" --messages="$messages" \
  --size="$size" --maildir_root="$tmp/maildirs" --password=bench-pw

# Dovecot: the same users with the store's own argon2id hashes, the same messages in maildirs.
runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -p "$pg_port" -U postgres \
  -At -F: -c "SELECT address, '{ARGON2ID}' || password_hash FROM users" mailroom >"$tmp/passwd"
chown -R nobody:nogroup "$tmp/maildirs"
mkdir -p "$tmp/dovecot-run"
cat >"$tmp/dovecot.conf" <<CONF
base_dir = $tmp/dovecot-run
state_dir = $tmp/dovecot-run/state
log_path = $tmp/dovecot.log
protocols = pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$tmp/maildirs/%u/Maildir
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = $tmp/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$tmp/maildirs/%u
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $dove_port
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  chroot =
}
CONF
dovecot -c "$tmp/dovecot.conf" -F >"$tmp/dovecot.out" 2>&1 &
pids+=($!)
wait_port "$dove_port" || { cat "$tmp/dovecot.out" "$tmp/dovecot.log" >&2; exit 1; }

run() {  # NAME PORT MODE → prints the pop3_load line, returns "sessions/s messages/s"
  local name=$1 port=$2 mode=$3 out
  if [ "$mode" = sessions ]; then
    out=$("$bin/pop3_load" read --port="$port" --users="$users" --password=bench-pw \
          --rounds="$session_rounds" --stat_only --seconds=120)
  else
    out=$("$bin/pop3_load" read --port="$port" --users="$users" --password=bench-pw \
          --rounds="$read_rounds" --expect=$((messages * read_rounds)) --seconds=300)
  fi
  echo "  $name: $out" >&2
  if [ "$mode" = sessions ]; then
    sed -n 's/.*sessions_per_s=\([0-9.]*\).*/\1/p' <<<"$out"
  else
    sed -n 's/.*messages_per_s=\([0-9.]*\).*/\1/p' <<<"$out"
  fi
}

# Warm both (caches, connections), then measure REPEAT times in alternating order and take
# the median of each (this machine is shared: single runs are noisy).
repeat=${REPEAT:-3}
run mailroom "$pop3_port" read >/dev/null 2>&1; run dovecot "$dove_port" read >/dev/null 2>&1
ms=(); ds=(); mm=(); dm=()
for i in $(seq 1 "$repeat"); do
  echo "== round $i: sessions/s (USER/PASS, STAT, QUIT; $users clients x $session_rounds sessions)"
  if [ $((i % 2)) = 1 ]; then
    ms+=("$(run mailroom "$pop3_port" sessions)"); ds+=("$(run dovecot "$dove_port" sessions)")
  else
    ds+=("$(run dovecot "$dove_port" sessions)"); ms+=("$(run mailroom "$pop3_port" sessions)")
  fi
  echo "== round $i: messages/s (RETR every message, digest checked; $users clients x $read_rounds sessions)"
  if [ $((i % 2)) = 1 ]; then
    dm+=("$(run dovecot "$dove_port" read)"); mm+=("$(run mailroom "$pop3_port" read)")
  else
    mm+=("$(run mailroom "$pop3_port" read)"); dm+=("$(run dovecot "$dove_port" read)")
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { python3 -c "print(f'{float($1)/float($2):.2f}')"; }
m_s=$(median "${ms[@]}"); d_s=$(median "${ds[@]}"); m_m=$(median "${mm[@]}"); d_m=$(median "${dm[@]}")
echo
echo "medians of $repeat rounds (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-14s %12s %12s %8s\n' metric mailroom dovecot ratio
printf '%-14s %12s %12s %8s\n' sessions/s "$m_s" "$d_s" "$(ratio "$m_s" "$d_s")x"
printf '%-14s %12s %12s %8s\n' messages/s "$m_m" "$d_m" "$(ratio "$m_m" "$d_m")x"
