"""imapflow (npm) against a real mailroom-imapd, mailroom-smtpd and store: the scripts in
imapflow/ (IDLE, APPEND, MOVE, BODYSTRUCTURE), each a node process that asserts what it sees and
exits non-zero on any failure. The npm packages, pinned by imapflow/package-lock.json, are
installed with `npm ci` into the build tree (MAILROOM_IMAPFLOW_DIR) and kept there until the lock
file changes; a failed install fails the test. Label: integration."""
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from client_cluster import ImapCluster  # noqa: E402
from mailroom_harness import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "imapflow")
WORK = os.environ.get("MAILROOM_IMAPFLOW_DIR") or os.path.join(
    HERE, "..", "..", "..", "build", "tests", "integration", "imap", "imapflow")
PASSWORD = "imapflow-secret-1"
SCRIPT_TIMEOUT = 90  # each script has a watchdog of its own below this


def npm_install():
    """Copies the npm project and its scripts into WORK and runs `npm ci` there unless
    node_modules already matches package.json and package-lock.json. ESM resolves `imapflow`
    from the importing file's folder, so the scripts run from WORK, next to node_modules."""
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    major = int(node.stdout.strip().lstrip("v").split(".")[0])
    if major < 20:
        raise AssertionError("imapflow needs Node.js >= 20, found " + node.stdout.strip())
    os.makedirs(WORK, exist_ok=True)
    with open(os.path.join(WORK, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs on one build tree install one at a time
        digest = hashlib.sha256()
        for name in ("package.json", "package-lock.json"):
            with open(os.path.join(SOURCE, name), "rb") as f:
                digest.update(f.read())
        stamp = os.path.join(WORK, "node_modules", ".mailroom-installed")
        try:
            with open(stamp) as f:
                installed = f.read()
        except OSError:
            installed = ""
        if installed != digest.hexdigest():
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(os.path.join(SOURCE, name), os.path.join(WORK, name))
            r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                               cwd=WORK, capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                raise AssertionError("npm ci failed in %s:\n%s\n%s" % (WORK, r.stdout, r.stderr))
            with open(stamp, "w") as f:
                f.write(digest.hexdigest())
        for name in os.listdir(SOURCE):
            if name.endswith(".mjs"):
                shutil.copyfile(os.path.join(SOURCE, name), os.path.join(WORK, name))


class ImapflowTest(unittest.TestCase):
    users = 0

    @classmethod
    def setUpClass(cls):
        npm_install()
        cls.cluster = ImapCluster("imapflow")
        cls.c = cls.cluster.c
        try:
            # smtpd with the certificate that names 127.0.0.1, so nodemailer verifies STARTTLS.
            args = [a for a in cls.c.frontend_args()
                    if not a.startswith(("--tls_cert=", "--tls_key="))]
            cls.mx = free_port()
            cls.c.start("smtp", "mailroom-smtpd", args + [
                "--tls_cert=" + cls.cluster.cert,
                "--tls_key=" + os.path.join(cls.c.dir, "key-127.pem"),
                "--mx_listen=127.0.0.1:%d" % cls.mx, "--submission_listen=",
                "--submissions_listen="], ports=[cls.mx])
        except BaseException:  # tearDownClass does not run then
            cls.cluster.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()

    def node(self, script):
        """Runs one script as a fresh user; fails with its output, its protocol trace and the
        servers' logs unless it exits 0. Returns the JSON object on its last stdout line, if any."""
        ImapflowTest.users += 1
        user = "flow%d@example.test" % ImapflowTest.users
        self.c.add_user(user, PASSWORD)
        log = os.path.join(self.c.dir, "imapflow-%s.log" % script.replace(".mjs", ""))
        env = dict(os.environ, MAILROOM_IMAPS_PORT=str(self.cluster.imaps),
                   MAILROOM_SMTP_PORT=str(self.mx),
                   MAILROOM_CA=self.cluster.cert, MAILROOM_USER=user, MAILROOM_PASSWORD=PASSWORD,
                   MAILROOM_IMAPFLOW_LOG=log)
        try:
            r = subprocess.run(["node", os.path.join(WORK, script)], cwd=WORK, env=env,
                               capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            self.fail("%s ran past %d s:\n%s" % (script, SCRIPT_TIMEOUT, e.stderr))
        if r.returncode != 0:
            try:
                with open(log, errors="replace") as f:
                    trace = f.read()[-12000:]
            except OSError:
                trace = "(none)"
            self.fail("%s exited %d\nstdout:\n%s\nstderr:\n%s\nimapflow trace (tail):\n%s\n"
                      "imapd log:\n%s\nsmtpd log:\n%s" % (
                          script, r.returncode, r.stdout[-4000:], r.stderr[-6000:], trace,
                          self.c.log("imap"), self.c.log("smtp")))
        lines = r.stdout.strip().splitlines()
        if lines and lines[-1].startswith("{"):
            figures = json.loads(lines[-1])
            print("%s: %s" % (script, figures), file=sys.stderr)
            return figures
        return None

    def test_idle_sees_delivery_flags_and_expunge(self):
        figures = self.node("idle.mjs")
        for key in ("exists_ms", "flags_ms", "expunge_ms"):
            self.assertLess(figures[key], 5000, key)

    def test_append_with_flags_and_date(self):
        self.node("append.mjs")

    def test_move_uid_range(self):
        self.node("move.mjs")

    def test_bodystructure_and_part_downloads(self):
        self.node("bodystructure.mjs")


if __name__ == "__main__":
    unittest.main(verbosity=2)
