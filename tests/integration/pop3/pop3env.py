"""A private Mailroom for POP3 integration tests: a fresh database inside the PostgreSQL named by
MAILROOM_TEST_DATABASE_URL, one mailroom-stored and any number of mailroom-pop3d processes on
free loopback ports, a self-signed certificate, users and mail put in through the store.
Only processes started here are ever signalled, by PID."""

import os
import signal
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc=None, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def wait_ready(port, proc=None, timeout=30):
    """Waits until GET /readyz answers 200: the front end reaches the store. Its first
    connection attempt can fail on a busy machine (say, while a test fills the store), and a
    login before the retry would get a temporary failure."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("process exited with %d" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"not ready on {port}")


class Pop3d:
    def __init__(self, env, name, extra_args):
        self.port = free_port()
        self.tls_port = free_port()
        self.metrics_port = free_port()
        self.log = os.path.join(env.dir, f"{name}.log")
        args = [os.path.join(env.bin, "mailroom-pop3d"),
                f"--store=127.0.0.1:{env.store_port}",
                f"--pop3_listen=127.0.0.1:{self.port}",
                f"--pop3s_listen=127.0.0.1:{self.tls_port}",
                f"--metrics_listen=127.0.0.1:{self.metrics_port}",
                f"--tls_cert={env.cert}", f"--tls_key={env.key}",
                "--drain_seconds=3"] + list(extra_args)
        self.proc = subprocess.Popen(args, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)
        wait_port(self.port, self.proc)
        wait_port(self.tls_port, self.proc)
        wait_ready(self.metrics_port, self.proc)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Env:
    def __init__(self, bin_dir):
        self.bin = bin_dir
        self.dir = tempfile.mkdtemp(prefix="pop3-it-")
        os.chmod(self.dir, 0o755)  # getmail delivers as "nobody"
        self.admin_url = os.environ.get("MAILROOM_TEST_DATABASE_URL")
        if not self.admin_url:
            raise RuntimeError("MAILROOM_TEST_DATABASE_URL is not set (run through scripts/test)")
        self.db = f"pop3_it_{os.getpid()}_{int(time.time())}"
        self._psql(f'CREATE DATABASE "{self.db}"')
        base = self.admin_url.rsplit("/", 1)[0]
        self.db_url = f"{base}/{self.db}"
        self.cert = os.path.join(self.dir, "cert.pem")
        self.key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                        "-keyout", self.key, "-out", self.cert],
                       check=True, capture_output=True)
        self.store_port = free_port()
        self.store_log = os.path.join(self.dir, "store.log")
        self.store = subprocess.Popen(
            [os.path.join(bin_dir, "mailroom-stored"), f"--listen=127.0.0.1:{self.store_port}",
             f"--database_url={self.db_url}", "--pool_size=8", "--drain_seconds=2",
             "--password_ops=1", "--password_mem_kib=8192"],
            stdout=open(self.store_log, "wb"), stderr=subprocess.STDOUT)
        wait_port(self.store_port, self.store)
        self.pop3ds = []
        self.ctl("domain", "add", "example.test")

    def _psql(self, sql):
        subprocess.run(["psql", self.admin_url, "-qAtc", sql], check=True, capture_output=True)

    def ctl(self, *args, stdin=None):
        return subprocess.run([os.path.join(self.bin, "mailroomctl"), "--store",
                               f"127.0.0.1:{self.store_port}"] + list(args),
                              input=stdin, check=True, capture_output=True)

    def add_user(self, address, password):
        self.ctl("user", "add", address, "--password-stdin", stdin=password.encode())

    def deliver(self, address, messages):
        """Delivers each message (bytes) unchanged into the user's INBOX, in order."""
        files = []
        for i, m in enumerate(messages):
            path = os.path.join(self.dir, f"deliver-{time.time_ns()}-{i}.eml")
            with open(path, "wb") as f:
                f.write(m)
            files.append(path)
        subprocess.run([os.path.join(self.bin, "pop3_load"), "deliver",
                        f"--store=127.0.0.1:{self.store_port}", f"--to={address}"] + files,
                       check=True, capture_output=True)

    def pop3d(self, name, *extra_args):
        p = Pop3d(self, name, extra_args)
        self.pop3ds.append(p)
        return p

    def close(self):
        for p in self.pop3ds:
            p.stop()
        if self.store.poll() is None:
            self.store.send_signal(signal.SIGTERM)
            try:
                self.store.wait(15)
            except subprocess.TimeoutExpired:
                self.store.kill()
                self.store.wait()
        try:
            self._psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        except subprocess.CalledProcessError:
            pass
