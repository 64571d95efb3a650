"""Memory per idle IDLE connection: opens N connections that log in, SELECT INBOX and IDLE,
and reports the server's memory growth per connection. Loopback only.

  idle_memory.py [N]
      mailroom-imapd alone through the integration harness (needs MAILROOM_TEST_DATABASE_URL,
      as scripts/test sets); default N = 500. Reports the imapd's RSS growth.
  idle_memory.py --port P --users U [--password PW] --mailroom-pid PID N
  idle_memory.py --port P --users U [--password PW] --dovecot-pid MASTER_PID N
      An already running server (bench/imap/imap_bench.sh starts both); connection i logs in
      as bench(i mod U + 1)@bench.test. Mailroom: the RSS (and PSS) growth of the imapd
      process. Dovecot: the growth of the summed RSS (and PSS) of every `imap` and
      `imap-login` process under the master (one imap process per connection). PSS splits
      shared pages between the processes that map them, so it is the fairer sum for Dovecot's
      many processes; RSS counts shared library pages once per process.
The last line is `RESULT {json}`. Raises the soft open-file limit when N needs it."""
import json
import os
import resource
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration", "py"))


def mem_kib(pid):
    """(RSS, PSS) of one process in KiB; (0, 0) when it is gone."""
    rss = pss = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return out


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def dovecot_mem(master):
    """Summed (RSS, PSS, process count) of the master's imap and imap-login children."""
    rss = pss = n = 0
    for child in children(master):
        if comm(child) in ("imap", "imap-login"):
            r, p = mem_kib(child)
            rss, pss, n = rss + r, pss + p, n + 1
    return rss, pss, n


def expect(sock, token):
    data = b""
    while token not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError(data)
        data += chunk
    return data


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 256
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            sys.exit("need %d open files, hard limit is %d (ulimit -Hn)" % (want, hard))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def open_idle(port, n, user_of, password, batch=50):
    """N connections in IDLE; connections are set up BATCH at a time (pipelined)."""
    socks = []
    for start in range(0, n, batch):
        group = []
        for i in range(start, min(n, start + batch)):
            s = socket.create_connection(("127.0.0.1", port), timeout=120)
            group.append((i, s))
        for i, s in group:
            expect(s, b"\r\n")
            s.sendall(b"a LOGIN %s %s\r\n" % (user_of(i).encode(), password.encode()))
        for i, s in group:
            expect(s, b"a OK")
            s.sendall(b"b SELECT INBOX\r\nc IDLE\r\n")
        for i, s in group:
            expect(s, b"+ idling")
            socks.append(s)
    return socks


def close_idle(socks):
    for s in socks:
        try:
            s.sendall(b"DONE\r\nd LOGOUT\r\n")
        except OSError:
            pass
        s.close()


def measure(args):
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--users", type=int, default=8)
    p.add_argument("--password", default="bench-pw")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--mailroom-pid", type=int)
    g.add_argument("--dovecot-pid", type=int)
    p.add_argument("connections", type=int)
    a = p.parse_args(args)
    n = a.connections
    raise_nofile(n)
    server = "mailroom" if a.mailroom_pid else "dovecot"
    if a.mailroom_pid:
        sample = lambda: mem_kib(a.mailroom_pid) + (1,)  # noqa: E731
    else:
        sample = lambda: dovecot_mem(a.dovecot_pid)  # noqa: E731
    before = sample()
    t0 = time.time()
    socks = open_idle(a.port, n, lambda i: "bench%d@bench.test" % (i % a.users + 1), a.password)
    setup = time.time() - t0
    time.sleep(2.0)
    after = sample()
    result = {"server": server, "connections": n, "setup_s": round(setup, 1),
              "rss_before_kib": before[0], "rss_after_kib": after[0],
              "pss_before_kib": before[1], "pss_after_kib": after[1], "processes": after[2],
              "rss_per_connection_kib": round((after[0] - before[0]) / n, 1),
              "pss_per_connection_kib": round((after[1] - before[1]) / n, 1)}
    print("%s: connections=%d processes=%d RSS %d -> %d KiB (%.1f KiB/connection), "
          "PSS %d -> %d KiB (%.1f KiB/connection), set up in %.1f s"
          % (server, n, after[2], before[0], after[0], result["rss_per_connection_kib"],
             before[1], after[1], result["pss_per_connection_kib"], setup))
    close_idle(socks)
    print("RESULT " + json.dumps(result), flush=True)


def harness(n):
    from mailroom_harness import Cluster, free_port
    raise_nofile(n)
    c = Cluster("idlemem")
    try:
        c.add_user("idle@example.test", "idle-secret")
        port = free_port()
        p = c.start("imap", "mailroom-imapd", c.frontend_args() + [
            "--imap_listen=127.0.0.1:%d" % port, "--imaps_listen=",
            "--max_connections=%d" % (n + 100), "--max_connections_per_ip=%d" % (n + 100)],
            ports=[port])
        time.sleep(0.5)
        base = mem_kib(p.pid)[0]
        socks = open_idle(port, n, lambda i: "idle@example.test", "idle-secret")
        time.sleep(1.0)
        after = mem_kib(p.pid)[0]
        print("connections=%d rss_before=%d KiB rss_after=%d KiB per_connection=%.1f KiB"
              % (n, base, after, (after - base) / n))
        close_idle(socks)
    finally:
        c.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("--"):
        measure(sys.argv[1:])
    else:
        harness(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
