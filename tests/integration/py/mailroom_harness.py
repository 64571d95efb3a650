"""Starts real Mailroom processes for Python integration tests.

A `Cluster` creates its own database inside the PostgreSQL of MAILROOM_TEST_DATABASE_URL
(scripts/test starts a private one), starts mailroom-stored on a free loopback port, and can
start front ends with TLS material of its own. Everything it starts is stopped by PID in
`stop()`. Traffic stays on 127.0.0.1.
"""
import os
import secrets
import socket
import subprocess
import tempfile
import time
import urllib.parse

BIN = os.environ.get("MAILROOM_BIN_DIR", os.path.join(os.path.dirname(__file__), "../../../build/bin"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def wait_ready(port, timeout=30.0):
    """Polls GET /readyz of a front end's metrics listener until it answers 200."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


class Cluster:
    def __init__(self, name="t"):
        admin = os.environ.get("MAILROOM_TEST_DATABASE_URL")
        if not admin:
            raise RuntimeError("MAILROOM_TEST_DATABASE_URL is not set: run through scripts/test")
        self.admin_url = admin
        self.db = "mailroom_py_%s_%s" % (name, secrets.token_hex(4))
        parts = urllib.parse.urlsplit(admin)
        self.db_url = urllib.parse.urlunsplit(parts._replace(path="/" + self.db))
        self.dir = tempfile.mkdtemp(prefix="mailroom-py-")
        self.procs = []
        self.psql("CREATE DATABASE %s" % self.db, db_url=admin)
        self.store_port = free_port()
        self.start("store", "mailroom-stored", ["--listen=127.0.0.1:%d" % self.store_port,
                                                "--database_url=" + self.db_url,
                                                "--default_domain=example.test"])
        deadline = time.time() + 30
        while subprocess.run([self.bin("mailroomctl"), "--store", self.store_addr(), "health"],
                             capture_output=True).returncode != 0:
            if time.time() > deadline:
                raise RuntimeError("store did not become healthy: " + self.log("store"))
            time.sleep(0.1)
        self.cert, self.key = self._make_cert()

    def bin(self, name):
        return os.path.join(BIN, name)

    def store_addr(self):
        return "127.0.0.1:%d" % self.store_port

    def ctl(self, *args, stdin=None):
        r = subprocess.run([self.bin("mailroomctl"), "--store", self.store_addr(), *args],
                           input=stdin, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("mailroomctl %s: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def psql(self, sql, db_url=None):
        r = subprocess.run(["psql", db_url or self.db_url, "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("psql: " + r.stderr)
        return r.stdout.strip()

    def start(self, name, binary, args, ports=()):
        log = open(os.path.join(self.dir, name + ".log"), "ab")
        p = subprocess.Popen([self.bin(binary), *args], stdout=log, stderr=log)
        log.close()  # the child has its own copy
        self.procs.append((name, p))
        for port in ports:
            if not wait_port(port):
                raise RuntimeError("%s did not listen on %d: %s" % (name, port, self.log(name)))
        # A front end of this cluster's store takes traffic once it reaches the store (GET
        # /readyz), as behind a load balancer: its first connection attempt may fail on a busy
        # machine, and a LOGIN sent before the retry would get "temporary failure".
        if ports and "--store=dns:///" + self.store_addr() in args:
            for a in args:
                if a.startswith("--metrics_listen=") and not wait_ready(int(a.rsplit(":", 1)[1])):
                    raise RuntimeError("%s did not become ready: %s" % (name, self.log(name)))
        return p

    def log(self, name):
        try:
            with open(os.path.join(self.dir, name + ".log"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def frontend_args(self):
        return ["--store=dns:///" + self.store_addr(), "--tls_cert=" + self.cert,
                "--tls_key=" + self.key, "--metrics_listen=127.0.0.1:%d" % free_port(),
                "--hostname=mx.example.test"]

    def _make_cert(self):
        cert = os.path.join(self.dir, "cert.pem")
        key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        return cert, key

    def add_user(self, address, password, quota=None):
        domain = address.split("@", 1)[1]
        if domain not in self.ctl("domain", "list").split():
            self.ctl("domain", "add", domain)
        args = ["user", "add", address, "--password-stdin"]
        if quota is not None:
            args += ["--quota", str(quota)]
        self.ctl(*args, stdin=password + "\n")

    def messages(self, address, mailbox="INBOX"):
        """The raw bytes of every message in a user's mailbox, by UID."""
        rows = self.psql(
            "SELECT translate(encode(c.raw, 'base64'), E'\\n', '') FROM messages m JOIN contents c USING (sha256) "
            "JOIN mailboxes b USING (user_id, mailbox_id) JOIN users u USING (user_id) "
            "WHERE u.address = '%s' AND b.name = '%s' ORDER BY m.uid" % (address, mailbox))
        import base64
        out = []
        for row in rows.split("\n") if rows else []:
            out.append(base64.b64decode(row))
        return out

    def message_count(self):
        return int(self.psql("SELECT count(*) FROM messages"))

    def stop(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []
        try:
            self.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.db, db_url=self.admin_url)
        except RuntimeError:
            pass
