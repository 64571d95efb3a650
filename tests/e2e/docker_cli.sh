#!/usr/bin/env bash
# Runs the README's Docker / Docker Compose operator commands as written, with the real
# `docker` CLI, and checks what they do. A manual verification, not a ctest: it needs root,
# a Docker CLI on PATH and a podman that serves Docker's API.
#
# What stands in for what on this machine (no Docker engine, no registry):
#   * the engine: `podman system service` on a private socket (DOCKER_HOST points at it;
#     podman answers Docker's API 1.41), started here and stopped by PID at the end;
#   * `docker compose` (the v2 plugin, absent here): `docker-compose` 1.29, Docker's own v1
#     implementation. That is the only textual change to the README's commands;
#   * Docker's health-check scheduler: podman runs container health checks from systemd timers
#     only, and there is no systemd here, so `depends_on: condition: service_healthy` would
#     wait forever. A background loop runs `podman healthcheck run` on the project's running
#     containers every 2 s (what Docker's engine does by itself at each `interval`); stopped by
#     PID at the end;
#   * registry images: the Debian base image is made locally (base-image.sh, cached) and the
#     official postgres image is replaced by the e2e test's stand-in (images/postgres.Dockerfile,
#     same contract), named through the README's POSTGRES_IMAGE variable.
#
# It copies the checkout (tracked and untracked files, as `docker build .` would see them;
# `--ref REF` takes `git archive REF` instead) into a temporary directory named mailroom-doc,
# which is therefore the compose project name (never the e2e test's `mailroom-e2e`), writes the
# README's variables into `.env` there (high free ports on 127.0.0.1, image names of its own)
# and runs, in that directory:
#   the quick start (openssl, chown, `docker-compose up -d --build --scale imap=3 --scale pop3=2
#   --scale smtp=2`, `docker-compose logs init`), checks the replica counts, health, init's
#   lines, mail sent with swaks to the published SMTP, submission and submissions ports and read
#   back through the published IMAP, IMAPS, POP3 and POP3S ports; `mailroomctl ... user list`
#   through `docker-compose exec`; the backup (`exec -T postgres pg_dump`) and the restore
#   (mail sent after the dump is gone, mail before it is back); the upgrade (`docker build` of a
#   new image, `up -d --no-deps store` and logins working again, smtp replaced without a gap:
#   new replicas first, then `docker stop` of the old ones, with no greeting through the
#   balancer failing meanwhile; pop3 and imap with `up -d --no-deps --scale`, reporting how
#   long their greetings failed while compose replaced every replica at once).
# Each README command is printed ("    $ ...") before it runs.
# Everything it created (containers, volume, network, images but the cached base image, the
# temporary directory) is removed at the end, also on failure. It holds /tmp/mailroom-e2e.lock
# for the whole run (never beside the e2e test) and /tmp/mailroom-build.lock around each image
# build (a C++ build of the project happens inside).
# Usage: tests/e2e/docker_cli.sh [--ref REF] [--keep] [--keep-images]      (root)
#   --keep          leave the project running (and the podman service) for a look
#   --keep-images   keep the images and build layers for the next run (a quick rebuild while
#                   working on this script); the next run without it removes them
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
project=mailroom-doc
ref=
keep=0
keep_images=0
# Images kept by --keep-images runs, removed by the next run without it.
kept_list=/var/tmp/mailroom-doc.images
while [ $# -gt 0 ]; do
  case "$1" in
    --ref) ref=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --keep-images) keep_images=1; shift ;;
    *) echo "usage: $0 [--ref REF] [--keep] [--keep-images]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "docker_cli: needs root (rootful podman)" >&2; exit 1; }
for tool in docker docker-compose podman swaks python3 openssl flock script git; do
  command -v "$tool" >/dev/null || { echo "docker_cli: $tool is missing" >&2; exit 1; }
done

started=$SECONDS
phase_started=$SECONDS
phase_name=
timings=()
log() { printf '[docker_cli %4ds] %s\n' "$((SECONDS - started))" "$*"; }
phase() {
  [ -z "$phase_name" ] || timings+=("$(printf '%5ds  %s' "$((SECONDS - phase_started))" "$phase_name")")
  phase_name=$1
  phase_started=$SECONDS
  log "-- $1"
}
fail() { log "FAILED: $*"; exit 1; }
# Shows a README command, then runs it.
say() { printf '    $ %s\n' "$*"; }

