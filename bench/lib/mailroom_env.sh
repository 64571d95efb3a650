# Sourced by bench scripts: a private PostgreSQL + mailroom-stored (+ front ends on demand) on
# free loopback ports in a temp folder, all stopped by PID on exit. fsync and
# synchronous_commit stay on (the production settings).
#   mr_start_store             sets MR_TMP, MR_PG_PORT, MR_STORE (host:port), MR_DB_URL
#   mr_start_frontend NAME BINARY ARGS...   starts a front end with TLS material and waits
#   mr_psql SQL                runs SQL in the store database
#   mr_free_port               prints a free loopback port
root=${root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MR_PIDS=()

mr_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

mr_cleanup() {
  local i
  for ((i=${#MR_PIDS[@]}-1; i>=0; i--)); do
    kill -TERM "${MR_PIDS[$i]}" 2>/dev/null || true
    wait "${MR_PIDS[$i]}" 2>/dev/null || true
  done
  [ -n "${MR_TMP:-}" ] && "$root/scripts/pgctl" stop "$MR_TMP/pg" >/dev/null 2>&1 || true
  [ -n "${MR_TMP:-}" ] && rm -rf "$MR_TMP"
}

mr_psql() { psql "$MR_DB_URL" -v ON_ERROR_STOP=1 -tAc "$1"; }

mr_start_store() {
  MR_TMP=$(mktemp -d /tmp/mailroom-bench.XXXXXX)
  chmod 755 "$MR_TMP"
  MR_PG_PORT=$(mr_free_port)
  "$root/scripts/pgctl" init "$MR_TMP/pg"
  "$root/scripts/pgctl" start "$MR_TMP/pg" "$MR_PG_PORT"
  "$root/scripts/pgctl" createdb "$MR_TMP/pg" "$MR_PG_PORT" mailroom
  MR_DB_URL="postgresql://postgres@127.0.0.1:$MR_PG_PORT/mailroom"
  local port
  port=$(mr_free_port)
  MR_STORE="127.0.0.1:$port"
  "$root/build/bin/mailroom-stored" --listen="$MR_STORE" --log_level=warning \
    --database_url="$MR_DB_URL" >"$MR_TMP/store.log" 2>&1 &
  MR_PIDS+=($!)
  for _ in $(seq 1 100); do
    "$root/build/bin/mailroomctl" --store "$MR_STORE" health >/dev/null 2>&1 && break
    sleep 0.1
  done
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$MR_TMP/key.pem" -out "$MR_TMP/cert.pem" >/dev/null 2>&1
}

# mr_start_frontend NAME BINARY PORT_TO_WAIT_FOR ARGS...
mr_start_frontend() {
  local name=$1 binary=$2 wait_port=$3
  shift 3
  "$root/build/bin/$binary" --store="dns:///$MR_STORE" --tls_cert="$MR_TMP/cert.pem" \
    --tls_key="$MR_TMP/key.pem" --metrics_listen="127.0.0.1:$(mr_free_port)" \
    --log_level=warning "$@" >"$MR_TMP/$name.log" 2>&1 &
  MR_PIDS+=($!)
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$wait_port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$name did not start; see $MR_TMP/$name.log" >&2
  return 1
}

mr_user() {  # mr_user ADDRESS PASSWORD
  local domain=${1#*@}
  "$root/build/bin/mailroomctl" --store "$MR_STORE" domain add "$domain" >/dev/null 2>&1 || true
  echo "$2" | "$root/build/bin/mailroomctl" --store "$MR_STORE" user add "$1" --password-stdin >/dev/null
}
