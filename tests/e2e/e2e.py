#!/usr/bin/env python3
"""End-to-end test in containers: the operators' Dockerfiles and docker-compose.yml, run with
podman and podman-compose on this machine (ctest label `e2e`).

It makes the Debian base image locally (base-image.sh, cached between runs), builds the
Mailroom image, the HAProxy image, a stand-in for the official postgres image and a client
image, brings the compose file up as project `mailroom-e2e` with 2 smtp and 2 imap replicas
(1 pop3) behind the load balancer, and from a client container on the compose network:

  * sends mail through each smtp replica (with a PROXY v2 header naming a made-up client) and
    through the load balancer, and checks in PostgreSQL that every message is stored intact
    and that its Received header names the real client;
  * reads it through each pop3 and imap replica, IDLEs on imap replica 1 while smtp replica 2
    delivers, kills imap replica 1 in a session and compares the state seen on replica 2;
  * restarts the store during an SMTP load and checks that every message answered 250 is in
    PostgreSQL exactly once with its content (SHA-256).

A front end whose binary is not in the image cannot be tested: its parts are reported as
NOT TESTED (loudly, in the output) and the compose services for it are not started.
Everything the test created (containers, network, volume, images but the cached base image)
is removed at the end. Needs root (rootful podman).
Usage: tests/e2e/e2e.py [--keep] [--keep-images]
"""

import argparse
import base64
import fcntl
import hashlib
import json
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PROJECT = "mailroom-e2e"
NETWORK = f"{PROJECT}_default"
IMAGES = {
    "mailroom": "localhost/mailroom-e2e/mailroom:test",
    "lb": "localhost/mailroom-e2e/haproxy:test",
    "postgres": "localhost/mailroom-e2e/postgres:15",
    "client": "localhost/mailroom-e2e/client:test",
}
USER = "postmaster@example.test"
FRONT_ENDS = {"smtp": "mailroom-smtpd", "pop3": "mailroom-pop3d", "imap": "mailroom-imapd"}
REPLICAS = {"smtp": 2, "pop3": 1, "imap": 2}

started = time.monotonic()
timings = []
not_tested = []


def log(message):
    print(f"[e2e {time.monotonic() - started:6.1f}s] {message}", flush=True)


def run(*cmd, check=True, capture=True, timeout=120, env=None, input=None):
    result = subprocess.run([str(c) for c in cmd], capture_output=capture, text=True,
                            timeout=timeout, env=env, input=input)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {result.returncode}\n"
                           f"{(result.stdout or '')[-3000:]}{(result.stderr or '')[-3000:]}")
    return result


class Phase:
    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.start = time.monotonic()
        log(f"-- {self.name}")

    def __exit__(self, *exc):
        timings.append((self.name, time.monotonic() - self.start))


def fail(message):
    raise AssertionError(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_images(reuse):
    if reuse and all(run("podman", "image", "exists", i, check=False).returncode == 0
                     for i in IMAGES.values()):
        log("   --keep-images: reusing the images of an earlier run")
        return
    # --layers=false keeps no intermediate images: nothing to clean up but the tagged ones.
    common = ["podman", "build", "--pull=never", "--layers=false", "--format", "docker", "-q",
              "--label", "org.mailroom.e2e=1"]
    # The Mailroom image compiles the project: under the build lock, like every build here.
    with Phase("build mailroom image (C++ build inside)"):
        run("flock", "/tmp/mailroom-build.lock", *common, "-f", "deploy/docker/Dockerfile",
            "-t", IMAGES["mailroom"], ROOT, timeout=1800)
    with Phase("build haproxy, postgres stand-in and client images"):
        run(*common, "-f", "deploy/docker/haproxy.Dockerfile", "-t", IMAGES["lb"], ROOT,
            timeout=600)
        run(*common, "-f", HERE / "images/postgres.Dockerfile", "-t", IMAGES["postgres"],
            HERE / "images", timeout=600)
        run(*common, "-f", HERE / "images/client.Dockerfile", "-t", IMAGES["client"],
            HERE / "images", timeout=600)


def make_tls(directory):
    directory.mkdir()
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=mail.example.test", "-keyout", directory / "key.pem",
        "-out", directory / "cert.pem")
    os.chown(directory / "key.pem", 10001, 10001)  # the image's mailroom user
    os.chmod(directory / "key.pem", 0o600)
    os.chmod(directory / "cert.pem", 0o644)
    os.chmod(directory, 0o755)


