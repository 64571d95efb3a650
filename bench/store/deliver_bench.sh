#!/usr/bin/env bash
# Deliver throughput of mailroom-stored on a private PostgreSQL (fsync and synchronous_commit
# on), for 4 KB and 100 KB messages to 1 and 10 recipients. Bounded: each run is at most
# --messages deliveries and --seconds seconds, all on 127.0.0.1.
#   bench/store/deliver_bench.sh [MESSAGES]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
messages=${1:-2000}
"$root/scripts/build" --target mailroom-stored deliver_load >/dev/null
tmp=$(mktemp -d /tmp/mailroom-bench.XXXXXX); chmod 755 "$tmp"
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
store_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
store_pid=""
cleanup() {
  [ -n "$store_pid" ] && kill -TERM "$store_pid" 2>/dev/null && wait "$store_pid" 2>/dev/null || true
  "$root/scripts/pgctl" stop "$tmp/pg" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
"$root/scripts/pgctl" init "$tmp/pg"
"$root/scripts/pgctl" start "$tmp/pg" "$pg_port"
"$root/scripts/pgctl" createdb "$tmp/pg" "$pg_port" mailroom
"$root/build/bin/mailroom-stored" --listen="127.0.0.1:$store_port" --log_level=warning \
  --database_url="postgresql://postgres@127.0.0.1:$pg_port/mailroom" >"$tmp/store.log" 2>&1 &
store_pid=$!
for _ in $(seq 1 100); do "$root/build/bin/mailroomctl" --store "127.0.0.1:$store_port" health >/dev/null 2>&1 && break; sleep 0.1; done
for size in 4096 102400; do
  for rcpt in 1 10; do
    "$root/build/bin/deliver_load" --store="127.0.0.1:$store_port" --messages="$messages" \
      --seconds=120 --size="$size" --recipients="$rcpt" --concurrency=8
  done
done
