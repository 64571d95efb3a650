"""mailroom-imapd with real processes, a real store on PostgreSQL and real clients (python
imaplib, curl, scripted sockets): plain + STARTTLS + implicit TLS, mailbox and message
commands, IDLE seeing deliveries through mailroom-smtpd and changes made through a second
imapd. Label: integration."""
import email
import imaplib
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "py"))
from mailroom_harness import Cluster, free_port  # noqa: E402

PASSWORD = "imap-secret-1"
MESSAGE = (b"From: Ann <ann@example.test>\r\nTo: Bob <bob@example.test>\r\n"
           b"Subject: hello imap\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n"
           b"Message-ID: <m1@example.test>\r\n\r\nFirst line\r\nSecond line\r\n")
MULTIPART = (b"From: ann@example.test\r\nTo: bob@example.test\r\nSubject: parts\r\n"
             b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
             b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody text\r\n"
             b"--XX\r\nContent-Type: application/octet-stream\r\n"
             b"Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--XX--\r\n")


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Raw:
    """A scripted IMAP client over a socket: exact lines in and out."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def line(self, timeout=10):
        self.sock.settimeout(timeout)
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed; buffered %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode(errors="replace")

    def until_tagged(self, tag):
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if line.startswith(tag + " "):
                return lines

    def cmd(self, tag, text):
        self.send("%s %s\r\n" % (tag, text))
        return self.until_tagged(tag)

    def close(self):
        self.sock.close()


class ImapTest(unittest.TestCase):
    users = 0

    @classmethod
    def setUpClass(cls):
        cls.c = Cluster("imap")
        cls.mx = free_port()
        cls.c.start("smtp", "mailroom-smtpd", cls.c.frontend_args() + [
            "--mx_listen=127.0.0.1:%d" % cls.mx, "--submission_listen=",
            "--submissions_listen="], ports=[cls.mx])
        cls.imap, cls.imaps = free_port(), free_port()
        cls.c.start("imap", "mailroom-imapd", cls.c.frontend_args() + [
            "--imap_listen=127.0.0.1:%d" % cls.imap, "--imaps_listen=127.0.0.1:%d" % cls.imaps,
            "--append_limit=100000"], ports=[cls.imap, cls.imaps])
        cls.imap2 = free_port()
        cls.c.start("imap2", "mailroom-imapd", cls.c.frontend_args() + [
            "--imap_listen=127.0.0.1:%d" % cls.imap2, "--imaps_listen="], ports=[cls.imap2])
        cls.strict = free_port()
        cls.c.start("imap-strict", "mailroom-imapd", cls.c.frontend_args() + [
            "--imap_listen=127.0.0.1:%d" % cls.strict, "--imaps_listen=",
            "--plaintext_auth_on_loopback=false"], ports=[cls.strict])

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()

    def new_user(self):
        ImapTest.users += 1
        address = "u%d@example.test" % ImapTest.users
        self.c.add_user(address, PASSWORD)
        return address

    def login(self, port=None):
        user = self.new_user()
        m = imaplib.IMAP4("127.0.0.1", port or self.imap)
        m.login(user, PASSWORD)
        return m, user

    def deliver(self, rcpt, body=MESSAGE):
        with smtplib.SMTP("127.0.0.1", self.mx, timeout=10) as s:
            s.sendmail("sender@elsewhere.test", [rcpt], body)

    # --- sessions and authentication ------------------------------------------------------

    def test_greeting_capability_and_logout(self):
        r = Raw(self.imap)
        greeting = r.line()
        self.assertRegex(greeting, r"^\* OK \[CAPABILITY IMAP4rev1 .*STARTTLS.*AUTH=PLAIN")
        lines = r.cmd("a1", "CAPABILITY")
        self.assertTrue(lines[0].startswith("* CAPABILITY IMAP4rev1"))
        self.assertEqual(lines[-1], "a1 OK CAPABILITY completed")
        self.assertEqual(r.cmd("a2", "NOOP"), ["a2 OK NOOP completed"])
        self.assertEqual(r.cmd("a3", "LOGOUT"), ["* BYE Logging out", "a3 OK LOGOUT completed"])
        r.close()

    def test_wrong_state_and_bad_syntax(self):
        r = Raw(self.imap)
        r.line()
        self.assertEqual(r.cmd("b1", "SELECT INBOX"), ["b1 BAD Log in first"])
        self.assertEqual(r.cmd("b2", "FROBNICATE"), ["b2 BAD Unknown command"])
        self.assertTrue(r.cmd("b3", "LOGIN onlyone")[-1].startswith("b3 BAD"))
        user = self.new_user()
        self.assertTrue(r.cmd("b4", "LOGIN %s %s" % (user, PASSWORD))[-1].startswith("b4 OK"))
        self.assertEqual(r.cmd("b5", "FETCH 1 FLAGS"), ["b5 BAD No mailbox selected"])
        self.assertEqual(r.cmd("b6", "LOGIN a b"), ["b6 BAD Command not valid in this state"])
        self.assertEqual(r.cmd("b7", "SELECT Nope")[-1], "b7 NO [NONEXISTENT] SELECT: no such mailbox")
        r.cmd("b8", "SELECT INBOX")
        self.assertEqual(r.cmd("b9", "FETCH 1 FLAGS"), ["b9 BAD Invalid message sequence number"])
        self.assertEqual(r.cmd("b10", "COPY 1:* Nowhere"), ["b10 BAD Invalid message sequence number"])
        r.close()

    def test_bad_password_and_literals(self):
        r = Raw(self.imap)
        r.line()
        user = self.new_user()
        self.assertEqual(r.cmd("c1", "LOGIN %s wrong-password" % user),
                         ["c1 NO [AUTHENTICATIONFAILED] Authentication failed"])
        # A synchronizing literal gets a continuation request; LITERAL+ does not.
        r.send("c2 LOGIN {%d}\r\n" % len(user))
        self.assertEqual(r.line(), "+ go ahead")
        r.send("%s {%d+}\r\n%s\r\n" % (user, len(PASSWORD), PASSWORD))
        self.assertTrue(r.until_tagged("c2")[-1].startswith("c2 OK [CAPABILITY IMAP4rev1"))
        r.close()

    def test_authenticate_plain_with_sasl_ir_and_login(self):
        user = self.new_user()
        m = imaplib.IMAP4("127.0.0.1", self.imap)
        typ, _ = m.authenticate("PLAIN", lambda _: ("\0%s\0%s" % (user, PASSWORD)).encode())
        self.assertEqual(typ, "OK")
        m.logout()
        r = Raw(self.imap)
        r.line()
        import base64
        ir = base64.b64encode(("\0%s\0%s" % (user, PASSWORD)).encode()).decode()
        self.assertTrue(r.cmd("d1", "AUTHENTICATE PLAIN " + ir)[-1].startswith("d1 OK"))
        r.close()
        r = Raw(self.imap)
        r.line()
        r.send("d2 AUTHENTICATE LOGIN\r\n")
        self.assertEqual(r.line(), "+ VXNlcm5hbWU6")
        r.send(base64.b64encode(user.encode()) + b"\r\n")
        self.assertEqual(r.line(), "+ UGFzc3dvcmQ6")
        r.send(base64.b64encode(PASSWORD.encode()) + b"\r\n")
        self.assertTrue(r.until_tagged("d2")[-1].startswith("d2 OK"))
        r.close()

    def test_logindisabled_before_tls_then_starttls(self):
        r = Raw(self.strict)
        greeting = r.line()
        self.assertIn("LOGINDISABLED", greeting)
        self.assertNotIn("AUTH=PLAIN", greeting)
        user = self.new_user()
        self.assertEqual(r.cmd("e1", "LOGIN %s %s" % (user, PASSWORD))[-1],
                         "e1 NO [PRIVACYREQUIRED] Plaintext login is disabled; use STARTTLS first")
        r.close()
        m = imaplib.IMAP4("127.0.0.1", self.strict)
        m.starttls(ssl_context=tls_context())
        self.assertEqual(m.login(user, PASSWORD)[0], "OK")
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.logout()

    def test_implicit_tls(self):
        user = self.new_user()
        m = imaplib.IMAP4_SSL("127.0.0.1", self.imaps, ssl_context=tls_context())
        self.assertEqual(m.login(user, PASSWORD)[0], "OK")
        self.assertEqual(m.select("INBOX")[0], "OK")
        m.logout()

    def test_starttls_discards_pipelined_plaintext(self):
        s = socket.create_connection(("127.0.0.1", self.imap), timeout=10)
        s.recv(4096)
        s.sendall(b"t1 STARTTLS\r\nt2 LOGOUT\r\n")
        data = b""
        while b"t1 OK" not in data:
            data += s.recv(4096)
        self.assertNotIn(b"t2", data)
        tls = tls_context().wrap_socket(s, server_hostname="localhost")
        tls.sendall(b"t3 NOOP\r\n")
        got = b""
        while b"t3 " not in got:
            got += tls.recv(4096)
        self.assertIn(b"t3 OK", got)
        self.assertNotIn(b"t2", got)
        tls.close()

    # --- mailboxes ------------------------------------------------------------------------

    def test_mailbox_commands(self):
        m, _ = self.login()
        self.assertEqual(m.create("Work/Projects")[0], "OK")
        typ, data = m.create("Work")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[ALREADYEXISTS]", data[0])
        typ, data = m.list()
        listing = b"\n".join(data)
        self.assertIn(b'(\\HasChildren) "/" "Work"', listing)
        self.assertIn(b'(\\HasNoChildren) "/" "Work/Projects"', listing)
        self.assertIn(b'(\\HasNoChildren \\Sent) "/" "Sent"', listing)
        self.assertIn(b'"/" "INBOX"', listing)
        typ, data = m.list('""', "%")
        self.assertNotIn(b"Projects", b"\n".join(data))
        self.assertEqual(m.rename("Work/Projects", "Work/Done")[0], "OK")
        typ, data = m.delete("Nope")
        self.assertIn(b"[NONEXISTENT]", data[0])
        self.assertEqual(m.subscribe("Work")[0], "OK")
        typ, data = m.lsub()
        self.assertIn(b'() "/" "Work"', data)
        self.assertNotIn(b'() "/" "Work/Done"', data)
        typ, data = m.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN SIZE)")
        self.assertRegex(data[0], rb'^"?INBOX"? \(MESSAGES 0 UIDNEXT 1 UIDVALIDITY \d+ UNSEEN 0 SIZE 0\)$')
        r = m._simple_command("CREATE", "Outbox", "(USE (\\Flagged))")
        self.assertEqual(r[0], "OK")
        typ, data = m._simple_command("LIST", '(SPECIAL-USE)', '""', '"*"')
        self.assertIn(b'(\\HasNoChildren \\Flagged) "/" "Outbox"', m.untagged_responses.pop("LIST"))
        typ, data = m._simple_command("LIST", '""', '"Work*"', "RETURN", "(STATUS (MESSAGES))")
        self.assertEqual(typ, "OK")
        self.assertIn(b'"Work" (MESSAGES 0)', b" ".join(m.untagged_responses.pop("STATUS")))
        m.logout()

    def test_list_delimiter_and_namespace(self):
        m, _ = self.login()
        typ, data = m.list('""', '""')
        self.assertEqual(data, [b'(\\Noselect) "/" ""'])
        typ, data = m.namespace()
        self.assertEqual(data, [b'(("" "/")) NIL NIL'])
        m.logout()

    # --- messages -------------------------------------------------------------------------

    def test_append_fetch_bodies_and_structure(self):
        m, user = self.login()
        typ, data = m.append("INBOX", "(\\Flagged)", None, MESSAGE)
        self.assertEqual(typ, "OK")
        self.assertRegex(data[0], rb"^\[APPENDUID \d+ 1\] APPEND completed$")
        m.append("INBOX", None, None, MULTIPART)
        typ, data = m.select("INBOX")
        self.assertEqual(data, [b"2"])
        typ, data = m.fetch("1", "(FLAGS RFC822.SIZE BODY.PEEK[])")
        self.assertIn(b"FLAGS (\\Flagged)", data[0][0])
        self.assertIn(b"RFC822.SIZE %d" % len(MESSAGE), data[0][0])
        self.assertEqual(data[0][1], MESSAGE)
        typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (Subject)])")
        self.assertEqual(data[0][1], b"Subject: hello imap\r\n\r\n")
        typ, data = m.fetch("1", "(BODY[TEXT]<6.6>)")
        self.assertIn(b"BODY[TEXT]<6>", data[0][0])
        self.assertEqual(data[0][1], b"line\r\n")
        # Fetching BODY[...] without PEEK set \Seen (RFC 9051 §6.4.5).
        typ, data = m.fetch("1", "(FLAGS)")
        self.assertIn(b"\\Seen", data[0])
        typ, data = m.fetch("1", "(ENVELOPE)")
        self.assertIn(b'"hello imap"', data[0])
        self.assertIn(b'(("Ann" NIL "ann" "example.test"))', data[0])
        typ, data = m.fetch("2", "(BODYSTRUCTURE)")
        self.assertRegex(data[0], rb'BODYSTRUCTURE \(\("TEXT" "PLAIN" \("charset" "utf-8"\)')
        self.assertIn(b'"MIXED"', data[0])
        typ, data = m.fetch("2", "(BODY.PEEK[1] BINARY.PEEK[2] BINARY.SIZE[2])")
        flat = b"".join(x if isinstance(x, bytes) else b"".join(x) for x in data)
        self.assertIn(b"body text", flat)
        self.assertIn(b"BINARY.SIZE[2] 4", flat)
        self.assertIn(b"\x00\x01\x02\x03", flat)
        typ, data = m.uid("FETCH", "1:*", "(UID FLAGS)")
        self.assertEqual(len(data), 2)
        m.logout()

    def test_fetch_small_and_large_bodies_alike(self):
        # Small messages come with the FETCH's one store call, large ones (past 256 KiB) are
        # read one by one: the answers must not differ in anything but the bytes. (imap2 has
        # the default APPENDLIMIT.)
        m, _ = self.login(self.imap2)
        big = MESSAGE.replace(b"\r\n\r\n", b"\r\nX-Big: yes\r\n\r\n") + b"0123456789" * 40000
        for raw in (MESSAGE, big, MESSAGE):
            self.assertEqual(m.append("INBOX", None, None, raw)[0], "OK")
        m.select("INBOX")
        items = ("(UID BODY.PEEK[] RFC822.HEADER BODY.PEEK[TEXT]<5.20> "
                 "BODY.PEEK[HEADER.FIELDS (Subject X-Big)] BODY.PEEK[]<100000.7>)")
        typ, data = m.fetch("1:3", items)
        self.assertEqual(typ, "OK")
        parts = [x for x in data if isinstance(x, tuple)]
        self.assertEqual(len(parts), 15)
        for i, raw in enumerate((MESSAGE, big, MESSAGE)):
            header, text = raw.split(b"\r\n\r\n", 1)
            header += b"\r\n\r\n"
            got = [p[1] for p in parts[i * 5:i * 5 + 5]]
            self.assertEqual(got[0], raw)
            self.assertEqual(got[1], header)
            self.assertEqual(got[2], text[5:25])
            fields = b"Subject: hello imap\r\n" + (b"X-Big: yes\r\n" if raw is big else b"")
            self.assertEqual(got[3], fields + b"\r\n")
            self.assertEqual(got[4], raw[100000:100007])
            self.assertIn(b"BODY[]<100000>", parts[i * 5 + 4][0])
        m.logout()

    def test_append_to_missing_mailbox_and_limit(self):
        m, _ = self.login()
        typ, data = m.append("Missing", None, None, MESSAGE)
        self.assertEqual(typ, "NO")
        self.assertIn(b"[TRYCREATE]", data[0])
        r = Raw(self.imap)
        r.line()
        user = self.new_user()
        r.cmd("f1", "LOGIN %s %s" % (user, PASSWORD))
        self.assertEqual(r.cmd("f2", "APPEND INBOX {200000}"),
                         ["f2 NO [TOOBIG] Message exceeds APPENDLIMIT"])
        # Two messages in one APPEND (RFC 3502): one uid-set (RFC 4315 §3).
        r.send("f3 APPEND INBOX {%d+}\r\n" % len(MESSAGE) + MESSAGE.decode() +
               " (\\Seen) {%d+}\r\n" % len(MESSAGE) + MESSAGE.decode() + "\r\n")
        self.assertRegex(r.until_tagged("f3")[-1], r"^f3 OK \[APPENDUID \d+ 1:2\]")
        r.close()
        m.logout()

    # --- MULTIAPPEND (RFC 3502): all messages of one APPEND, or none ------------------------

    def raw_login(self, user=None, quota=None):
        if user is None:
            ImapTest.users += 1
            user = "u%d@example.test" % ImapTest.users
            self.c.add_user(user, PASSWORD, quota=quota)
        r = Raw(self.imap)
        r.line()
        self.assertTrue(r.cmd("l1", "LOGIN %s %s" % (user, PASSWORD))[-1].startswith("l1 OK"))
        return r, user

    @staticmethod
    def numbered(i, size=0):
        body = b"message %d\r\n" % i + b"x" * size
        return MESSAGE.replace(b"hello imap", b"part %d" % i).replace(
            b"Second line\r\n", b"Second line\r\n" + body)

    def status(self, r, tag):
        lines = r.cmd(tag, "STATUS INBOX (MESSAGES UIDNEXT)")
        self.assertTrue(lines[-1].startswith(tag + " OK"), lines)
        match = re.search(r"MESSAGES (\d+) UIDNEXT (\d+)", lines[0])
        return int(match.group(1)), int(match.group(2))

    def test_multiappend_three_messages_in_one_command(self):
        r, user = self.raw_login()
        self.assertIn("MULTIAPPEND", r.cmd("c1", "CAPABILITY")[0].split())
        msgs = [self.numbered(i) for i in (1, 2, 3)]
        # LITERAL+ for the first two, a synchronizing literal for the third.
        r.send(b"m1 APPEND INBOX (\\Seen) {%d+}\r\n" % len(msgs[0]) + msgs[0] +
               b" {%d+}\r\n" % len(msgs[1]) + msgs[1] +
               b' (\\Flagged) "05-Feb-2026 10:00:00 +0000" {%d}\r\n' % len(msgs[2]))
        self.assertEqual(r.line(), "+ go ahead")
        r.send(msgs[2] + b"\r\n")
        tagged = r.until_tagged("m1")[-1]
        match = re.match(r"^m1 OK \[APPENDUID (\d+) 1:3\] APPEND completed$", tagged)
        self.assertTrue(match, tagged)
        self.assertEqual(self.c.messages(user), msgs)
        m = imaplib.IMAP4("127.0.0.1", self.imap)
        m.login(user, PASSWORD)
        typ, data = m.select("INBOX")
        self.assertEqual(data, [b"3"])
        self.assertEqual(m.response("UIDVALIDITY")[1], [match.group(1).encode()])
        typ, data = m.uid("FETCH", "1:3", "(FLAGS INTERNALDATE)")
        self.assertIn(b"FLAGS (\\Seen)", data[0])
        self.assertIn(b"FLAGS ()", data[1])
        self.assertIn(b"FLAGS (\\Flagged)", data[2])
        self.assertIn(b'INTERNALDATE "05-Feb-2026 10:00:00 +0000"', data[2])
        m.logout()
        r.close()

    def test_multiappend_over_quota_or_appendlimit_stores_nothing(self):
        first = self.numbered(0)
        big = [self.numbered(i, 3000) for i in (1, 2, 3)]
        # Room for the first message and two of the three big ones.
        r, user = self.raw_login(quota=len(first) + 2 * len(big[0]) + 100)
        self.assertTrue(r.cmd("q0", "APPEND INBOX {%d+}\r\n%s" % (
            len(first), first.decode()))[-1].startswith("q0 OK [APPENDUID"))
        before = self.status(r, "s1")
        self.assertEqual(before, (1, 2))
        # The third message exceeds the quota: none of the three is stored.
        r.send(b"q1 APPEND INBOX" + b"".join(b" {%d+}\r\n" % len(b) + b for b in big) + b"\r\n")
        self.assertEqual(r.until_tagged("q1")[-1],
                         "q1 NO [OVERQUOTA] APPEND: quota or size limit exceeded")
        self.assertEqual(self.status(r, "s2"), before)
        self.assertEqual(self.c.messages(user), [first])
        # The third message exceeds APPENDLIMIT (100000 here): refused before its literal is
        # sent (no continuation request), and the first two are not stored either.
        r.send(b"q2 APPEND INBOX {%d+}\r\n" % len(big[0]) + big[0] +
               b" {%d+}\r\n" % len(big[1]) + big[1] + b" {200000}\r\n")
        self.assertEqual(r.line(), "q2 NO [TOOBIG] Message exceeds APPENDLIMIT")
        self.assertEqual(self.status(r, "s3"), before)
        self.assertEqual(self.c.messages(user), [first])
        # Two of them fit: APPENDUID gives the next consecutive UIDs.
        r.send(b"q3 APPEND INBOX {%d+}\r\n" % len(big[0]) + big[0] +
               b" {%d+}\r\n" % len(big[1]) + big[1] + b"\r\n")
        self.assertRegex(r.until_tagged("q3")[-1], r"^q3 OK \[APPENDUID \d+ 2:3\]")
        self.assertEqual(self.c.messages(user), [first, big[0], big[1]])
        r.close()

    def test_multiappend_client_gone_during_second_literal_stores_nothing(self):
        r, user = self.raw_login()
        msgs = [self.numbered(i, 20000) for i in (1, 2)]
        r.send(b"d1 APPEND INBOX {%d+}\r\n" % len(msgs[0]) + msgs[0] +
               b" {%d+}\r\n" % len(msgs[1]) + msgs[1][:len(msgs[1]) // 2])
        time.sleep(0.5)  # the first message reached the store, the second is half way
        r.close()
        r, _ = self.raw_login(user)
        deadline = time.time() + 2
        while time.time() < deadline:  # nothing may show up later either
            self.assertEqual(self.status(r, "s1"), (0, 1))
            time.sleep(0.2)
        self.assertEqual(self.c.messages(user), [])
        r.close()

    def test_store_search_copy_move_expunge(self):
        m, user = self.login()
        for i in range(5):
            m.append("INBOX", None, None, MESSAGE.replace(b"hello imap", b"msg %d" % i))
        m.select("INBOX")
        typ, data = m.store("2:3", "+FLAGS", "(\\Deleted $Work)")
        self.assertEqual(typ, "OK")
        self.assertEqual(len(data), 2)
        self.assertIn(b"\\Deleted", data[0])
        self.assertEqual(m.search(None, "DELETED"), ("OK", [b"2 3"]))
        self.assertEqual(m.search(None, "KEYWORD", "$Work", "NOT", "UID", "3"), ("OK", [b"2"]))
        self.assertEqual(m.search(None, "SUBJECT", '"msg 4"'), ("OK", [b"5"]))
        self.assertEqual(m.search(None, "OR", "1", "5"), ("OK", [b"1 5"]))
        self.assertEqual(m.uid("SEARCH", "ALL"), ("OK", [b"1 2 3 4 5"]))
        typ, data = m._simple_command("SEARCH", "RETURN", "(MIN MAX COUNT ALL)", "UNDELETED")
        self.assertEqual(typ, "OK")
        self.assertIn(b"MIN 1 MAX 5 ALL 1,4:5 COUNT 3", m.untagged_responses.pop("ESEARCH")[0])
        typ, data = m._simple_command("SEARCH", "RETURN", "(SAVE)", "DELETED")
        typ, data = m.fetch("$", "(UID)")
        self.assertEqual(len(data), 2)
        typ, data = m.copy("1", "Archive")
        self.assertRegex(data[0], rb"^\[COPYUID \d+ 1 1\]")
        typ, data = m.copy("1", "NoSuch")
        self.assertIn(b"[TRYCREATE]", data[0])
        typ, data = m._simple_command("MOVE", "5", "Archive")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.pop("EXPUNGE"), [b"5"])
        typ, data = m.expunge()
        self.assertEqual(data, [b"3", b"2"])
        self.assertEqual(m.search(None, "ALL"), ("OK", [b"1 2"]))
        typ, data = m.status("Archive", "(MESSAGES)")
        self.assertIn(b"MESSAGES 2", data[0])
        m.close()
        m.logout()

    def test_examine_is_read_only(self):
        m, _ = self.login()
        m.append("INBOX", None, None, MESSAGE)
        typ, data = m.select("INBOX", readonly=True)
        self.assertEqual(typ, "OK")
        typ, data = m.store("1", "+FLAGS", "(\\Seen)")
        self.assertEqual(typ, "NO")
        m.fetch("1", "(BODY[])")
        typ, data = m.fetch("1", "(FLAGS)")
        self.assertNotIn(b"\\Seen", data[0])
        m.logout()

    def test_enable_imap4rev2(self):
        r = Raw(self.imap)
        r.line()
        user = self.new_user()
        r.cmd("g1", "LOGIN %s %s" % (user, PASSWORD))
        self.assertEqual(r.cmd("g2", "ENABLE IMAP4rev2 CONDSTORE"),
                         ["* ENABLED IMAP4rev2", "g2 OK ENABLE completed"])
        self.assertTrue(r.cmd("g3", "CREATE \"Caf\u00e9\"")[-1].startswith("g3 OK"))
        lines = r.cmd("g4", "SELECT INBOX")
        self.assertNotIn("* 0 RECENT", lines)
        self.assertIn('* LIST () "/" "INBOX"', lines)
        self.assertEqual(r.cmd("g5", "SEARCH ALL"), ['* ESEARCH (TAG "g5")', "g5 OK SEARCH completed"])
        self.assertIn('* LIST (\\HasNoChildren) "/" "Caf\u00e9"', r.cmd("g6", 'LIST "" Caf*'))
        r.close()

    # --- IDLE and other sessions' changes -------------------------------------------------

    def idle_session(self, port, user):
        r = Raw(port)
        r.line()
        r.cmd("i1", "LOGIN %s %s" % (user, PASSWORD))
        r.cmd("i2", "SELECT INBOX")
        r.send("i3 IDLE\r\n")
        self.assertEqual(r.line(), "+ idling")
        return r

    def wait_for(self, r, pattern, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            line = r.line(timeout=max(0.1, deadline - time.time()))
            if re.search(pattern, line):
                return line
        self.fail("no %r" % pattern)

    def test_idle_sees_smtp_delivery_quickly(self):
        user = self.new_user()
        r = self.idle_session(self.imap, user)
        time.sleep(0.3)  # let the watch settle
        latencies = []
        for i in range(3):
            start = time.time()
            self.deliver(user)
            self.wait_for(r, r"^\* %d EXISTS$" % (i + 1))
            latencies.append(time.time() - start)
        sys.stderr.write("IDLE latency after SMTP delivery: %s\n" %
                         ", ".join("%.0f ms" % (x * 1000) for x in latencies))
        self.assertLess(min(latencies), 0.5)
        r.send("DONE\r\n")
        self.assertEqual(r.until_tagged("i3")[-1], "i3 OK IDLE terminated")
        r.close()

    def test_idle_on_one_imapd_sees_changes_on_another(self):
        m, user = self.login(self.imap2)
        m.append("INBOX", None, None, MESSAGE)
        r = self.idle_session(self.imap, user)
        time.sleep(0.3)
        m.append("INBOX", None, None, MESSAGE)
        self.wait_for(r, r"^\* 2 EXISTS$")
        m.select("INBOX")
        m.store("1", "+FLAGS", "(\\Flagged)")
        self.wait_for(r, r"^\* 1 FETCH \(UID 1 FLAGS \(\\Flagged\)\)$")
        m.store("1", "+FLAGS", "(\\Deleted)")
        m.expunge()
        self.wait_for(r, r"^\* 1 EXPUNGE$")
        r.send("DONE\r\n")
        r.until_tagged("i3")
        self.assertEqual(r.cmd("i4", "FETCH 1:* (UID)"), ["* 1 FETCH (UID 2)", "i4 OK FETCH completed"])
        r.close()
        m.logout()

    def test_selected_mailbox_renamed_or_deleted_by_another_session(self):
        m, user = self.login(self.imap2)
        m.create("Old")
        m.append("Old", None, None, MESSAGE)
        r = Raw(self.imap)
        r.line()
        r.cmd("k1", "LOGIN %s %s" % (user, PASSWORD))
        r.cmd("k2", "SELECT Old")
        # Renamed elsewhere: the session goes on with the same mailbox under its new name.
        self.assertEqual(m.rename("Old", "New")[0], "OK")
        m.append("New", None, None, MESSAGE)
        time.sleep(0.3)
        self.assertIn("* 2 EXISTS", r.cmd("k3", "NOOP"))
        self.assertEqual(r.cmd("k4", "UID FETCH 1:* (UID)")[-1], "k4 OK FETCH completed")
        # Deleted elsewhere: BYE, then the connection closes.
        self.assertEqual(m.delete("New")[0], "OK")
        time.sleep(0.3)
        lines = r.cmd("k5", "NOOP")
        self.assertIn("* BYE Selected mailbox was deleted, please reconnect", lines)
        with self.assertRaises(EOFError):
            r.line(timeout=5)
        r.close()
        # The same while idling, with a mailbox re-created under the same name at once.
        m.create("Doomed")
        r = Raw(self.imap)
        r.line()
        r.cmd("k6", "LOGIN %s %s" % (user, PASSWORD))
        r.cmd("k7", "SELECT Doomed")
        r.send("k8 IDLE\r\n")
        self.assertEqual(r.line(), "+ idling")
        m.delete("Doomed")
        m.create("Doomed")
        self.wait_for(r, r"^\* BYE Selected mailbox was deleted")
        with self.assertRaises(EOFError):
            r.line(timeout=5)
        r.close()
        m.logout()

    def test_no_expunge_during_fetch_but_after_noop(self):
        m, user = self.login(self.imap2)
        for _ in range(2):
            m.append("INBOX", None, None, MESSAGE)
        r = Raw(self.imap)
        r.line()
        r.cmd("j1", "LOGIN %s %s" % (user, PASSWORD))
        r.cmd("j2", "SELECT INBOX")
        m.select("INBOX")
        m.store("1", "+FLAGS", "(\\Deleted)")
        m.expunge()
        time.sleep(0.3)
        lines = r.cmd("j3", "FETCH 1:2 (UID)")
        self.assertFalse([l for l in lines if l.endswith("EXPUNGE")], lines)
        self.assertIn("* 2 FETCH (UID 2)", lines)
        self.assertEqual(lines[-1], "j3 NO [EXPUNGEISSUED] Some of the requested messages no longer exist")
        lines = r.cmd("j4", "NOOP")
        self.assertIn("* 1 EXPUNGE", lines)
        self.assertEqual(r.cmd("j5", "FETCH 1 (UID)"), ["* 1 FETCH (UID 2)", "j5 OK FETCH completed"])
        r.close()
        m.logout()

    # --- other clients --------------------------------------------------------------------

    def test_curl(self):
        m, user = self.login()
        m.append("INBOX", None, None, MESSAGE)
        m.logout()
        out = subprocess.run(["curl", "-s", "--user", "%s:%s" % (user, PASSWORD),
                              "imap://127.0.0.1:%d/INBOX;UID=1" % self.imap],
                             capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, MESSAGE)
        out = subprocess.run(["curl", "-s", "--user", "%s:%s" % (user, PASSWORD),
                              "imap://127.0.0.1:%d/" % self.imap],
                             capture_output=True, timeout=30)
        self.assertIn(b"INBOX", out.stdout)

    def test_sigterm_drain_says_bye(self):
        port = free_port()
        p = self.c.start("imap-drain", "mailroom-imapd", self.c.frontend_args() + [
            "--imap_listen=127.0.0.1:%d" % port, "--imaps_listen=", "--drain_seconds=5"],
            ports=[port])
        user = self.new_user()
        r = self.idle_session(port, user)
        p.terminate()
        self.assertEqual(r.line(), "* BYE Server shutting down, please reconnect")
        self.assertEqual(p.wait(timeout=20), 0)
        r.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