exec {e2e_lock}>/tmp/mailroom-e2e.lock
log "waiting for /tmp/mailroom-e2e.lock (held while the e2e test runs)"
flock "$e2e_lock"

export CONTAINERS_CONF=$here/containers.conf
work=$(mktemp -d /tmp/mailroom-doc.XXXXXX)
chmod 755 "$work"
dir=$work/$project
service_pid=
health_pid=
probe_pid=
ok=0

compose_leftovers() {
  podman ps -aq --filter "label=com.docker.compose.project=$project" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  if [ "$ok" != 1 ] && [ -f "$dir/docker-compose.yml" ] && [ -n "$service_pid" ]; then
    log "logs of the project's containers (last 20 lines each):"
    (cd "$dir" && docker-compose logs --no-color --tail 20 2>&1 | tail -400)
  fi
  for pid in $probe_pid $health_pid; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  if [ "$keep" = 1 ]; then
    log "--keep: project $project left running in $dir (DOCKER_HOST=unix://$work/podman.sock," \
      "podman service PID $service_pid); remove with: cd $dir && docker-compose down -v"
    exit "$rc"
  fi
  phase "tear down"
  if [ -n "$service_pid" ] && [ -f "$dir/.env" ]; then
    say "docker-compose down -v"
    (cd "$dir" && docker-compose down -v --remove-orphans -t 10 2>&1 | tail -3)
  fi
  local ids
  ids=$(compose_leftovers)
  [ -z "$ids" ] || podman rm -f -t 0 $ids >/dev/null
  podman network rm -f "${project}_default" >/dev/null 2>&1
  podman volume rm -f "${project}_pgdata" >/dev/null 2>&1
  if [ "$keep_images" = 1 ]; then
    cat "$work/created-images" >>"$kept_list" 2>/dev/null
    log "--keep-images: images kept (listed in $kept_list)"
  else
    for image in localhost/mailroom-doc/mailroom:dev localhost/mailroom-doc/haproxy:dev \
        localhost/mailroom-doc/postgres:15; do
      podman rmi -f "$image" >/dev/null 2>&1
    done
    # Untagged images our builds made (build stages, layers, the image an upgrade replaced).
    cat "$work/created-images" "$kept_list" 2>/dev/null | sort -u | while read -r id; do
      podman image exists "$id" && podman rmi -f "$id" >/dev/null 2>&1
    done
    rm -f "$kept_list"
  fi
  if [ -n "$service_pid" ]; then
    kill "$service_pid" 2>/dev/null
    wait "$service_pid" 2>/dev/null
  fi
  rm -rf "$work"
  phase "done"
  for line in "${timings[@]}"; do log "$line"; done
  log "total $((SECONDS - started))s: $([ "$ok" = 1 ] && echo PASSED || echo FAILED)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs "$@" under the build lock and records the images it created, for the tear-down.
locked_build() {
  local fd before rc=0
  exec {fd}>/tmp/mailroom-build.lock
  flock "$fd"
  before=$(podman images -aq --no-trunc | sort -u)
  "$@" {fd}>&- || rc=$?
  comm -13 <(echo "$before") <(podman images -aq --no-trunc | sort -u) >>"$work/created-images"
  exec {fd}>&-
  return "$rc"
}

# IDs of the running containers of a compose service.
ids_of() {
  docker ps -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1"
}

# Waits until COUNT containers of SERVICE run and every one reports healthy.
wait_healthy() {
  local service=$1 count=$2 deadline=$((SECONDS + ${3:-240})) ids status healthy
  while :; do
    ids=$(ids_of "$service")
    healthy=0
    for id in $ids; do
      status=$(docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || true)
      [ "$status" = healthy ] && healthy=$((healthy + 1))
    done
    [ "$(wc -w <<<"$ids")" = "$count" ] && [ "$healthy" = "$count" ] && return 0
    [ "$SECONDS" -lt "$deadline" ] \
      || fail "$service: want $count healthy, have $(wc -w <<<"$ids") running, $healthy healthy"
    sleep 1
  done
}

phase "copy the checkout to $dir"
mkdir "$dir"
if [ -n "$ref" ]; then
  git -C "$root" archive "$ref" | tar -x -C "$dir"
else
  (cd "$root" && git ls-files -z --cached --others --exclude-standard \
    | tar --null -T - --ignore-failed-read -c 2>/dev/null) | tar -x -C "$dir"
fi

phase "podman's Docker API on $work/podman.sock, health-check runner"
podman system service --time=0 "unix://$work/podman.sock" {e2e_lock}>&- \
  >"$work/podman-service.log" 2>&1 &
service_pid=$!
export DOCKER_HOST=unix://$work/podman.sock
for _ in $(seq 50); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
docker version --format 'docker CLI {{.Client.Version}} -> {{.Server.Platform.Name}} (API {{.Server.APIVersion}})' \
  || fail "the podman service does not answer"
ids=$(compose_leftovers)
[ -z "$ids" ] || { log "removing leftovers of an interrupted run"; podman rm -f -t 0 $ids >/dev/null; }
podman volume rm -f "${project}_pgdata" >/dev/null 2>&1 || true
podman network rm -f "${project}_default" >/dev/null 2>&1 || true
(
  while :; do
    for id in $(podman ps -q --filter "label=com.docker.compose.project=$project" 2>/dev/null); do
      podman healthcheck run "$id" >/dev/null 2>&1 || true
    done
    sleep 2
  done
) {e2e_lock}>&- &
health_pid=$!

phase "base image (debootstrap, cached) and the postgres stand-in"
"$here/base-image.sh"
say "docker build -t localhost/mailroom-doc/postgres:15 -f tests/e2e/images/postgres.Dockerfile tests/e2e/images"
(cd "$dir" && locked_build docker build -q -t localhost/mailroom-doc/postgres:15 \
  -f tests/e2e/images/postgres.Dockerfile tests/e2e/images >/dev/null)

cd "$dir"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# The README's variables, in a .env file beside docker-compose.yml, as it suggests.
{
  echo "MAILROOM_IMAGE=localhost/mailroom-doc/mailroom:dev"
  echo "MAILROOM_LB_IMAGE=localhost/mailroom-doc/haproxy:dev"
  echo "POSTGRES_IMAGE=localhost/mailroom-doc/postgres:15"
  echo "MAILROOM_BIND_ADDRESS=127.0.0.1"
  for port in SMTP SUBMISSION SUBMISSIONS POP3 POP3S IMAP IMAPS; do
    echo "MAILROOM_PORT_$port=$(free_port)"
  done
} >.env
set -a
. ./.env
set +a
log ".env: $(tr '\n' ' ' <.env)"

cat >"$work/mail.py" <<'EOF'
# Reads the INBOX of postmaster@example.test through the published ports (TLS everywhere: the
# balancer's PROXY header carries the host's NAT address, not loopback, so plaintext logins
# are refused) and checks which test subjects it holds.
#   mail.py wait                          every published port greets
#   mail.py check [+SUBJECT|-SUBJECT]...  each path has (+) or lacks (-) each subject
import imaplib, os, poplib, re, socket, ssl, sys, time
env = os.environ
user, password = "postmaster@example.test", env["MAILROOM_ADMIN_PASSWORD"]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE  # the self-signed certificate of the quick start
port = lambda name: int(env["MAILROOM_PORT_" + name])
subjects = lambda text: set(re.findall(r"doc-check-[a-z0-9-]+", text))

def greets(name, tls, want):
    with socket.create_connection(("127.0.0.1", port(name)), timeout=5) as s:
        conn = ctx.wrap_socket(s) if tls else s
        return conn.recv(256).startswith(want)

def imap(tls):
    c = imaplib.IMAP4_SSL("127.0.0.1", port("IMAPS"), ssl_context=ctx, timeout=20) if tls \
        else imaplib.IMAP4("127.0.0.1", port("IMAP"), timeout=20)
    if not tls:
        c.starttls(ssl_context=ctx)
    c.login(user, password)
    c.select("INBOX", readonly=True)
    typ, data = c.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    c.logout()
    return subjects(" ".join(p[1].decode() for p in data if isinstance(p, tuple)))

def pop3(tls):
    c = poplib.POP3_SSL("127.0.0.1", port("POP3S"), context=ctx, timeout=20) if tls \
        else poplib.POP3("127.0.0.1", port("POP3"), timeout=20)
    if not tls:
        c.stls(context=ctx)
    c.user(user)
    c.pass_(password)
    found = set()
    for i in range(1, c.stat()[0] + 1):
        found |= subjects(b"\n".join(c.top(i, 0)[1]).decode())
    c.quit()
    return found

if sys.argv[1] == "wait":
    checks = [("SMTP", False, b"220"), ("SUBMISSION", False, b"220"), ("SUBMISSIONS", True, b"220"),
              ("POP3", False, b"+OK"), ("POP3S", True, b"+OK"), ("IMAP", False, b"* OK"),
              ("IMAPS", True, b"* OK")]
    deadline = time.monotonic() + 120
    for name, tls, want in checks:
        while True:
            try:
                if greets(name, tls, want):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"no {name} greeting on 127.0.0.1:{port(name)}")
            time.sleep(0.5)
    print("every published port greets")
