"""mailroom-smtpd with real processes, a real store and PostgreSQL, and real clients
(python smtplib, swaks, curl, scripted sockets). Label: integration."""
import base64
import hashlib
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from mailroom_harness import Cluster, free_port  # noqa: E402

USER = "demo@example.test"
PASSWORD = "demo-secret"
OTHER = "other@example.test"


def tls_client_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Raw:
    """A scripted SMTP client over a plain socket: exact bytes in, exact replies out."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """One complete (possibly multi-line) reply as (code, text)."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise EOFError("connection closed; got %r" % lines)
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line.decode(errors="replace"))
            if len(line) < 4 or line[3:4] != b"-":
                return int(lines[-1][:3]), "\n".join(lines)

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def closed(self):
        try:
            self.sock.settimeout(5)
            return self.sock.recv(1) == b""
        except (ConnectionResetError, OSError):
            return True

    def close(self):
        self.sock.close()


class SmtpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = Cluster("smtp")
        cls.c.add_user(USER, PASSWORD)
        cls.c.add_user(OTHER, "x" * 12)
        cls.c.add_user("tiny@example.test", "tiny-secret", quota=2000)
        cls.c.ctl("alias", "add", "alias@example.test", USER)
        for i in range(6):
            cls.c.add_user("rcpt%d@example.test" % i, "rcpt-secret")
        cls.mx, cls.sub, cls.subs = free_port(), free_port(), free_port()
        cls.c.start("smtp", "mailroom-smtpd", cls.c.frontend_args() + [
            "--mx_listen=127.0.0.1:%d" % cls.mx, "--submission_listen=127.0.0.1:%d" % cls.sub,
            "--submissions_listen=127.0.0.1:%d" % cls.subs, "--max_message_bytes=200000",
            "--max_recipients=5"], ports=[cls.mx, cls.sub, cls.subs])
        # A second instance that treats loopback like any other network (AUTH needs TLS).
        cls.strict = free_port()
        cls.c.start("smtp-strict", "mailroom-smtpd", cls.c.frontend_args() + [
            "--mx_listen=", "--submissions_listen=", "--plaintext_auth_on_loopback=false",
            "--submission_listen=127.0.0.1:%d" % cls.strict], ports=[cls.strict])

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()

    def inbox(self, address=USER):
        return self.c.messages(address)

    def assert_stored_with_trace(self, stored, original, with_proto):
        head, sep, rest = stored.partition(b"\r\nReceived: ")
        self.assertTrue(stored.startswith(b"Return-Path: <"), stored[:80])
        received_end = rest.index(b"\r\n", rest.index(b";\r\n\t") + 3) + 2
        received = rest[:received_end]
        self.assertIn(("with " + with_proto + " id").encode(), received)
        self.assertEqual(rest[received_end:], original)

    # --- real clients ---------------------------------------------------------------------
    def test_smtplib_mx_delivery_is_stored_byte_identical(self):
        before = len(self.inbox())
        body = (b"From: ann@example.test\r\nTo: demo@example.test\r\nSubject: hello\r\n\r\n"
                b"line one\r\n.leading dot\r\nlast line\r\n")
        with smtplib.SMTP("127.0.0.1", self.mx) as s:
            code, _ = s.ehlo("client.test")
            self.assertEqual(code, 250)
            self.assertTrue(s.has_extn("pipelining") and s.has_extn("chunking"))
            self.assertFalse(s.has_extn("auth"))  # the MX listener offers no AUTH
            refused = s.sendmail("ann@example.test", [USER], body)
            self.assertEqual(refused, {})
        msgs = self.inbox()
        self.assertEqual(len(msgs), before + 1)
        self.assert_stored_with_trace(msgs[-1], body, "ESMTP")

    def test_submission_starttls_auth_plain_and_login(self):
        for mech in ("PLAIN", "LOGIN"):
            before = len(self.inbox(OTHER))
            body = ("Subject: via %s\r\n\r\nhello\r\n" % mech).encode()
            with smtplib.SMTP("127.0.0.1", self.sub) as s:
                s.ehlo("client.test")
                self.assertTrue(s.has_extn("starttls"))
                s.starttls(context=tls_client_context())
                s.ehlo("client.test")
                self.assertIn(mech, s.esmtp_features["auth"].split())
                s.user, s.password = USER, PASSWORD
                code, _ = s.auth(mech, getattr(s, "auth_" + mech.lower()))
                self.assertEqual(code, 235)
                s.sendmail(USER, [OTHER], body)
            msgs = self.inbox(OTHER)
            self.assertEqual(len(msgs), before + 1)
            self.assert_stored_with_trace(msgs[-1], body, "ESMTPSA")
            self.assertIn(b"(using TLSv1.", msgs[-1])

    def test_submissions_implicit_tls(self):
        before = len(self.inbox())
        with smtplib.SMTP_SSL("127.0.0.1", self.subs, context=tls_client_context()) as s:
            s.login(USER, PASSWORD)
            s.sendmail(USER, ["alias@example.test"], b"Subject: tls\r\n\r\nimplicit\r\n")
        self.assertEqual(len(self.inbox()), before + 1)
        self.assertIn(b"with ESMTPSA", self.inbox()[-1])

    def test_submission_requires_auth(self):
        r = Raw(self.sub)
        r.reply()
        r.cmd("EHLO client.test")
        self.assertEqual(r.cmd("MAIL FROM:<demo@example.test>")[0], 530)
        r.close()

    def test_swaks_plain_starttls_auth_and_pipelining(self):
        swaks = shutil.which("swaks")
        self.assertIsNotNone(swaks, "swaks is installed by scripts/install-deps")
        runs = [
            ["--server", "127.0.0.1:%d" % self.mx, "--to", USER],
            ["--server", "127.0.0.1:%d" % self.mx, "--to", USER, "--pipeline"],
            ["--server", "127.0.0.1:%d" % self.sub, "--to", OTHER, "--tls", "--auth", "PLAIN",
             "--auth-user", USER, "--auth-password", PASSWORD],
            ["--server", "127.0.0.1:%d" % self.sub, "--to", OTHER, "--tls", "--auth", "LOGIN",
             "--auth-user", USER, "--auth-password", PASSWORD],
            ["--server", "127.0.0.1:%d" % self.subs, "--to", OTHER, "--tlsc", "--auth", "PLAIN",
             "--auth-user", USER, "--auth-password", PASSWORD],
        ]
        for args in runs:
            before = self.c.message_count()
            r = subprocess.run([swaks, "--from", "swaks@example.test", "--helo", "client.test",
                                "--timeout", "20", *args], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("250 2.0.0 OK: queued as", r.stdout)
            self.assertEqual(self.c.message_count(), before + 1)

    def test_curl_smtp(self):
        before = len(self.inbox())
        body = b"Subject: from curl\r\n\r\nsent by curl\r\n"
        r = subprocess.run(["curl", "-sS", "--max-time", "20", "smtp://127.0.0.1:%d" % self.mx,
                            "--mail-from", "curl@example.test", "--mail-rcpt", USER, "-T", "-"],
                           input=body, capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.inbox()), before + 1)
        self.assertTrue(self.inbox()[-1].endswith(body))

    # --- scripted conversations -----------------------------------------------------------
    def test_pipelined_transaction_replies_in_order(self):
        r = Raw(self.mx)
        r.reply()
        r.send("EHLO client.test\r\nMAIL FROM:<a@example.test>\r\nRCPT TO:<demo@example.test>\r\n"
               "RCPT TO:<nobody@example.test>\r\nDATA\r\n")
        self.assertEqual(r.reply()[0], 250)
        self.assertEqual(r.reply()[0], 250)
        self.assertEqual(r.reply()[0], 250)
        self.assertEqual(r.reply()[0], 550)
        self.assertEqual(r.reply()[0], 354)
        r.send("Subject: p\r\n\r\nbody\r\n.\r\nQUIT\r\n")
        code, text = r.reply()
        self.assertEqual(code, 250)
        self.assertEqual(r.reply()[0], 221)
        r.close()

    def test_bdat_chunks(self):
        before = len(self.inbox())
        part1 = b"Subject: bdat\r\n\r\nfirst chunk\r\n"
        part2 = b".no dot-stuffing in BDAT\r\nbinary \x00\xff ok\r\n"
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test> BODY=8BITMIME")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<demo@example.test>")[0], 250)
        r.send(b"BDAT %d\r\n" % len(part1) + part1)
        self.assertEqual(r.reply()[0], 250)
        r.send(b"BDAT %d LAST\r\n" % len(part2) + part2)
        code, text = r.reply()
        self.assertEqual(code, 250, text)
        r.close()
        msgs = self.inbox()
        self.assertEqual(len(msgs), before + 1)
        self.assertTrue(msgs[-1].endswith(part1 + part2))

    def test_8bit_body_and_smtputf8_address_preserved(self):
        self.c.add_user("j\u00f6rg@example.test", "utf8-secret")
        body = "Subject: gr\u00fc\u00dfe\r\n\r\nK\u00e4se und \u00c4pfel\r\n".encode()
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        self.assertEqual(r.cmd("MAIL FROM:<ann@example.test> BODY=8BITMIME SMTPUTF8")[0], 250)
        r.send("RCPT TO:<j\u00f6rg@example.test>\r\n".encode())
        self.assertEqual(r.reply()[0], 250)
        self.assertEqual(r.cmd("DATA")[0], 354)
        r.send(body + b".\r\n")
        self.assertEqual(r.reply()[0], 250)
        r.close()
        msgs = self.c.messages("j\u00f6rg@example.test")
        self.assertEqual(len(msgs), 1)
        self.assertTrue(msgs[0].endswith(body))
        self.assertIn(b"with UTF8SMTP", msgs[0])

    def test_dsn_parameters_are_kept_with_the_message(self):
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        self.assertEqual(r.cmd("MAIL FROM:<dsn@example.test> RET=HDRS ENVID=env+2Bid")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<other@example.test> NOTIFY=SUCCESS,DELAY "
                               "ORCPT=rfc822;other@example.test")[0], 250)
        self.assertEqual(r.cmd("DATA")[0], 354)
        r.send("Subject: dsn\r\n\r\nx\r\n.\r\n")
        self.assertEqual(r.reply()[0], 250)
        r.close()
        row = self.c.psql(
            "SELECT delivery->>'envelope_from', delivery->>'ret', delivery->>'envid', "
            "delivery->>'notify', delivery->>'orcpt' FROM messages m JOIN users u USING (user_id) "
            "WHERE u.address = 'other@example.test' ORDER BY m.uid DESC LIMIT 1")
        self.assertEqual(row.split("|"), ["dsn@example.test", "HDRS", "env+2Bid",
                                          "SUCCESS,DELAY", "rfc822;other@example.test"])

    def test_sigterm_drains_with_421(self):
        port = free_port()
        p = self.c.start("smtp-drain", "mailroom-smtpd", self.c.frontend_args() + [
            "--mx_listen=127.0.0.1:%d" % port, "--submission_listen=", "--submissions_listen=",
            "--drain_seconds=5"], ports=[port])
        r = Raw(port)
        self.assertEqual(r.reply()[0], 220)
        r.cmd("EHLO client.test")
        p.terminate()
        code, text = r.reply()
        self.assertEqual(code, 421, text)
        self.assertIn("4.3.2", text)
        self.assertEqual(p.wait(timeout=20), 0)
        r.close()

    def test_readyz_follows_the_store_connection_and_the_drain(self):
        def probe(metrics, path):
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d%s" % (metrics, path),
                                            timeout=5) as r:
                    return r.status
            except urllib.error.HTTPError as e:
                return e.code
            except OSError:
                return None

        def wait_status(metrics, path, want, seconds=15):
            deadline = time.time() + seconds
            got = None
            while time.time() < deadline:
                got = probe(metrics, path)
                if got == want:
                    return
                time.sleep(0.1)
            self.fail("%s stayed %s, wanted %s" % (path, got, want))

        # A front end whose store does not answer is alive but not ready.
        port, metrics, dead_store = free_port(), free_port(), free_port()
        p = self.c.start("smtp-nostore", "mailroom-smtpd", [
            "--store=dns:///127.0.0.1:%d" % dead_store, "--metrics_listen=127.0.0.1:%d" % metrics,
            "--mx_listen=127.0.0.1:%d" % port, "--submission_listen=", "--submissions_listen=",
            "--drain_seconds=3"], ports=[port])
        wait_status(metrics, "/healthz", 200)
        self.assertEqual(probe(metrics, "/readyz"), 503)
        p.terminate()
        self.assertEqual(p.wait(timeout=20), 0)

        # With a store it becomes ready by itself (it connects at start), and a drain makes it
        # not ready at once while /healthz still answers.
        port, metrics = free_port(), free_port()
        args = [a for a in self.c.frontend_args() if not a.startswith("--metrics_listen=")]
        p = self.c.start("smtp-ready", "mailroom-smtpd", args + [
            "--metrics_listen=127.0.0.1:%d" % metrics, "--mx_listen=127.0.0.1:%d" % port,
            "--submission_listen=", "--submissions_listen=", "--drain_seconds=5"], ports=[port])
        wait_status(metrics, "/readyz", 200)
        r = Raw(port)  # a session in the middle of DATA keeps the drain going
        self.assertEqual(r.reply()[0], 220)
        self.assertEqual(r.cmd("EHLO client.test")[0], 250)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test>")[0], 250)
        self.assertEqual(r.cmd("RCPT TO:<%s>" % USER)[0], 250)
        self.assertEqual(r.cmd("DATA")[0], 354)
        r.send("Subject: drain\r\n\r\nstill sending")
        p.terminate()
        wait_status(metrics, "/readyz", 503, seconds=4)
        self.assertEqual(probe(metrics, "/healthz"), 200)
        r.close()
        self.assertEqual(p.wait(timeout=20), 0)

    def test_utf8_address_without_smtputf8_is_refused(self):
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        r.send("MAIL FROM:<j\u00f6rg@example.test>\r\n".encode())
        self.assertEqual(r.reply()[0], 553)

    # --- negative cases -------------------------------------------------------------------
    def test_unknown_user_and_relay_tricks_are_refused(self):
        cases = {
            "nobody@example.test": 550,
            "someone@remote.test": 554,
            "user%remote.test@example.test": 553,
            "\"user@remote.test\"@example.test": 553,
            "@example.test:user@remote.test": 554,
            "someone@REMOTE.test.": 554,
        }
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        r.cmd("MAIL FROM:<a@example.test>")
        for address, want in cases.items():
            code, text = r.cmd("RCPT TO:<%s>" % address)
            self.assertEqual(code, want, "%s: %s" % (address, text))
        self.assertEqual(r.cmd("RCPT TO:<user@remote.test@example.test>")[0], 501)
        # Mixed case and a trailing dot on a local domain still reach the local user.
        self.assertEqual(r.cmd("RCPT TO:<Demo@EXAMPLE.test.>")[0], 250)
        r.close()

    def test_authenticated_submission_to_remote_is_refused(self):
        with smtplib.SMTP("127.0.0.1", self.sub) as s:
            s.starttls(context=tls_client_context())
            s.login(USER, PASSWORD)
            with self.assertRaises(smtplib.SMTPRecipientsRefused) as e:
                s.sendmail(USER, ["friend@remote.test"], b"Subject: x\r\n\r\nx\r\n")
            code, text = e.exception.recipients["friend@remote.test"]
            self.assertEqual(code, 550)
            self.assertIn(b"5.7.1", text)

    def test_starttls_command_injection_is_discarded(self):
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        r.send("STARTTLS\r\nMAIL FROM:<injected@example.test>\r\n")
        self.assertEqual(r.reply()[0], 220)
        tls = tls_client_context().wrap_socket(r.sock, server_hostname="localhost")
        r.sock, r.buf = tls, b""
        # The injected MAIL was thrown away with the plaintext buffer, and the session was
        # reset: a MAIL now needs EHLO again.
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test>")[0], 503)
        self.assertEqual(r.cmd("EHLO client.test")[0], 250)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test>")[0], 250)
        r.close()

    def test_smuggling_sequences_never_end_data(self):
        before = self.c.message_count()
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        r.cmd("MAIL FROM:<a@example.test>")
        r.cmd("RCPT TO:<demo@example.test>")
        self.assertEqual(r.cmd("DATA")[0], 354)
        r.send("Subject: smuggle\r\n\r\nbody\n.\nMAIL FROM:<evil@example.test>\r\n"
               "RCPT TO:<other@example.test>\r\nDATA\r\n\r.\r\nmore\r\n.\r\n")
        code, text = r.reply()
        self.assertEqual(code, 554, text)  # refused for its bare LF / CR, as one message
        self.assertIn("5.6.0", text)
        self.assertEqual(r.cmd("NOOP")[0], 250)  # no smuggled command was answered before
        r.close()
        self.assertEqual(self.c.message_count(), before)

    def test_line_too_long(self):
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        code, _ = r.cmd("NOOP " + "x" * 10000)
        self.assertEqual(code, 500)
        self.assertEqual(r.cmd("NOOP")[0], 250)  # the session goes on
        r.close()

    def test_data_line_longer_than_the_reader_limit_is_refused_not_truncated(self):
        before = self.c.message_count()
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        r.cmd("MAIL FROM:<a@example.test>")
        r.cmd("RCPT TO:<demo@example.test>")
        self.assertEqual(r.cmd("DATA")[0], 354)
        r.send(b"Subject: long\r\n\r\n" + b"y" * 20000 + b"\r\nend\r\n.\r\n")
        code, text = r.reply()
        self.assertEqual(code, 554, text)
        self.assertEqual(r.cmd("NOOP")[0], 250)
        r.close()
        self.assertEqual(self.c.message_count(), before)

    def test_message_too_big_declared_and_undeclared(self):
        before = self.c.message_count()
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test> SIZE=999999999")[0], 552)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test>")[0], 250)
        r.cmd("RCPT TO:<demo@example.test>")
        self.assertEqual(r.cmd("DATA")[0], 354)
        line = b"x" * 900 + b"\r\n"
        r.send(b"Subject: big\r\n\r\n" + line * 300 + b".\r\n")
        code, text = r.reply()
        self.assertEqual(code, 552, text)
        self.assertIn("5.3.4", text)
        self.assertEqual(r.cmd("NOOP")[0], 250)
        r.close()
        self.assertEqual(self.c.message_count(), before)

    def test_too_many_recipients(self):
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        r.cmd("MAIL FROM:<a@example.test>")
        for i in range(5):
            self.assertEqual(r.cmd("RCPT TO:<rcpt%d@example.test>" % i)[0], 250)
        code, text = r.cmd("RCPT TO:<rcpt5@example.test>")
        self.assertEqual(code, 452)
        self.assertIn("4.5.3", text)
        r.close()

    def test_over_quota_recipient(self):
        body = b"Subject: q\r\n\r\n" + b"y" * 2500 + b"\r\n"
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test> SIZE=%d" % len(body))[0], 250)
        code, text = r.cmd("RCPT TO:<tiny@example.test>")
        self.assertEqual(code, 552, text)
        self.assertIn("5.2.2", text)
        r.close()

    def test_auth_before_tls_on_non_loopback_policy(self):
        r = Raw(self.strict)
        r.reply()
        code, text = r.cmd("EHLO client.test")
        self.assertNotIn("AUTH", text)
        code, text = r.cmd("AUTH PLAIN " + base64.b64encode(b"\0demo@example.test\0demo-secret").decode())
        self.assertEqual(code, 538)
        r.close()

    def test_bad_auth_input(self):
        r = Raw(self.sub)
        r.reply()
        r.cmd("EHLO client.test")
        self.assertEqual(r.cmd("AUTH PLAIN not*base64")[0], 501)
        self.assertEqual(r.cmd("AUTH CRAM-MD5")[0], 504)
        self.assertEqual(r.cmd("AUTH PLAIN")[0], 334)
        self.assertEqual(r.cmd("*")[0], 501)
        code, _ = r.cmd("AUTH PLAIN " + base64.b64encode(b"\0demo@example.test\0wrong").decode())
        self.assertEqual(code, 535)
        r.close()

    def test_commands_out_of_order(self):
        r = Raw(self.mx)
        r.reply()
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test>")[0], 503)
        r.cmd("EHLO client.test")
        self.assertEqual(r.cmd("RCPT TO:<demo@example.test>")[0], 503)
        self.assertEqual(r.cmd("DATA")[0], 503)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test>")[0], 250)
        self.assertEqual(r.cmd("MAIL FROM:<a@example.test>")[0], 503)
        self.assertEqual(r.cmd("DATA")[0], 554)
        self.assertEqual(r.cmd("RSET")[0], 250)
        self.assertEqual(r.cmd("BOGUS")[0], 500)
        self.assertEqual(r.cmd("VRFY demo")[0], 252)
        self.assertEqual(r.cmd("QUIT")[0], 221)
        r.close()

    def test_client_vanishing_mid_data_stores_nothing(self):
        before = self.c.message_count()
        r = Raw(self.mx)
        r.reply()
        r.cmd("EHLO client.test")
        r.cmd("MAIL FROM:<a@example.test>")
        r.cmd("RCPT TO:<demo@example.test>")
        r.cmd("DATA")
        r.send(b"Subject: cut\r\n\r\n" + b"z" * 100000)
        r.sock.shutdown(socket.SHUT_RDWR)
        r.close()
        time.sleep(1.0)
        self.assertEqual(self.c.message_count(), before)

    def test_too_many_errors_closes_with_421(self):
        r = Raw(self.mx)
        r.reply()
        codes = [r.cmd("BOGUS")[0] for _ in range(19)]
        self.assertEqual(set(codes), {500})
        self.assertEqual(r.cmd("BOGUS")[0], 500)
        self.assertEqual(r.reply()[0], 421)
        self.assertTrue(r.closed())


if __name__ == "__main__":
    unittest.main(verbosity=2)
