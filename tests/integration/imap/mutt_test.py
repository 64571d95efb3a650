"""mutt against a real mailroom-imapd and store, over implicit TLS with certificate and host
name verification: mutt runs in a private tmux server (its own socket in a temp folder), the
test types keys and reads the screen. It must list the user's folders (hierarchy included),
display a message, pipe it raw to a file byte-identical (up to mutt's LF line ends) to what the
store holds, and set \\Seen on the server when it leaves the mailbox. Label: integration."""
import imaplib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from client_cluster import ImapCluster  # noqa: E402

USER = "mutt@example.test"
PASSWORD = "mutt-secret-1"
FOLDERS = ["Projects", "Work", "Lists/dev", "Lists/announce"]  # besides INBOX and the special-use folders
MESSAGE = (b"From: Ann Example <ann@example.test>\r\nTo: Mutt User <mutt@example.test>\r\n"
           b"Subject: read me with mutt\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n"
           b"Message-ID: <mutt-1@example.test>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           b"First line of the body.\r\n\r\nA second paragraph, caf\xc3\xa9 included.\r\n"
           b"-- \r\nAnn\r\n")
OTHER = (b"From: bob@example.test\r\nTo: mutt@example.test\r\nSubject: another one\r\n"
         b"Date: Sun, 1 Feb 2026 09:00:00 +0000\r\nMessage-ID: <mutt-2@example.test>\r\n\r\n"
         b"Older message.\r\n")


class MuttTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = ImapCluster("mutt")
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
        self.tmp = tempfile.mkdtemp(prefix="mailroom-mutt-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.socket = os.path.join(self.tmp, "tmux.sock")
        self.rc = os.path.join(self.tmp, "muttrc")
        with open(self.rc, "w") as f:
            f.write('set folder="imaps://127.0.0.1:%d/"\nset imap_user="%s"\nset imap_pass="%s"\n'
                    'set spoolfile="+INBOX"\nset certificate_file="%s"\nset ssl_verify_host=yes\n'
                    'set imap_check_subscribed=no\nset imap_list_subscribed=no\n'
                    'set header_cache=""\nset message_cachedir=""\nset move=no\nset quit=yes\n'
                    'set wait_key=no\nset pipe_decode=no\nset sort=date\nset mail_check=60\n'
                    'set timeout=600\nset charset="utf-8"\n'
                    % (self.imaps, USER, PASSWORD, self.cert))

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True,
                              timeout=30, env=dict(os.environ, HOME=self.tmp, TERM="xterm",
                                                   LANG="C.UTF-8"))

    def screen(self):
        return self.tmux("capture-pane", "-p").stdout

    def wait_screen(self, pattern, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = self.screen()
            if re.search(pattern, text, re.M):
                return text
            time.sleep(0.1)
        self.fail("no %r on mutt's screen:\n%s\nimapd log:\n%s"
                  % (pattern, self.screen(), self.c.log("imap")))

    def keys(self, *keys):
        r = self.tmux("send-keys", *keys)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_list_folders_display_and_pipe_a_message(self):
        m = imaplib.IMAP4("127.0.0.1", self.imap)
        m.login(USER, PASSWORD)
        for folder in FOLDERS:
            self.assertEqual(m.create(folder)[0], "OK")
        self.assertEqual(m.append("INBOX", None, None, OTHER)[0], "OK")
        self.assertEqual(m.append("INBOX", None, None, MESSAGE)[0], "OK")
        m.logout()
        stored = self.c.messages(USER)
        self.assertEqual(stored[1], MESSAGE)

        out = os.path.join(self.tmp, "piped.eml")
        status = os.path.join(self.tmp, "mutt.status")
        r = self.tmux("new-session", "-d", "-x", "160", "-y", "50",
                      "mutt -n -F '%s' 2>'%s/mutt.err'; echo $? > '%s'"
                      % (self.rc, self.tmp, status))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.addCleanup(self.tmux, "kill-server")

        # The index of INBOX, newest last (sort=date), cursor on the first new message.
        self.wait_screen(r"Mutt: =INBOX \[Msgs:2 New:2")
        self.wait_screen(r"^\s+2 N .*Ann Example .*read me with mutt")

        # The folder browser lists every mailbox the server has (LIST), children marked.
        self.keys("c", "?")
        text = self.wait_screen(r"Lists/")
        names = set(re.findall(r"IMAP\s*\+?\s+(\S+)\s*$", text, re.M))
        self.assertTrue({"INBOX", "Archive", "Sent", "Trash", "Projects", "Work", "Lists/"} <= names, text)
        self.keys("c", "C-u")  # chdir into Lists/
        self.keys("=Lists/", "Enter")
        text = self.wait_screen(r"Directory \[=Lists\]")
        names = set(re.findall(r"IMAP\s*\+?\s+(\S+)\s*$", text, re.M))
        self.assertEqual(names, {"../", "announce", "dev"}, text)
        self.keys("q")  # back to the "Open mailbox" prompt, then out of it
        self.keys("C-g")
        self.wait_screen(r"Mutt: =INBOX")

        # Display the message (the last one in date order), then pipe it raw to a file.
        self.keys("2", "Enter")  # jump to message 2
        self.keys("Enter")  # display it
        self.wait_screen(r"^Subject: read me with mutt")
        text = self.wait_screen(r"A second paragraph, café included\.")
        self.assertIn("First line of the body.", text)
        self.keys("|")
        self.wait_screen(r"Pipe to command:")
        self.keys("cat > '%s'" % out, "Enter")
        deadline = time.time() + 30
        want = MESSAGE.replace(b"\r\n", b"\n")
        while not (os.path.exists(out) and os.path.getsize(out) >= len(want)) and time.time() < deadline:
            time.sleep(0.1)
        with open(out, "rb") as f:
            piped = f.read()
        self.assertEqual(piped, want)

        # Leave: mutt syncs the \Seen it set on the message it displayed.
        self.keys("q", "q")
        deadline = time.time() + 30
        while not os.path.exists(status) and time.time() < deadline:
            time.sleep(0.1)
        with open(status) as f:
            self.assertEqual(f.read().strip(), "0")
        m = imaplib.IMAP4("127.0.0.1", self.imap)
        m.login(USER, PASSWORD)
        m.select("INBOX", readonly=True)
        typ, data = m.fetch("1:2", "(UID FLAGS)")
        m.logout()
        self.assertNotIn(b"\\Seen", data[0])
        self.assertIn(b"\\Seen", data[1])


if __name__ == "__main__":
    unittest.main(verbosity=2)