else:
    want = {a[1:] for a in sys.argv[2:] if a[0] == "+"}
    unwanted = {a[1:] for a in sys.argv[2:] if a[0] == "-"}
    for name, read in (("IMAP+STARTTLS", lambda: imap(False)), ("IMAPS", lambda: imap(True)),
                       ("POP3+STLS", lambda: pop3(False)), ("POP3S", lambda: pop3(True))):
        got = read()
        if want - got or unwanted & got:
            sys.exit(f"{name}: missing {sorted(want - got)}, present {sorted(unwanted & got)}")
        print(f"    {name}: has {len(want)} expected, none of {len(unwanted)} unwanted")
EOF
mail() { python3 "$work/mail.py" "$@"; }
# Sends one message through a published SMTP port with swaks; prints its subject.
send() {
  local how=$1 subject=doc-check-$1-$RANDOM$RANDOM args
  case "$how" in
    mx) args=(--port "$MAILROOM_PORT_SMTP" --from someone@example.net) ;;
    submission) args=(--port "$MAILROOM_PORT_SUBMISSION" -tls --auth PLAIN) ;;
    submissions) args=(--port "$MAILROOM_PORT_SUBMISSIONS" --tls-on-connect --auth PLAIN) ;;
  esac
  [ "$how" = mx ] || args+=(--from postmaster@example.test --auth-user postmaster@example.test
    --auth-password "$MAILROOM_ADMIN_PASSWORD")
  swaks --server 127.0.0.1 "${args[@]}" --to postmaster@example.test --h-Subject "$subject" \
    --body "sent by tests/e2e/docker_cli.sh via $how" >"$work/swaks-$how.log" 2>&1 \
    || { tail -15 "$work/swaks-$how.log" >&2; fail "swaks via $how"; }
  grep -q ' 250 .*queued as' "$work/swaks-$how.log" || fail "swaks via $how: no 250 after DATA"
  echo "$subject"
}

