#!/usr/bin/env bash
# IMAP side by side in one run: mailroom-imapd (+ mailroom-stored + PostgreSQL, fsync on;
# bench/lib/mailroom_env.sh) and Dovecot 2.3 (maildir, mail_fsync = always;
# bench/reference/dovecot.sh), on free loopback ports, the same users with the same argon2id
# password hashes (copied from the store into Dovecot's passwd-file, so a LOGIN costs both the
# same), the same messages (both filled through IMAP APPEND by the same client), measured by
# the same client, bench/imap/imap_load.py:
#   1. command mix (LOGIN, SELECT, FETCH 1:* FLAGS, FETCH bodies, STORE, SEARCH, APPEND,
#      EXPUNGE, LOGOUT) with CLIENTS clients for SECONDS, REPEAT rounds in alternating order;
#      ops/s per command and the ratio Mailroom/Dovecot (median over the rounds);
#      and the servers' CPU time per operation (bench/lib/cpu_seconds.py);
#   2. memory per idle IDLE connection at IDLE_CONNECTIONS connections (0 = skip) with
#      bench/imap/idle_memory.py: imapd RSS growth vs Dovecot's summed imap + imap-login
#      processes (RSS and PSS).
# Everything it starts lives in temp dirs and is stopped by PID (Dovecot with doveadm stop).
#   bench/imap/imap_bench.sh [USERS] [MESSAGES] [CLIENTS] [SECONDS]    (defaults 8 500 8 20)
#   env: SIZE=4096 REPEAT=2 IDLE_CONNECTIONS=2000
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/build/bin
users=${1:-8}; messages=${2:-500}; clients=${3:-8}; seconds=${4:-20}
size=${SIZE:-4096}; repeat=${REPEAT:-2}; idle_n=${IDLE_CONNECTIONS:-2000}
load="python3 $root/bench/imap/imap_load.py"

for b in mailroom-stored mailroom-imapd mailroomctl; do
  [ -x "$bin/$b" ] || { echo "build first: $bin/$b missing" >&2; exit 1; }
done
command -v dovecot >/dev/null || { echo "dovecot is not installed (scripts/install-deps --bench)" >&2; exit 1; }
# Each idle connection is a socket here and (for Dovecot) a process with a few descriptors.
need=$((idle_n * 2 + 512))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
echo "open files limit: $(ulimit -n)"

source "$root/bench/lib/mailroom_env.sh"
source "$root/bench/reference/dovecot.sh"
cleanup() { dc_stop; mr_cleanup; }
trap cleanup EXIT

# --- Mailroom ---------------------------------------------------------------------------------
mr_start_store
mr_port=$(mr_free_port)
mr_start_frontend imapd mailroom-imapd "$mr_port" --imap_listen=127.0.0.1:"$mr_port" \
  --imaps_listen= --max_connections=$((idle_n + 1000)) \
  --max_connections_per_ip=$((idle_n + 1000)) --auth_max_failures_per_ip=100000 \
  --auth_max_failures_per_user=100000
mr_imapd_pid=${MR_PIDS[-1]}
for i in $(seq 1 "$users"); do mr_user "bench$i@bench.test" bench-pw; done

# --- Dovecot: same users, the store's argon2id hashes -----------------------------------------
DC_EXTRA_CONF="
mail_max_userip_connections = $((idle_n + 1000))
default_process_limit = $((idle_n + 1000))
default_client_limit = $((idle_n * 5 + 1000))
service imap-login {
  process_limit = $((idle_n + 1000))
}
service imap {
  process_limit = $((idle_n + 1000))
}"
dc_start
mr_psql "SELECT split_part(address, '@', 1) || ':{ARGON2ID}' || password_hash || '::::::'
         FROM users WHERE address LIKE 'bench%@bench.test'" >"$DC_DIR/users"
dc_master=$(cat "$DC_DIR/run/master.pid")

echo "== filling: $users users x $messages messages of ~$size octets (IMAP APPEND, same client)"
echo -n "  mailroom: "; $load fill --port="$mr_port" --users="$users" --messages="$messages" --size="$size"
echo -n "  dovecot:  "; $load fill --port="$DC_IMAP" --users="$users" --messages="$messages" --size="$size"
# The planner's statistics as autovacuum leaves them in a running system (it analyzes a table
# once a tenth of it changed, within a minute): right after a bulk fill they still describe an
# empty table, and every statement would plan for mailboxes of one message.
mr_psql "ANALYZE" >/dev/null

