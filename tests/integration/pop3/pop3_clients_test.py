#!/usr/bin/env python3
"""mailroom-pop3d with real processes and real clients (ctest label integration): python poplib
over plain, STLS and implicit TLS, curl pop3:// and pop3s://, fetchmail and getmail fetching
with delete (local copies compared with what was sent, the server INBOX empty afterwards), and
the negative cases: bad commands and arguments, commands in the wrong state, wrong passwords
then throttling, one user on two pop3d processes, a dropped connection, DELE then RSET, TOP 0
and TOP past the body, the lock of a killed process expiring, connection limits, SIGTERM drain.

Usage: pop3_clients_test.py BIN_DIR [unittest args]; needs MAILROOM_TEST_DATABASE_URL."""

import os
import poplib
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pop3env  # noqa: E402

ENV = None
MAIN = None    # the pop3d most tests use
SECOND = None  # a second replica


def setUpModule():
    global ENV, MAIN, SECOND
    ENV = pop3env.Env(BIN_DIR)
    MAIN = ENV.pop3d("main", "--auth_max_failures_per_user=3", "--auth_max_failures_per_ip=1000")
    SECOND = ENV.pop3d("second")


def tearDownModule():
    if ENV is not None:
        ENV.close()


def messages(tag):
    """CRLF messages as SMTP would store them: dot lines, 8-bit UTF-8, one big enough to be
    streamed in chunks rather than read ahead (256 KiB)."""
    big_body = b"".join(b"%s line %06d of a large message, padding padding padding\r\n"
                        % (b"." if i % 9 == 0 else b"", i) for i in range(5000))
    return [
        b"From: alice@example.test\r\nTo: %s@example.test\r\nSubject: first %s\r\n"
        b"Message-ID: <1.%s@example.test>\r\n\r\nHello.\r\n.\r\n..\r\n.leading dot\r\nend\r\n"
        % (tag.encode(), tag.encode(), tag.encode()),
        "From: =?UTF-8?Q?J=C3=B6rg?= <jorg@example.test>\r\nSubject: caf\u00e9 {}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Gr\u00fc\u00dfe \u2014 8-bit body\r\n".format(tag).encode(),
        b"From: big@example.test\r\nSubject: large %s\r\n\r\n%s" % (tag.encode(), big_body),
        b"From: x@example.test\r\nSubject: dots %s\r\n\r\n.\r\n.\r\n...\r\n" % tag.encode(),
    ]


def new_user(tag, msgs=None):
    address = f"{tag}-{secrets.token_hex(3)}@example.test"
    password = "pw-" + secrets.token_hex(6)
    ENV.add_user(address, password)
    if msgs:
        ENV.deliver(address, msgs)
    return address, password


def tls_context():
    ctx = ssl.create_default_context(cafile=ENV.cert)
    ctx.check_hostname = False  # connecting to 127.0.0.1; the chain is still verified
    return ctx


def joined(lines):
    return b"".join(line + b"\r\n" for line in lines)


def count(port, address, password):
    p = poplib.POP3("127.0.0.1", port, timeout=30)
    p.user(address)
    p.pass_(password)
    n = p.stat()[0]
    p.quit()
    return n