phase "quick start: tls, then docker-compose up -d --build (C++ build inside, under the build lock)"
say 'mkdir -p tls'
mkdir -p tls
say 'openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=mail.example.test" -keyout tls/key.pem -out tls/cert.pem'
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=mail.example.test" \
  -keyout tls/key.pem -out tls/cert.pem 2>/dev/null
say 'chown 10001:10001 tls/key.pem'
chown 10001:10001 tls/key.pem
say "export MAILROOM_ADMIN_PASSWORD='choose-a-long-password'"
export MAILROOM_ADMIN_PASSWORD='choose-a-long-password'
say 'docker-compose up -d --build --scale imap=3 --scale pop3=2 --scale smtp=2'
up_started=$SECONDS
locked_build docker-compose up -d --build --scale imap=3 --scale pop3=2 --scale smtp=2 \
  >"$work/up.log" 2>&1 || { tail -60 "$work/up.log"; fail "docker-compose up"; }
grep -E '^(Creating|Building|Successfully tagged|WARNING|ERROR)' "$work/up.log" | sort | uniq -c \
  | sed 's/^/    /' || true
log "   up -d --build returned after $((SECONDS - up_started))s"

phase "replicas, health, init"
for want in postgres:1 store:1 smtp:2 pop3:2 imap:3 lb:1; do
  service=${want%:*}
  count=${want#*:}
  [ "$service" = lb ] && { [ "$(ids_of lb | wc -w)" = 1 ] || fail "lb is not running"; continue; }
  wait_healthy "$service" "$count"
done
say 'docker-compose ps'
docker-compose ps | sed 's/^/    /'
init=$(docker ps -aq --filter "label=com.docker.compose.project=$project" \
  --filter label=com.docker.compose.service=init)
code=$(timeout 120 docker wait "$init") || fail "init did not finish"
[ "$code" = 0 ] || fail "init exited $code"
say 'docker-compose logs init'
docker-compose logs --no-color init | tee "$work/init.log" | sed 's/^/    /'
grep -q "added domain example.test" "$work/init.log" || fail "init log lacks 'added domain example.test'"
grep -q "added user postmaster@example.test" "$work/init.log" \
  || fail "init log lacks 'added user postmaster@example.test'"

phase "mail through the published ports (swaks in, IMAP/IMAPS/POP3/POP3S out)"
mail wait
before_backup=()
for how in mx submission submissions; do before_backup+=("$(send "$how")"); done
log "   sent ${before_backup[*]}"
mail check "${before_backup[@]/#/+}"

phase "mailroomctl through docker-compose exec (with a terminal, as an operator types it)"
say 'docker-compose exec store mailroomctl --store 127.0.0.1:50051 user list'
# `exec` without -T wants a terminal ("the input device is not a TTY"): script(1) gives it one.
script -qec 'docker-compose exec store mailroomctl --store 127.0.0.1:50051 user list' /dev/null \
  | tr -d '\r' | tee "$work/users.txt" | sed 's/^/    /'
grep -q 'postmaster@example.test[[:space:]]' "$work/users.txt" || fail "user list lacks postmaster@example.test"

phase "backup and restore"
say 'docker-compose exec -T postgres pg_dump -U mailroom -d mailroom -Fc > mailroom.dump'
docker-compose exec -T postgres pg_dump -U mailroom -d mailroom -Fc > mailroom.dump
[ "$(head -c 5 mailroom.dump)" = PGDMP ] || fail "mailroom.dump is not a pg_dump archive"
log "   mailroom.dump: $(stat -c %s mailroom.dump) bytes"
after_backup=$(send mx)
mail check "+$after_backup"
for cmd in 'docker-compose stop smtp pop3 imap store' \
    'docker-compose exec -T postgres dropdb -U mailroom mailroom' \
    'docker-compose exec -T postgres createdb -U mailroom mailroom' \
    'docker-compose exec -T postgres pg_restore -U mailroom -d mailroom --no-owner < mailroom.dump' \
    'docker-compose start store' \
    'docker-compose start smtp pop3 imap'; do
  say "$cmd"
  bash -c "$cmd" 2>&1 | sed 's/^/    /' || fail "$cmd"
done
for want in store:1 smtp:2 pop3:2 imap:3; do wait_healthy "${want%:*}" "${want#*:}"; done
mail wait
mail check "${before_backup[@]/#/+}" "-$after_backup"
log "   restored: the mail from before the dump is there, the one sent after it is gone"

phase "upgrade: a new image, then store, then each front end"
say 'docker build -f deploy/docker/Dockerfile -t localhost/mailroom-doc/mailroom:dev --label ... .'
old_image=$(docker image inspect -f '{{.Id}}' "$MAILROOM_IMAGE")
locked_build docker build -q -f deploy/docker/Dockerfile -t "$MAILROOM_IMAGE" \
  --label "org.mailroom.doc-upgrade=$(date +%s)" . >/dev/null
new_image=$(docker image inspect -f '{{.Id}}' "$MAILROOM_IMAGE")
[ "$new_image" != "$old_image" ] || fail "the rebuild gave the same image"
store_before=$(ids_of store)
say 'docker-compose up -d --no-deps store'
docker-compose up -d --no-deps store 2>&1 | sed 's/^/    /'
wait_healthy store 1
store_after=$(ids_of store)
[ "$store_after" != "$store_before" ] || fail "store was not recreated"
[ "$(docker inspect -f '{{.Image}}' "$store_after")" = "$new_image" ] \
  || fail "the new store does not run the new image"
# The front ends lost their store connection; they reconnect by themselves (re-resolving
# `store`, which has a new address now). Meanwhile logins get temporary failures.
t0=$SECONDS
until mail check "${before_backup[@]/#/+}" >"$work/check.out" 2>&1; do
  [ $((SECONDS - t0)) -lt 60 ] || { cat "$work/check.out"; fail "no logins 60 s after the store upgrade"; }
  sleep 1
done
cat "$work/check.out"
log "   store recreated on the new image; logins through every front end work again" \
  "$((SECONDS - t0))s after it reported healthy"
# While a front end is replaced: a greeting probe through the balancer every 0.2 s.
cat >"$work/probe.py" <<'EOF'
import os, socket, sys, time
# A greeting within 15 s counts as answered (mail clients wait far longer); prints the count of
# answered and failed attempts, the slowest greeting in ms and the seconds from the first
# failed attempt to the end of the last one.
port, want, stop = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
ok = bad = slowest = 0
first_failure = last_failure = None
while not os.path.exists(stop):
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=15) as s:
            s.settimeout(15)
            got = s.recv(64)
            answered = got.startswith(want)
    except OSError as e:
        answered, got = False, e
    if not answered:
        print(time.strftime("%H:%M:%S"), f"{time.monotonic() - start:.1f}s", repr(got),
              file=sys.stderr)
    if answered:
        ok += 1
        slowest = max(slowest, time.monotonic() - start)
    else:
        bad += 1
        first_failure = first_failure or start
        last_failure = time.monotonic()
    time.sleep(0.2)
