"""mbsync (isync) against a real mailroom-imapd and store: two-way sync of a local maildir of
500 messages in 5 folders over implicit TLS (the harness' self-signed certificate, trusted through
CertificateFile), flags changed on both sides, new and expunged messages on both sides; after
every sync both sides must hold the same messages, once each, with the same flags.
Label: integration."""
import imaplib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from client_cluster import ImapCluster  # noqa: E402

USER = "sync@example.test"
PASSWORD = "mbsync-secret-1"
FOLDERS = ["INBOX", "Archive", "Work", "Lists/dev", "Sent"]
PER_FOLDER = 100
MAILDIR_FLAGS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}
MSGID = re.compile(rb"^Message-ID:\s*<([^>]+)>", re.I | re.M)


def message(folder, i):
    return ("From: Ann <ann@example.test>\r\nTo: %s\r\nSubject: %s message %d\r\n"
            "Date: Mon, 2 Feb 2026 10:%02d:00 +0000\r\nMessage-ID: <%s-%d@sync.test>\r\n\r\n"
            "Body of message %d in %s.\r\n" % (USER, folder, i, i % 60, folder.replace("/", "."),
                                                i, i, folder)).encode()


def msgid(folder, i):
    return "%s-%d@sync.test" % (folder.replace("/", "."), i)


class Maildir:
    """The near side: a tree of maildirs as mbsync's `SubFolders Verbatim` lays it out."""

    def __init__(self, root):
        self.root = root

    def path(self, folder):
        return os.path.join(self.root, folder)

    def add(self, folder, i, flags=""):
        d = self.path(folder)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        # Messages never seen by a client live in new/ without an info part (Maildir spec).
        if flags:
            name = os.path.join(d, "cur", "1770000000.M%dP1.near:2,%s" % (i, flags))
        else:
            name = os.path.join(d, "new", "1770000000.M%dP1.near" % i)
        with open(name, "wb") as f:
            f.write(message(folder, i))

    def files(self, folder):
        """{message-id: path} of one folder; fails on a Message-ID present twice."""
        out = {}
        for sub in ("cur", "new"):
            d = os.path.join(self.path(folder), sub)
            for name in os.listdir(d):
                with open(os.path.join(d, name), "rb") as f:
                    mid = MSGID.search(f.read()).group(1).decode()
                if mid in out:
                    raise AssertionError("duplicate %s in maildir %s" % (mid, folder))
                out[mid] = os.path.join(d, name)
        return out

    def state(self, folder):
        """{message-id: frozenset of IMAP flags}."""
        out = {}
        for mid, path in self.files(folder).items():
            info = os.path.basename(path).partition(":2,")[2]
            out[mid] = frozenset(MAILDIR_FLAGS[c] for c in info if c in MAILDIR_FLAGS)
        return out

    def set_flags(self, folder, mid, flags):
        """Changes a message's flags the way a maildir MUA does: by renaming it into cur/."""
        path = self.files(folder)[mid]
        base = os.path.basename(path).partition(":2,")[0]
        info = "".join(sorted(c for c, f in MAILDIR_FLAGS.items() if f in flags))
        os.rename(path, os.path.join(self.path(folder), "cur", base + ":2," + info))


class MbsyncTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = ImapCluster("mbsync")
        cls.c, cls.imap, cls.imaps, cls.cert = (cls.cluster.c, cls.cluster.imap, cls.cluster.imaps,
                                                cls.cluster.cert)
        try:
            cls.c.add_user(USER, PASSWORD)
        except BaseException:  # tearDownClass does not run then
            cls.cluster.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cluster.stop()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mailroom-mbsync-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.near = Maildir(os.path.join(self.tmp, "mail"))
        self.config = os.path.join(self.tmp, "mbsyncrc")
        with open(self.config, "w") as f:
            f.write("IMAPAccount mailroom\nHost 127.0.0.1\nPort %d\nUser %s\nPass %s\n"
                    "AuthMechs LOGIN\nSSLType IMAPS\nCertificateFile %s\nTimeout 60\n\n"
                    "IMAPStore mailroom-far\nAccount mailroom\n\n"
                    "MaildirStore local-near\nPath %s/\nInbox %s\nSubFolders Verbatim\n\n"
                    "Channel mailroom\nFar :mailroom-far:\nNear :local-near:\nPatterns *\n"
                    "Create Both\nExpunge Both\nSyncState *\n"
                    % (self.imaps, USER, PASSWORD, self.cert, self.near.root,
                       self.near.path("INBOX")))

    def mbsync(self):
        r = subprocess.run(["mbsync", "-c", self.config, "-V", "mailroom"], capture_output=True,
                           text=True, timeout=300, env=dict(os.environ, HOME=self.tmp))
        self.assertEqual(r.returncode, 0, "mbsync failed:\n%s\n%s\nimapd log:\n%s"
                         % (r.stdout[-3000:], r.stderr[-3000:], self.c.log("imap")))
        self.assertNotRegex(r.stdout + r.stderr, r"(?i)error|warning")
        return r.stdout

    def imap_login(self):
        m = imaplib.IMAP4("127.0.0.1", self.imap)
        m.login(USER, PASSWORD)
        return m

    def server_state(self, m, folder):
        """{message-id: frozenset of flags} of a server folder; fails on duplicates."""
        typ, data = m.select('"%s"' % folder)
        self.assertEqual(typ, "OK", data)
        out = {}
        exists = int(data[0])
        if exists == 0:
            return out
        typ, data = m.fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        self.assertEqual(typ, "OK", data)
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = imaplib.ParseFlags(item[0])
            mid = MSGID.search(item[1]).group(1).decode()
            self.assertNotIn(mid, out, "duplicate %s in %s on the server" % (mid, folder))
            out[mid] = frozenset(f.decode() for f in flags if f != b"\\Recent")
        self.assertEqual(len(out), exists, folder)
        return out

    def assert_in_sync(self, expected):
        """Both sides hold exactly `expected` ({folder: {message-id: flags}})."""
        m = self.imap_login()
        try:
            for folder, want in expected.items():
                self.assertEqual(self.server_state(m, folder), want, "server " + folder)
                self.assertEqual(self.near.state(folder), want, "maildir " + folder)
            total = sum(len(v) for v in expected.values())
            self.assertEqual(self.c.message_count(), total)
        finally:
            m.logout()

    def test_two_way_sync_of_500_messages_in_5_folders(self):
        expected = {}
        for folder in FOLDERS:
            expected[folder] = {}
            for i in range(PER_FOLDER):
                flags = "S" if i % 3 == 0 else ""
                self.near.add(folder, i, flags)
                expected[folder][msgid(folder, i)] = frozenset(
                    MAILDIR_FLAGS[c] for c in flags)

        # 1. Up: every folder is created on the server and every message stored once.
        self.mbsync()
        self.assertEqual(self.c.message_count(), 500)
        counts = dict(line.split("|") for line in self.c.psql(
            "SELECT b.name, count(*) FROM messages m JOIN mailboxes b USING (user_id, mailbox_id) "
            "GROUP BY b.name").split("\n"))
        self.assertEqual(counts, {f: str(PER_FOLDER) for f in FOLDERS})
        self.assert_in_sync(expected)

        # 2. Flags changed on both sides (disjoint messages), synced again.
        for folder in FOLDERS:
            e = expected[folder]
            for i in range(1, 12, 3):  # unseen -> seen, locally
                e[msgid(folder, i)] = e[msgid(folder, i)] | {"\\Seen"}
                self.near.set_flags(folder, msgid(folder, i), e[msgid(folder, i)])
            for i in (2, 5, 30):  # + flagged, locally
                e[msgid(folder, i)] = e[msgid(folder, i)] | {"\\Flagged"}
                self.near.set_flags(folder, msgid(folder, i), e[msgid(folder, i)])
            for i in (3, 6):  # seen -> unseen, locally
                e[msgid(folder, i)] = e[msgid(folder, i)] - {"\\Seen"}
                self.near.set_flags(folder, msgid(folder, i), e[msgid(folder, i)])
        m = self.imap_login()
        try:
            for folder in FOLDERS:
                e = expected[folder]
                m.select('"%s"' % folder)
                changes = {"+FLAGS (\\Seen \\Flagged)": [50, 52], "-FLAGS (\\Seen)": [60, 63],
                           "+FLAGS (\\Answered)": [70, 3]}
                for op, ids in changes.items():
                    for i in ids:
                        typ, data = m.search(None, "HEADER", "Message-ID", msgid(folder, i))
                        self.assertEqual(len(data[0].split()), 1, (folder, i, data))
                        typ, _ = m.store(data[0].decode(), op.split(" ", 1)[0],
                                         op.split(" ", 1)[1])
                        self.assertEqual(typ, "OK")
                        flags = set(re.findall(r"\\\w+", op))
                        e[msgid(folder, i)] = (e[msgid(folder, i)] | flags if op[0] == "+"
                                               else e[msgid(folder, i)] - flags)
        finally:
            m.logout()
        self.mbsync()
        self.assert_in_sync(expected)

        # 3. New and expunged messages on both sides.
        self.near.add("Work", 1000)
        expected["Work"][msgid("Work", 1000)] = frozenset()
        os.unlink(self.near.files("Archive")[msgid("Archive", 7)])
        del expected["Archive"][msgid("Archive", 7)]
        m = self.imap_login()
        try:
            typ, _ = m.append("INBOX", "(\\Flagged)", None, message("INBOX", 1000))
            self.assertEqual(typ, "OK")
            expected["INBOX"][msgid("INBOX", 1000)] = frozenset({"\\Flagged"})
            m.select("Sent")
            typ, data = m.search(None, "HEADER", "Message-ID", msgid("Sent", 8))
            m.store(data[0].decode(), "+FLAGS", "(\\Deleted)")
            m.expunge()
            del expected["Sent"][msgid("Sent", 8)]
        finally:
            m.logout()
        self.mbsync()
        self.assert_in_sync(expected)

        # 4. A sync with nothing to do changes nothing and duplicates nothing.
        self.mbsync()
        self.assert_in_sync(expected)


if __name__ == "__main__":
    unittest.main(verbosity=2)
