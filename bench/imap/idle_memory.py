"""Memory per idle IDLE connection of mailroom-imapd: opens N connections (default 500) that
log in, SELECT INBOX and IDLE, and reports the imapd's RSS growth per connection. Uses the
integration harness (needs MAILROOM_TEST_DATABASE_URL, as scripts/test sets). Loopback only."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration", "py"))
from mailroom_harness import Cluster, free_port  # noqa: E402


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def expect(sock, token):
    data = b""
    while token not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError(data)
        data += chunk
    return data


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    c = Cluster("idlemem")
    try:
        c.add_user("idle@example.test", "idle-secret")
        port = free_port()
        p = c.start("imap", "mailroom-imapd", c.frontend_args() + [
            "--imap_listen=127.0.0.1:%d" % port, "--imaps_listen=",
            "--max_connections=%d" % (n + 100), "--max_connections_per_ip=%d" % (n + 100)],
            ports=[port])
        time.sleep(0.5)
        base = rss_kib(p.pid)
        socks = []
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            expect(s, b"\r\n")
            s.sendall(b"a LOGIN idle@example.test idle-secret\r\nb SELECT INBOX\r\nc IDLE\r\n")
            expect(s, b"+ idling")
            socks.append(s)
        time.sleep(1.0)
        after = rss_kib(p.pid)
        print("connections=%d rss_before=%d KiB rss_after=%d KiB per_connection=%.1f KiB"
              % (n, base, after, (after - base) / n))
        for s in socks:
            s.sendall(b"DONE\r\nd LOGOUT\r\n")
            s.close()
    finally:
        c.stop()


if __name__ == "__main__":
    main()
