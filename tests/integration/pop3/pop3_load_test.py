#!/usr/bin/env python3
"""End to end under load (ctest label integration): 2,000 messages, each carrying the SHA-256 of
its body, go into 8 INBOXes through the store's DeliverMessage; 8 concurrent POP3 clients
(bench/pop3/pop3_load) read every one back through mailroom-pop3d, check every digest, delete
them all; a second pass finds every INBOX empty.

Usage: pop3_load_test.py BIN_DIR; needs MAILROOM_TEST_DATABASE_URL."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pop3env  # noqa: E402

MESSAGES = 2000
USERS = 8


class Pop3LoadTest(unittest.TestCase):
    def test_every_digest_read_back(self):
        env = pop3env.Env(BIN_DIR)
        try:
            pop3d = env.pop3d("load")
            tool = os.path.join(BIN_DIR, "pop3_load")
            common = [f"--users={USERS}", "--password=load-pw", "--seconds=240"]
            fill = subprocess.run([tool, "fill", f"--store=127.0.0.1:{env.store_port}",
                                   f"--messages={MESSAGES}"] + common,
                                  capture_output=True, text=True, timeout=300)
            print(fill.stdout, fill.stderr, end="")
            self.assertEqual(fill.returncode, 0)
            read = subprocess.run([tool, "read", f"--port={pop3d.port}", "--dele",
                                   f"--expect={MESSAGES}"] + common,
                                  capture_output=True, text=True, timeout=300)
            print(read.stdout, read.stderr, end="")
            self.assertEqual(read.returncode, 0)
            self.assertIn("bad_digest=0 errors=0", read.stdout)
            again = subprocess.run([tool, "read", f"--port={pop3d.port}", "--expect=0"] + common,
                                   capture_output=True, text=True, timeout=300)
            self.assertEqual(again.returncode, 0, again.stdout + again.stderr)
        finally:
            env.close()


if __name__ == "__main__":
    BIN_DIR = sys.argv[1]
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
