"""A store and one mailroom-imapd for the real-client tests (mbsync, mutt, imapflow), with a
self-signed certificate those clients can verify for the host 127.0.0.1: isync 1.4 matches the
host only against dNSName entries and the CN, others against iPAddress, so it names both."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "py"))
from mailroom_harness import Cluster, free_port  # noqa: E402


class ImapCluster:
    """`c` is the harness' Cluster; `imap` (plain + STARTTLS) and `imaps` are the ports; `cert`
    is the PEM file of the server's certificate. `stop()` stops all of it and removes its files."""

    def __init__(self, name):
        self.c = Cluster(name)
        try:
            self.cert = os.path.join(self.c.dir, "cert-127.pem")
            key = os.path.join(self.c.dir, "key-127.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                            "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=DNS:127.0.0.1,IP:127.0.0.1",
                            "-keyout", key, "-out", self.cert], check=True, capture_output=True)
            args = [a for a in self.c.frontend_args()
                    if not a.startswith(("--tls_cert=", "--tls_key="))]
            self.imap, self.imaps = free_port(), free_port()
            self.c.start("imap", "mailroom-imapd", args + [
                "--tls_cert=" + self.cert, "--tls_key=" + key,
                "--imap_listen=127.0.0.1:%d" % self.imap,
                "--imaps_listen=127.0.0.1:%d" % self.imaps], ports=[self.imap, self.imaps])
        except BaseException:
            self.stop()
            raise

    def stop(self):
        self.c.stop()
        shutil.rmtree(self.c.dir, ignore_errors=True)