# The servers' CPU time per run: imapd + stored + PostgreSQL, and Dovecot's master with every
# process under it (auth, imap-login, imap).
cpu="python3 $root/bench/lib/cpu_seconds.py"
mr_cpu_pids="$mr_imapd_pid ${MR_PIDS[0]} $(head -1 "$MR_TMP/pg/postmaster.pid")"
run() {  # NAME PORT PIDS → prints the table to stderr, the RESULT json (with server_cpu_s)
  local name=$1 port=$2 pids=$3 out before after p parts=()
  local -A pid_before
  before=$($cpu $pids)
  for p in $pids; do pid_before[$p]=$($cpu "$p"); done
  out=$($load run --port="$port" --users="$users" --clients="$clients" --seconds="$seconds" --seed=$RANDOM) || true
  after=$($cpu $pids)
  for p in $pids; do
    parts+=("$(ps -o comm= -p "$p") $(python3 -c "print(round($($cpu "$p") - ${pid_before[$p]}, 2))")")
  done
  echo "-- $name (server CPU s: $(IFS=,; echo "${parts[*]}"); load client CPU s: $(sed -n 's/^RESULT .*"client_cpu_s": \([0-9.]*\).*/\1/p' <<<"$out"))" >&2
  grep -v '^RESULT ' <<<"$out" >&2
  sed -n 's/^RESULT //p' <<<"$out" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read()); d["server_cpu_s"] = round(float(sys.argv[2]) - float(sys.argv[1]), 2)
print(json.dumps(d))' "$before" "$after"
}
results=$(mktemp "$MR_TMP/results.XXXX")
for i in $(seq 1 "$repeat"); do
  echo "== round $i: command mix, $clients clients x ${seconds}s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  if [ $((i % 2)) = 1 ]; then
    echo "mailroom $(run mailroom "$mr_port" "$mr_cpu_pids")" >>"$results"
    echo "dovecot $(run dovecot "$DC_IMAP" "$dc_master")" >>"$results"
  else
    echo "dovecot $(run dovecot "$DC_IMAP" "$dc_master")" >>"$results"
    echo "mailroom $(run mailroom "$mr_port" "$mr_cpu_pids")" >>"$results"
  fi
done
python3 - "$results" <<'PY'
import json, statistics, sys
runs = {"mailroom": [], "dovecot": []}
for line in open(sys.argv[1]):
    name, _, js = line.partition(" ")
    if js.strip():
        runs[name].append(json.loads(js))
def med(name, cmd, key="ops_per_s"):
    vals = [r["commands"].get(cmd, {}).get(key, 0) for r in runs[name]] if cmd else \
           [r[key] for r in runs[name]]
    return statistics.median(vals) if vals else 0
print("\nmedian ops/s over %d rounds (errors: mailroom %d, dovecot %d)" % (
    len(runs["mailroom"]), sum(r["errors"] for r in runs["mailroom"]),
    sum(r["errors"] for r in runs["dovecot"])))
print("%-12s %10s %10s %8s   %s" % ("command", "mailroom", "dovecot", "ratio",
                                    "p50 latency ms: mailroom dovecot"))
for cmd in ["LOGIN", "SELECT", "FETCH_FLAGS", "FETCH_BODY", "STORE", "SEARCH", "APPEND", "EXPUNGE", "LOGOUT", None]:
    m, d = med("mailroom", cmd), med("dovecot", cmd)
    lat = "%8.2f %8.2f" % (med("mailroom", cmd, "p50_ms"), med("dovecot", cmd, "p50_ms")) if cmd else ""
    print("%-12s %10.1f %10.1f %7.2fx   %s" % (cmd or "all", m, d, m / d if d else float("nan"), lat))
def cpu_per_op(name):
    vals = [r["server_cpu_s"] * 1000 / r["ops"] for r in runs[name] if r.get("ops")]
    return statistics.median(vals) if vals else float("nan")
m, d = cpu_per_op("mailroom"), cpu_per_op("dovecot")
print("server CPU per operation: mailroom %.2f ms (imapd + stored + PostgreSQL), dovecot %.2f ms;"
      " ratio %.2fx" % (m, d, m / d))
PY

if [ "$idle_n" -gt 0 ]; then
  echo
  echo "== memory per idle IDLE connection, $idle_n connections"
  python3 "$root/bench/imap/idle_memory.py" --port="$mr_port" --users="$users" \
    --mailroom-pid="$mr_imapd_pid" "$idle_n" | tee "$MR_TMP/mem-mailroom" | grep -v '^RESULT'
  sleep 2
  python3 "$root/bench/imap/idle_memory.py" --port="$DC_IMAP" --users="$users" \
    --dovecot-pid="$dc_master" "$idle_n" | tee "$MR_TMP/mem-dovecot" | grep -v '^RESULT'
  python3 - "$MR_TMP/mem-mailroom" "$MR_TMP/mem-dovecot" <<'PY'
import json, sys
m, d = (json.loads(next(l for l in open(f) if l.startswith("RESULT "))[7:]) for f in sys.argv[1:])
for k in ("rss_per_connection_kib", "pss_per_connection_kib"):
    print("%s: mailroom %.1f KiB, dovecot %.1f KiB, ratio mailroom/dovecot %.3f"
          % (k, m[k], d[k], m[k] / d[k] if d[k] else float("nan")))
PY
fi