gap = last_failure - first_failure if bad else 0
print(ok, bad, int(slowest * 1000), f"{gap:.1f}")
EOF
probe_start() {
  rm -f "$work/probe.stop"
  python3 "$work/probe.py" "$1" "$2" "$work/probe.stop" >"$work/probe.out" 2>"$work/probe.err" &
  probe_pid=$!
}
probe_stop() {
  touch "$work/probe.stop"
  wait "$probe_pid"
  probe_pid=
  read -r probe_ok probe_bad probe_slowest probe_gap <"$work/probe.out"
}
full_ids() {
  docker ps -q --no-trunc --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1"
}
# Checks that SERVICE runs COUNT healthy containers, none of the IDs OLD, all on the new image.
check_replaced() {
  local service=$1 count=$2 old=$3 id
  wait_healthy "$service" "$count"
  for id in $(full_ids "$service"); do
    grep -qx "$id" <<<"$old" && fail "$service container $id was not replaced"
    [ "$(docker inspect -f '{{.Image}}' "$id")" = "$new_image" ] || fail "$service $id runs the old image"
  done
  return 0
}

# smtp without a gap, as the README says: new replicas first, then the old ones drain and go.
probe_start "$MAILROOM_PORT_SMTP" 220
t0=$SECONDS
say 'old=$(docker-compose ps -q smtp)'
old=$(docker-compose ps -q smtp)
say 'docker-compose up -d --no-deps --no-recreate --scale smtp=4 smtp'
docker-compose up -d --no-deps --no-recreate --scale smtp=4 smtp 2>&1 | sed 's/^/    /'
wait_healthy smtp 4
# Docker reports a new container healthy after its first check, `interval` (5 s) after the
# start; the runner here checks every 2 s. Wait out the difference, so that HAProxy has found
# the new replicas (DNS every second, /readyz every 2 s) as it would have with Docker.
sleep 5
say 'docker stop -t 30 $old && docker rm $old'
# shellcheck disable=SC2086
docker stop -t 30 $old >/dev/null && docker rm $old >/dev/null
check_replaced smtp 2 "$old"
sleep 3
probe_stop
log "   smtp: 2 replicas replaced, new ones first, in $((SECONDS - t0))s;" \
  "SMTP greetings through the balancer meanwhile: $probe_ok answered (slowest" \
  "${probe_slowest} ms), $probe_bad failed"