class Conversation:
    """A raw POP3 client: send a line, read a reply line (or a multi-line reply)."""

    def __init__(self, port, greeting=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.file = self.sock.makefile("rb")
        if greeting:
            self.greeting = self.line()

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def line(self):
        return self.file.readline().decode("utf-8", "replace").rstrip("\r\n")

    def cmd(self, text):
        self.send(text + "\r\n")
        return self.line()

    def multi(self):
        out = []
        while True:
            raw = self.file.readline()
            if raw in (b".\r\n", b""):
                return out
            out.append(raw)

    def close(self):
        self.file.close()
        self.sock.close()


class Pop3ClientsTest(unittest.TestCase):
    def test_poplib_plain_full_session(self):
        sent = messages("plain")
        address, password = new_user("plain", sent)
        p = poplib.POP3("127.0.0.1", MAIN.port, timeout=30)
        self.assertIn(b"+OK", p.getwelcome())
        p.user(address)
        p.pass_(password)
        self.assertEqual(p.stat(), (4, sum(len(m) for m in sent)))
        _, listing, _ = p.list()
        self.assertEqual(listing, [b"%d %d" % (i + 1, len(m)) for i, m in enumerate(sent)])
        uidls = p.uidl()[1]
        for i, m in enumerate(sent):
            _, lines, _ = p.retr(i + 1)
            self.assertEqual(joined(lines), m, f"message {i + 1}")
        # TOP 0: the header and the blank line; TOP past the end of the body: everything.
        header = sent[0][:sent[0].index(b"\r\n\r\n") + 4]
        self.assertEqual(joined(p.top(1, 0)[1]), header)
        self.assertEqual(joined(p.top(1, 2)[1]), header + b"Hello.\r\n.\r\n")
        self.assertEqual(joined(p.top(4, 1000)[1]), sent[3])
        p.quit()
        # UIDLs are stable across sessions and replicas.
        q = poplib.POP3("127.0.0.1", SECOND.port, timeout=30)
        q.user(address)
        q.pass_(password)
        self.assertEqual(q.uidl()[1], uidls)
        for n in range(1, 5):
            q.dele(n)
        self.assertTrue(q.quit().startswith(b"+OK"))
        self.assertEqual(count(MAIN.port, address, password), 0)

    def test_poplib_stls(self):
        sent = messages("stls")
        address, password = new_user("stls", sent)
        p = poplib.POP3("127.0.0.1", MAIN.port, timeout=30)
        self.assertIn("STLS", p.capa())
        p.stls(tls_context())
        self.assertNotIn("STLS", p.capa())
        p.user(address)
        p.pass_(password)
        for i, m in enumerate(sent):
            self.assertEqual(joined(p.retr(i + 1)[1]), m)
        p.quit()

    def test_poplib_implicit_tls(self):
        sent = messages("pop3s")
        address, password = new_user("pop3s", sent)
        p = poplib.POP3_SSL("127.0.0.1", MAIN.tls_port, context=tls_context(), timeout=30)
        p.user(address)
        p.pass_(password)
        self.assertEqual(p.stat()[0], 4)
        for i, m in enumerate(sent):
            self.assertEqual(joined(p.retr(i + 1)[1]), m)
            p.dele(i + 1)
        p.quit()
        self.assertEqual(count(MAIN.port, address, password), 0)

    def test_capa(self):
        p = poplib.POP3("127.0.0.1", MAIN.port, timeout=30)
        capa = p.capa()
        for name in ["TOP", "USER", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS",
                     "UTF8"]:
            self.assertIn(name, capa)
        self.assertEqual(capa["SASL"], ["PLAIN", "LOGIN"])
        self.assertEqual(capa["EXPIRE"], ["NEVER"])
        self.assertEqual(capa["LOGIN-DELAY"], ["0"])
        self.assertEqual(capa["IMPLEMENTATION"], ["Mailroom"])
        p.quit()

    def curl(self, *args):
        return subprocess.run(["curl", "-sS", "--max-time", "30"] + list(args),
                              check=True, capture_output=True).stdout

    def test_curl(self):
        sent = messages("curl")
        address, password = new_user("curl", sent)
        cred = f"{address}:{password}"
        listing = self.curl("-u", cred, f"pop3://127.0.0.1:{MAIN.port}/")
        self.assertEqual(listing.splitlines(), [b"%d %d" % (i + 1, len(m))
                                                for i, m in enumerate(sent)])
        for i, m in enumerate(sent):
            self.assertEqual(self.curl("-u", cred, f"pop3://127.0.0.1:{MAIN.port}/{i + 1}"), m)
        self.assertEqual(self.curl("--ssl-reqd", "--cacert", ENV.cert, "-u", cred,
                                   f"pop3://localhost:{MAIN.port}/2"), sent[1])
        self.assertEqual(self.curl("--cacert", ENV.cert, "-u", cred,
                                   f"pop3s://localhost:{MAIN.tls_port}/3"), sent[2])
        # DELE through curl's custom request, then the message is gone for good.
        self.curl("-u", cred, "-X", "DELE 1", "-I", f"pop3://127.0.0.1:{MAIN.port}/")
        self.assertEqual(count(MAIN.port, address, password), 3)

    def test_fetchmail_with_delete(self):
        sent = messages("fetchmail")
        address, password = new_user("fetchmail", sent)
        work = os.path.join(ENV.dir, "fetchmail-" + secrets.token_hex(3))
        out = os.path.join(work, "out")
        os.makedirs(out)
        mda = os.path.join(work, "mda.py")
        with open(mda, "w") as f:
            f.write("import os, sys, time\n"
                    "data = sys.stdin.buffer.read()\n"
                    "open(os.path.join(sys.argv[1], '%d.eml' % time.time_ns()), 'wb')"
                    ".write(data)\n")
        rc = os.path.join(work, "fetchmailrc")
        with open(rc, "w") as f:
            f.write(f'set no bouncemail\npoll 127.0.0.1 with proto POP3 port {MAIN.port} '
                    f'timeout 30\n  user "{address}" there with password "{password}" is "root" '
                    f'here\n  options sslproto "tls1.2+" sslcertck sslcertfile "{ENV.cert}" '
                    f'sslcommonname "localhost" fetchall nokeep\n'
                    f'  mda "python3 {mda} {out}"\n')
        os.chmod(rc, 0o600)
        r = subprocess.run(["fetchmail", "-f", rc, "--nosyslog", "--invisible",
                            "-i", os.path.join(work, "ids")],
                           env={**os.environ, "HOME": work}, capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        got = sorted(os.listdir(out))
        self.assertEqual(len(got), len(sent))
        for name, m in zip(got, sent):
            with open(os.path.join(out, name), "rb") as f:
                # fetchmail hands the MDA the message in the local line-ending convention (LF).
                self.assertEqual(f.read(), m.replace(b"\r\n", b"\n"), name)
        self.assertEqual(count(MAIN.port, address, password), 0)

    def test_getmail_with_delete(self):
        sent = messages("getmail")
        address, password = new_user("getmail", sent)
        work = os.path.join(ENV.dir, "getmail-" + secrets.token_hex(3))
        maildir = os.path.join(work, "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(maildir, sub))
        os.chmod(work, 0o755)
        shutil.chown(maildir, "nobody")
        for sub in ("cur", "new", "tmp"):
            shutil.chown(os.path.join(maildir, sub), "nobody")
        rc = os.path.join(work, "getmailrc")
        with open(rc, "w") as f:
            f.write(f"[retriever]\ntype = SimplePOP3SSLRetriever\nserver = 127.0.0.1\n"
                    f"port = {MAIN.tls_port}\nusername = {address}\npassword = {password}\n"
                    f"ca_certs = {ENV.cert}\n\n[destination]\ntype = Maildir\n"
                    f"path = {maildir}/\nuser = nobody\n\n[options]\nread_all = true\n"
                    f"delete = true\ndelivered_to = false\nreceived = false\n"
                    f"message_log_syslog = false\n")
        r = subprocess.run(["getmail", f"--rcfile={rc}", f"--getmaildir={work}"],
                           capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout.decode() + r.stderr.decode())
        got = []
        for name in os.listdir(os.path.join(maildir, "new")):
            with open(os.path.join(maildir, "new", name), "rb") as f:
                data = f.read()
            # getmail prepends the envelope sender it knows (none from POP3) as Return-Path.
            self.assertTrue(data.startswith(b"Return-Path: <unknown>\n"), data[:80])
            got.append(data[len(b"Return-Path: <unknown>\n"):])
        self.assertEqual(sorted(got), sorted(m.replace(b"\r\n", b"\n") for m in sent))
        self.assertEqual(count(MAIN.port, address, password), 0)

    def test_stored_bare_lf_goes_out_as_crlf(self):
        address, password = new_user("barelf", [b"Subject: lf\n\nline\n.dot\nlast"])
        c = Conversation(MAIN.port)
        c.cmd(f"USER {address}")
        self.assertTrue(c.cmd(f"PASS {password}").startswith("+OK"))
        self.assertTrue(c.cmd("RETR 1").startswith("+OK"))
        self.assertEqual(c.multi(), [b"Subject: lf\r\n", b"\r\n", b"line\r\n", b"..dot\r\n",
                                     b"last\r\n"])
        c.cmd("QUIT")

    def test_bad_commands_and_wrong_state(self):
        address, password = new_user("bad", messages("bad")[:1])
        c = Conversation(MAIN.port)
        self.assertEqual(c.cmd("STAT"), "-ERR STAT is not valid in this state")
        self.assertEqual(c.cmd("RETR 1"), "-ERR RETR is not valid in this state")
        self.assertEqual(c.cmd("PASS x"), "-ERR USER first")
        self.assertEqual(c.cmd("FROB"), "-ERR unknown command")
        self.assertEqual(c.cmd("USER"), "-ERR syntax error: USER: missing argument")
        self.assertEqual(c.cmd("NOOP " + "x" * 9000), "-ERR line too long")
        self.assertEqual(c.cmd(f"USER {address}"), "+OK send PASS")
        self.assertTrue(c.cmd(f"PASS {password}").startswith("+OK maildrop has 1 messages"))
        self.assertEqual(c.cmd(f"USER {address}"), "-ERR USER is not valid in this state")
        self.assertEqual(c.cmd("STLS"), "-ERR STLS is not valid in this state")
        self.assertEqual(c.cmd("RETR"), "-ERR syntax error: RETR: missing argument")
        self.assertEqual(c.cmd("RETR one"), "-ERR syntax error: bad message number")
        self.assertEqual(c.cmd("RETR 0"), "-ERR no such message")
        self.assertEqual(c.cmd("RETR 2"), "-ERR no such message")
        self.assertEqual(c.cmd("TOP 1"), "-ERR syntax error: TOP: missing argument")
        self.assertEqual(c.cmd("TOP 1 -1"), "-ERR syntax error: bad line count")
        self.assertEqual(c.cmd("LIST 1 2"), "-ERR syntax error: LIST: too many arguments")
        self.assertEqual(c.cmd("DELE 1"), "+OK message 1 deleted")
        self.assertEqual(c.cmd("DELE 1"), "-ERR message 1 already deleted")
        self.assertEqual(c.cmd("RETR 1"), "-ERR message 1 already deleted")
        self.assertEqual(c.cmd("RSET"), "+OK maildrop has 1 messages (%d octets)"
                         % len(messages("bad")[0]))
        self.assertEqual(c.cmd("QUIT"), "+OK bye")
        self.assertEqual(count(MAIN.port, address, password), 1)

    def test_dele_then_rset_keeps_everything(self):
        address, password = new_user("rset", messages("rset"))
        p = poplib.POP3("127.0.0.1", MAIN.port, timeout=30)
        p.user(address)
        p.pass_(password)
        p.dele(1)
        p.dele(3)
        self.assertEqual(p.stat()[0], 2)
        p.rset()
        self.assertEqual(p.stat()[0], 4)
        p.quit()
        self.assertEqual(count(MAIN.port, address, password), 4)

    def test_dropped_connection_before_quit_deletes_nothing(self):
        address, password = new_user("drop", messages("drop"))
        c = Conversation(MAIN.port)
        c.cmd(f"USER {address}")
        c.cmd(f"PASS {password}")
        for n in range(1, 5):
            self.assertTrue(c.cmd(f"DELE {n}").startswith("+OK"))
        c.sock.shutdown(socket.SHUT_RDWR)
        c.close()
        # The server notices the close and gives the lock back; nothing was deleted.
        deadline = time.time() + 10
        while True:
            try:
                self.assertEqual(count(MAIN.port, address, password), 4)
                break
            except poplib.error_proto as e:
                if b"IN-USE" not in e.args[0] or time.time() > deadline:
                    raise
                time.sleep(0.1)

    def test_one_user_on_two_pop3d_processes(self):
        address, password = new_user("lock", messages("lock")[:1])
        a = Conversation(MAIN.port)
        a.cmd(f"USER {address}")
        self.assertTrue(a.cmd(f"PASS {password}").startswith("+OK"))
        b = Conversation(SECOND.port)
        b.cmd(f"USER {address}")
        self.assertEqual(b.cmd(f"PASS {password}"),
                         "-ERR [IN-USE] maildrop is locked by another session")
        self.assertEqual(a.cmd("QUIT"), "+OK bye")
        b.cmd(f"USER {address}")
        self.assertTrue(b.cmd(f"PASS {password}").startswith("+OK maildrop has 1 messages"))
        b.cmd("QUIT")

    def test_lock_of_a_killed_pop3d_expires(self):
        address, password = new_user("crash", messages("crash")[:1])
        crashy = ENV.pop3d("crashy", "--pop3_lease_ttl_seconds=3")
        a = Conversation(crashy.port)
        a.cmd(f"USER {address}")
        self.assertTrue(a.cmd(f"PASS {password}").startswith("+OK"))
        crashy.stop(signal.SIGKILL)
        a.close()
        b = Conversation(MAIN.port)
        b.cmd(f"USER {address}")
        self.assertEqual(b.cmd(f"PASS {password}"),
                         "-ERR [IN-USE] maildrop is locked by another session")
        b.close()
        deadline = time.time() + 15
        while time.time() < deadline:
            time.sleep(0.5)
            c = Conversation(MAIN.port)
            c.cmd(f"USER {address}")
            reply = c.cmd(f"PASS {password}")
            c.cmd("QUIT")
            c.close()
            if reply.startswith("+OK"):
                return
        self.fail("the dead session's lock never expired")

    def test_wrong_passwords_then_throttled(self):
        address, password = new_user("throttle")
        replies = []
        for attempt in range(3):
            c = Conversation(MAIN.port)
            c.cmd(f"USER {address}")
            replies.append(c.cmd(f"PASS wrong{attempt}"))
            c.close()
        self.assertEqual(replies, ["-ERR [AUTH] invalid user name or password"] * 3)
        # The user's failures are used up: even the right password is refused for now.
        c = Conversation(MAIN.port)
        c.cmd(f"USER {address}")
        self.assertEqual(c.cmd(f"PASS {password}"),
                         "-ERR [SYS/TEMP] too many failed logins, try again later")
        c.close()

    def test_session_closed_after_three_failures(self):
        address, _ = new_user("threefail")
        c = Conversation(SECOND.port)
        for attempt in range(3):
            c.cmd(f"USER {address}")
            self.assertTrue(c.cmd(f"PASS bad{attempt}").startswith("-ERR [AUTH]"))
        self.assertEqual(c.file.readline(), b"")  # closed by the server

    def test_auth_plain_and_login(self):
        import base64
        address, password = new_user("sasl", messages("sasl")[:1])
        plain = base64.b64encode(b"\0" + address.encode() + b"\0" + password.encode()).decode()
        c = Conversation(MAIN.port)
        self.assertTrue(c.cmd(f"AUTH PLAIN {plain}").startswith("+OK maildrop has 1"))
        c.cmd("QUIT")
        c = Conversation(MAIN.port)
        self.assertEqual(c.cmd("AUTH LOGIN"), "+ VXNlcm5hbWU6")
        self.assertEqual(c.cmd(base64.b64encode(address.encode()).decode()), "+ UGFzc3dvcmQ6")
        self.assertTrue(c.cmd(base64.b64encode(password.encode()).decode()).startswith("+OK"))
        c.cmd("QUIT")

    def test_utf8_and_pipelining(self):
        address, password = new_user("pipe", messages("pipe")[:2])
        c = Conversation(MAIN.port)
        c.send(f"UTF8\r\nUSER {address}\r\nPASS {password}\r\nSTAT\r\nLIST\r\nNOOP\r\nQUIT\r\n")
        self.assertEqual(c.line(), "+OK UTF8 enabled")
        self.assertEqual(c.line(), "+OK send PASS")
        self.assertTrue(c.line().startswith("+OK maildrop has 2 messages"))
        self.assertTrue(c.line().startswith("+OK 2 "))
        self.assertTrue(c.line().startswith("+OK 2 messages"))
        self.assertEqual(len(c.multi()), 2)
        self.assertEqual(c.line(), "+OK")
        self.assertEqual(c.line(), "+OK bye")

    def test_stls_discards_pipelined_plaintext(self):
        c = Conversation(MAIN.port)
        c.send("STLS\r\nUSER injected@example.test\r\n")
        self.assertEqual(c.line(), "+OK begin TLS negotiation")
        tls = tls_context().wrap_socket(c.sock, server_hostname="localhost")
        f = tls.makefile("rb")
        tls.sendall(b"PASS whatever\r\n")
        # Had the plaintext USER survived, this PASS would be tried; it must need USER first.
        self.assertEqual(f.readline(), b"-ERR USER first\r\n")
        tls.sendall(b"QUIT\r\n")
        self.assertEqual(f.readline(), b"+OK bye\r\n")
        tls.close()

    def test_connections_per_ip(self):
        limited = ENV.pop3d("limited", "--max_connections_per_ip=2")
        def admitted():
            # The readiness probes of Env.pop3d() may still count for a moment: retry.
            deadline = time.time() + 10
            while True:
                conv = Conversation(limited.port)
                if conv.greeting.startswith("+OK") or time.time() > deadline:
                    return conv
                conv.close()
                time.sleep(0.1)
        a, b = admitted(), admitted()
        self.assertTrue(a.greeting.startswith("+OK"), a.greeting)
        self.assertTrue(b.greeting.startswith("+OK"), b.greeting)
        c = Conversation(limited.port)
        self.assertEqual(c.greeting, "-ERR [SYS/TEMP] too many connections from your address")
        for x in (a, b, c):
            x.close()
        limited.stop()

    def test_sigterm_drains(self):
        address, password = new_user("drain", messages("drain")[:2])
        d = ENV.pop3d("drain")
        c = Conversation(d.port)
        c.cmd(f"USER {address}")
        c.cmd(f"PASS {password}")
        self.assertTrue(c.cmd("DELE 1").startswith("+OK"))
        d.proc.send_signal(signal.SIGTERM)
        self.assertEqual(c.line(), "-ERR [SYS/TEMP] server shutting down, try again later")
        self.assertEqual(d.proc.wait(20), 0)
        self.assertEqual(count(MAIN.port, address, password), 2)  # no UPDATE without QUIT

    def test_metrics(self):
        count(MAIN.port, *new_user("metrics"))
        body = urllib.request.urlopen(f"http://127.0.0.1:{MAIN.metrics_port}/metrics",
                                      timeout=10).read().decode()
        self.assertIn('mailroom_pop3_logins_total{result="ok"}', body)
        self.assertIn('mailroom_pop3_commands_total{verb="STAT"}', body)


if __name__ == "__main__":
    BIN_DIR = sys.argv[1]
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