class Stack:
    def __init__(self, env, services, tmp):
        self.env = env
        self.services = services
        # Mounted into client containers: the checkout's tests/e2e and the run's temp folder.
        self.mounts = ["-v", f"{HERE}:/e2e:ro", "-v", f"{tmp}:/e2e-tmp:ro"]

    def compose(self, *args, timeout=300):
        return run("podman-compose", "-p", PROJECT, "-f", ROOT / "docker-compose.yml", *args,
                   env=self.env, timeout=timeout)

    def container(self, service, index=1):
        return f"{PROJECT}_{service}_{index}"

    def containers(self):
        names = []
        for service in self.services:
            count = REPLICAS.get(service, 1)
            names += [self.container(service, i) for i in range(1, count + 1)]
        return names

    def wait_healthy(self, names, seconds=180):
        deadline = time.monotonic() + seconds
        pending = list(names)
        while pending and time.monotonic() < deadline:
            # podman runs health checks from systemd timers, absent here: run them directly.
            pending = [n for n in pending
                       if run("podman", "healthcheck", "run", n, check=False).returncode != 0]
            if pending:
                time.sleep(1)
        if pending:
            fail(f"not healthy after {seconds}s: {pending}")

    def client(self, *args, name=None, timeout=300):
        cmd = ["podman", "run", "--rm", "--network", NETWORK, *self.mounts]
        if name:
            cmd += ["--name", name]
        result = run(*cmd, IMAGES["client"], "/e2e/client.py", *args, check=False,
                     timeout=timeout)
        if result.returncode != 0:
            fail(f"client {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def client_background(self, name, output, *args):
        cmd = ["podman", "run", "--rm", "--name", name, "--network", NETWORK, *self.mounts,
               IMAGES["client"], "/e2e/client.py", *args]
        return subprocess.Popen(cmd, stdout=open(output, "w"), stderr=subprocess.STDOUT,
                                text=True)

    def psql(self, sql):
        return run("podman", "exec", self.container("postgres"), "psql", "-U", "mailroom",
                   "-d", "mailroom", "-At", "-c", sql).stdout

    def inbox(self):
        """{X-E2E-Id: [raw message, ...]} of the test user's INBOX, straight from PostgreSQL."""
        rows = self.psql(
            "SELECT translate(encode(c.raw, 'base64'), E'\\n', '') FROM messages m "
            "JOIN contents c ON c.sha256 = m.sha256 JOIN users u ON u.user_id = m.user_id "
            "JOIN mailboxes b ON b.user_id = m.user_id AND b.mailbox_id = m.mailbox_id "
            f"WHERE u.address = '{USER}' AND b.name = 'INBOX'")
        found = {}
        for row in rows.split():
            raw = base64.b64decode(row)
            match = re.search(rb"X-E2E-Id: ([0-9a-f]+)", raw)
            if match:
                found.setdefault(match.group(1).decode(), []).append(raw)
        return found

    def report_slow_store_calls(self):
        """Lists the store's slow-call log lines and the front ends' deadline errors: none on
        a healthy stack; each is a hint for the next look (they do not fail the test)."""
        for name in self.containers():
            out = run("podman", "logs", name, check=False)
            for line in (out.stdout + out.stderr).splitlines():
                if "slow store call" in line or "Deadline Exceeded" in line:
                    log(f"   NOTE {name}: {line[:300]}")

    def logs(self):
        """Each container's warnings and errors (at most 40) and its last 15 lines."""
        for name in self.containers():
            out = run("podman", "logs", name, check=False)
            lines = (out.stdout + out.stderr).splitlines()
            notable = [line for line in lines
                       if '"level":"warning"' in line or '"level":"error"' in line][-40:]
            print(f"---- logs of {name}: warnings and errors", *notable,
                  f"---- logs of {name}: last lines", *lines[-15:], sep="\n", flush=True)


def digest(raw):
    start = raw.find(b"X-E2E-Id: ")
    return hashlib.sha256(raw[start:]).hexdigest()


def check_stored(stack, sent, what):
    inbox = stack.inbox()
    for message in sent:
        copies = inbox.get(message["id"], [])
        if len(copies) != 1:
            fail(f"{what}: message {message['id']} stored {len(copies)} times")
        if digest(copies[0]) != message["sha256"]:
            fail(f"{what}: message {message['id']} differs from what was sent")
    return inbox


def received_from(raw):
    match = re.search(rb"Received: from [^\r\n]*\(\[([0-9a-f.:]+)\]\)", raw)
    return match.group(1).decode() if match else None


def wait_for_load_balancer(stack, seconds=90):
    """Waits until each published plaintext port answers with its service's greeting through
    HAProxy (which finds the replicas by DNS and health-checks them first)."""
    greetings = {"SMTP": b"220", "SUBMISSION": b"220"}
    if "pop3" in stack.services:
        greetings["POP3"] = b"+OK"
    if "imap" in stack.services:
        greetings["IMAP"] = b"* OK"
    deadline = time.monotonic() + seconds
    for name, greeting in greetings.items():
        port = int(stack.env[f"MAILROOM_PORT_{name}"])
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    if s.recv(512).startswith(greeting):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                fail(f"no {name} greeting through the load balancer on port {port}")
            time.sleep(0.5)


def deliver_from_host(stack):
    """MX, submission (STARTTLS + AUTH) and submissions (implicit TLS + AUTH) through the
    ports the load balancer publishes on 127.0.0.1."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
    password = stack.env["MAILROOM_ADMIN_PASSWORD"]
    sent = []
    for port_name in ("SMTP", "SUBMISSION", "SUBMISSIONS"):
        port = int(stack.env[f"MAILROOM_PORT_{port_name}"])
        message_id = os.urandom(16).hex()
        message = (f"X-E2E-Id: {message_id}\r\nFrom: {USER}\r\nTo: {USER}\r\n"
                   f"Subject: via lb {port_name}\r\n\r\nhello through {port_name}\r\n").encode()
        if port_name == "SUBMISSIONS":
            smtp = smtplib.SMTP_SSL("127.0.0.1", port, timeout=20, context=context)
        else:
            smtp = smtplib.SMTP("127.0.0.1", port, timeout=20)
        with smtp:
            smtp.ehlo("host.e2e.test")
            if port_name == "SUBMISSION":
                smtp.starttls(context=context)
                smtp.ehlo("host.e2e.test")
            if port_name != "SMTP":
                smtp.login(USER, password)
            refused = smtp.sendmail(USER, [USER], message)
            if refused:
                fail(f"{port_name} via the load balancer refused {refused}")
        sent.append({"id": message_id, "sha256": digest(message), "expect_from": None,
                     "target": f"127.0.0.1:{port} ({port_name})"})
    return sent


def report_temporary_refusals(result):
    """A 4xx answer is retried by the client as an MTA would (the mail is not lost); it is
    reported here because on a healthy stack there should be none."""
    for refusal in result.get("temporary_refusals", []):
        log(f"   WARNING: temporary refusal, retried: {refusal}")


def scenario_smtp(stack, tmp):
    sent = []
    with Phase("smtp: deliver through each replica and the load balancer"):
        for i in range(1, REPLICAS["smtp"] + 1):
            result = stack.client("deliver", f"{stack.container('smtp', i)}:25", "--to", USER,
                                  "--source", f"203.0.113.{i}")
            report_temporary_refusals(result)
            for m in result["sent"]:
                m["expect_from"] = f"203.0.113.{i}"
            sent += result["sent"]
        result = stack.client("deliver", "lb:25", "--to", USER)
        report_temporary_refusals(result)
        via_lb = result["sent"]
        for m in via_lb:
            m["expect_from"] = m["client_ip"]  # HAProxy's PROXY header names the client
        sent += via_lb
        sent += deliver_from_host(stack)
        inbox = check_stored(stack, sent, "smtp")
        lb_ip = run("podman", "inspect", "-f",
                    "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                    stack.container("lb")).stdout.strip()
        for m in sent:
            got = received_from(inbox[m["id"]][0])
            if m["expect_from"] is None:  # from the host: whatever address the engine NATs to
                if got in (None, lb_ip):
                    fail(f"Received header of {m['id']} names {got} (the load balancer is {lb_ip})")
            elif got != m["expect_from"]:
                fail(f"Received header of {m['id']} names {got}, not {m['expect_from']}")
        log(f"   {len(sent)} messages stored intact; Received headers name the PROXY clients")
    (tmp / "sent.json").write_text(json.dumps(sent))
    return sent


def scenario_pop3(stack, tmp):
    if "pop3" not in stack.services:
        not_tested.append("pop3: reading the delivered mail through each pop3 replica")
        return
    with Phase("pop3: read through each replica"):
        for i in range(1, REPLICAS["pop3"] + 1):
            stack.client("pop3-read", f"{stack.container('pop3', i)}:110", "--user", USER,
                         "--password", stack.env["MAILROOM_ADMIN_PASSWORD"],
                         "--ids", "/e2e-tmp/sent.json")


def scenario_imap(stack, tmp):
    if "imap" not in stack.services:
        not_tested.append("imap: reading through each imap replica; IDLE on replica 1 seeing "
                          "a delivery through smtp replica 2")
        return
    password = stack.env["MAILROOM_ADMIN_PASSWORD"]
    with Phase("imap: read through each replica, identical state"):
        targets = [f"{stack.container('imap', i)}:143" for i in range(1, REPLICAS["imap"] + 1)]
        stack.client("imap-read", *targets, "--user", USER, "--password", password,
                     "--ids", "/e2e-tmp/sent.json")
    with Phase("imap: IDLE on replica 1 sees a delivery through smtp replica 2"):
        result = stack.client("imap-idle", f"{stack.container('imap', 1)}:143",
                              f"{stack.container('smtp', 2)}:25", "--user", USER,
                              "--password", password)
        report_temporary_refusals(result)
        log(f"   EXISTS arrived {result['idle_exists_after_250_ms']} ms after the 250")


def scenario_store_restart(stack, tmp):
    with Phase("store restart during an SMTP load"):
        output = tmp / "load.out"
        targets = [f"{stack.container('smtp', i)}:25" for i in range(1, REPLICAS["smtp"] + 1)]
        load = stack.client_background(f"{PROJECT}-load", output, "load", *targets, "--to",
                                       USER, "--seconds", "45")

        def accepted_so_far():
            counts = re.findall(r"ACCEPTED (\d+)", output.read_text())
            return int(counts[-1]) if counts else 0

        deadline = time.monotonic() + 60
        while "LOAD-STARTED" not in output.read_text() and time.monotonic() < deadline:
            if load.poll() is not None:
                break
            time.sleep(0.2)
        if "LOAD-STARTED" not in output.read_text():
            load.kill()
            fail(f"load did not start: {output.read_text()[-2000:]}")
        time.sleep(4)
        before = accepted_so_far()
        restart_started = time.monotonic()
        run("podman", "restart", "-t", "30", stack.container("store"), timeout=90)
        stack.wait_healthy([stack.container("store")], seconds=60)
        after_restart = accepted_so_far()
        healthy_again = time.monotonic()
        # The front ends must find the new store (a new address) by themselves, quickly.
        while accepted_so_far() <= after_restart and time.monotonic() < healthy_again + 30:
            time.sleep(0.1)
        resumed = time.monotonic() - healthy_again
        if accepted_so_far() <= after_restart:
            fail("no delivery succeeded within 30 s after the store came back; the load "
                 "client said:\n" + "\n".join(output.read_text().splitlines()[-25:]))
        log(f"   store restarted in {healthy_again - restart_started:.1f}s; "
            f"{before} accepted before, {after_restart} when healthy again; "
            f"deliveries resumed {resumed:.1f}s later")
        load.wait(timeout=120)
        lines = output.read_text().strip().splitlines()
        if load.returncode != 0:
            fail(f"load client failed: {lines[-20:]}")
        result = json.loads(lines[-1])
        accepted = result["accepted"]
        if len(accepted) < after_restart + 50:
            fail(f"only {len(accepted) - after_restart} messages accepted after the store "
                 "came back")
        inbox = check_stored(stack, accepted, "load")
        duplicates = [i for i, copies in inbox.items() if len(copies) > 1]
        if duplicates:
            fail(f"messages stored twice: {duplicates[:5]}")
        log(f"   {len(accepted)} answered 250, all in PostgreSQL once with their content; "
            f"{result['failed']} attempts refused or cut during the restart")


def scenario_imap_failover(stack, tmp):
    if "imap" not in stack.services:
        not_tested.append("imap: killing imap replica 1 mid-session and reconnecting to "
                          "replica 2 with identical state")
        return
    with Phase("imap: kill replica 1 mid-session, reconnect to replica 2"):
        output = tmp / "failover.out"
        client = stack.client_background(
            f"{PROJECT}-failover", output, "imap-failover", f"{stack.container('imap', 1)}:143",
            f"{stack.container('imap', 2)}:143", "--user", USER, "--password",
            stack.env["MAILROOM_ADMIN_PASSWORD"])
        deadline = time.monotonic() + 60
        while "KILL-ME" not in output.read_text() and time.monotonic() < deadline:
            if client.poll() is not None:
                break
            time.sleep(0.2)
        if "KILL-ME" not in output.read_text():
            client.kill()
            fail(f"failover client did not get ready: {output.read_text()[-2000:]}")
        run("podman", "kill", stack.container("imap", 1))
        client.wait(timeout=120)
        if client.returncode != 0:
            fail(f"failover failed: {output.read_text()[-3000:]}")


def cleanup(stack, keep, keep_images):
    if keep:
        log(f"--keep: leaving project {PROJECT} running")
        return
    with Phase("tear down"):
        for name in (f"{PROJECT}-load", f"{PROJECT}-failover"):
            run("podman", "rm", "-f", "-t", "0", name, check=False)
        if stack is not None:
            run("podman-compose", "-p", PROJECT, "-f", ROOT / "docker-compose.yml", "down",
                "-v", env=stack.env, check=False, timeout=300)
        # Leftovers of an interrupted earlier run carry the project label.
        for kind in ("container", "pod"):
            ids = run("podman", kind, "ps", "-aq", "--filter",
                      f"label=io.podman.compose.project={PROJECT}", check=False).stdout.split()
            if ids:
                run("podman", kind, "rm", "-f", *ids, check=False)
        run("podman", "network", "rm", "-f", NETWORK, check=False)
        run("podman", "volume", "rm", "-f", f"{PROJECT}_pgdata", check=False)
        for image in IMAGES.values() if not keep_images else []:
            run("podman", "rmi", "-f", image, check=False)
        # Intermediate images of our builds (build stages) carry no tag.
        run("podman", "image", "prune", "-f", "--filter", "label=org.mailroom.e2e=1",
            check=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument("--keep-images", action="store_true",
                        help="reuse and keep the built images (for working on the test)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("e2e: needs root (rootful podman)")
    for tool in ("podman", "podman-compose", "debootstrap", "openssl", "flock"):
        if shutil.which(tool) is None:
            sys.exit(f"e2e: {tool} is missing (scripts/install-deps installs it)")
    os.environ["CONTAINERS_CONF"] = str(HERE / "containers.conf")
    os.chdir(ROOT)
    lock = open("/tmp/mailroom-e2e.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # one e2e run at a time on this machine

    tmp = Path(tempfile.mkdtemp(prefix="mailroom-e2e."))
    os.chmod(tmp, 0o755)
    stack = None
    ok = False
    try:
        cleanup(None, False, True)  # an interrupted earlier run
        with Phase("base image (debootstrap, cached)"):
            run(HERE / "base-image.sh", timeout=900)
        build_images(args.keep_images)
        present = run("podman", "run", "--rm", "--entrypoint", "ls", IMAGES["mailroom"],
                      "/usr/local/bin").stdout.split()
        front_ends = [s for s, binary in FRONT_ENDS.items() if binary in present]
        for service in FRONT_ENDS:
            if service not in front_ends:
                log(f"NOT TESTED: {FRONT_ENDS[service]} is not in the image; "
                    f"compose service {service} is left out")
        if "smtp" not in front_ends:
            fail("mailroom-smtpd is not in the image")
        make_tls(tmp / "tls")
        env = dict(os.environ,
                   MAILROOM_IMAGE=IMAGES["mailroom"], MAILROOM_LB_IMAGE=IMAGES["lb"],
                   POSTGRES_IMAGE=IMAGES["postgres"], MAILROOM_TLS_DIR=str(tmp / "tls"),
                   MAILROOM_ADMIN_PASSWORD=base64.b32encode(os.urandom(10)).decode(),
                   MAILROOM_ADMIN_USER=USER, MAILROOM_DOMAIN="example.test",
                   MAILROOM_BIND_ADDRESS="127.0.0.1",
                   MAILROOM_SMTP_REPLICAS=str(REPLICAS["smtp"]),
                   MAILROOM_POP3_REPLICAS=str(REPLICAS["pop3"]),
                   MAILROOM_IMAP_REPLICAS=str(REPLICAS["imap"]))
        for port in ("SMTP", "SUBMISSION", "SUBMISSIONS", "POP3", "POP3S", "IMAP", "IMAPS"):
            env[f"MAILROOM_PORT_{port}"] = str(free_port())
        services = ["postgres", "store", "init", *front_ends, "lb"]
        stack = Stack(env, services, tmp)
        with Phase("compose up"):
            stack.compose("up", "-d", "--no-build", *services)
            stack.wait_healthy([stack.container("postgres"), stack.container("store")])
            code = run("podman", "wait", stack.container("init"), timeout=180).stdout.strip()
            if code != "0":
                fail(f"init exited {code}: "
                     f"{run('podman', 'logs', stack.container('init'), check=False).stderr}")
            stack.wait_healthy([c for c in stack.containers()
                                if "_init_" not in c and "_lb_" not in c])
            wait_for_load_balancer(stack)
        scenario_smtp(stack, tmp)
        scenario_pop3(stack, tmp)
        scenario_imap(stack, tmp)
        scenario_store_restart(stack, tmp)
        scenario_imap_failover(stack, tmp)
        stack.report_slow_store_calls()
        ok = True
    except Exception as e:  # noqa: BLE001 - report, dump logs, clean up
        log(f"FAILED: {e}")
        if stack is not None:
            stack.logs()
    finally:
        cleanup(stack, args.keep, args.keep_images)
        shutil.rmtree(tmp, ignore_errors=True)
    for name, seconds in timings:
        log(f"   {seconds:7.1f}s  {name}")
    log(f"total {time.monotonic() - started:.1f}s")
    for item in not_tested:
        log(f"NOT TESTED (service absent): {item}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