if [ "$probe_bad" != 0 ]; then
  head -40 "$work/probe.err"
  docker logs -t --since 2m "$(ids_of lb)" 2>&1 | grep -v ' UP, ' | tail -40
  fail "SMTP connections failed during the replacement without a gap"
fi

# pop3 and imap the plain way: compose replaces every replica of the service at once.
for upgrade in 'pop3=2 POP3 +OK' 'imap=3 IMAP * OK'; do
  read -r scale port_name greeting <<<"$upgrade"
  service=${scale%=*}
  old=$(full_ids "$service")
  port_var=MAILROOM_PORT_$port_name
  probe_start "${!port_var}" "$greeting"
  t0=$SECONDS
  say "docker-compose up -d --no-deps --scale $scale $service"
  docker-compose up -d --no-deps --scale "$scale" "$service" 2>&1 | sed 's/^/    /'
  check_replaced "$service" "${scale#*=}" "$old"
  sleep 3
  probe_stop
  log "   $service: ${scale#*=} replicas recreated at once, healthy after $((SECONDS - t0))s;" \
    "$port_name greetings meanwhile: $probe_ok answered (slowest ${probe_slowest} ms)," \
    "$probe_bad failed, within ${probe_gap} s"
done
mail wait
upgraded=$(send mx)
mail check "${before_backup[@]/#/+}" "+$upgraded"
ok=1
