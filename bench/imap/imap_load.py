#!/usr/bin/env python3
"""IMAP load generator (asyncio, raw sockets, loopback only), the same client for every server.

  imap_load.py fill --port P --users N --messages M [--size S] [--password PW]
      APPENDs M messages of about S octets into the INBOX of each of the users
      bench1@bench.test .. benchN@bench.test (CONCURRENCY connections at a time).
  imap_load.py run --port P --users N --clients C --seconds T [--max-ops K] [--password PW]
      C clients (client i logs in as user i mod N) each loop over sessions until T seconds or
      K commands in all have passed: LOGIN, SELECT INBOX, then ROUNDS rounds of
        FETCH 1:* (FLAGS), UID FETCH of 5 random messages' BODY.PEEK[], STORE +FLAGS/-FLAGS
        (\\Flagged) on a random message, SEARCH (UNSEEN / FROM / TEXT in turn), APPEND of a new
        message and EXPUNGE of that message (UID STORE \\Deleted + UID EXPUNGE, so the
        mailbox keeps its size), then LOGOUT.
      Prints per command: count, ops/s over the whole run, median and p95 latency, and a last
      line `RESULT {json}` for scripts. Any NO/BAD or protocol error counts as an error and
      makes the exit status 1.
Every wait has a timeout; the run stops at --seconds (plus at most the command timeout)."""
import argparse
import asyncio
import json
import random
import re
import resource
import sys
import time

COMMANDS = ["LOGIN", "SELECT", "FETCH_FLAGS", "FETCH_BODY", "STORE", "SEARCH", "APPEND",
            "EXPUNGE", "LOGOUT"]
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike "
         "november oscar papa quebec romeo sierra tango uniform victor whiskey xray").split()
LITERAL_RE = re.compile(rb"\{(\d+)\+?\}$")


def make_message(rng, size, serial):
    words = []
    length = 0
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(10))
        words.append(line)
        length += len(line) + 2
    sender = rng.choice(WORDS)
    return ("From: %s <%s@sender.test>\r\nTo: bench <bench@bench.test>\r\n"
            "Subject: bench message %d %s\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n"
            "Message-ID: <bench-%d-%d@bench.test>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\n"
            % (sender, sender, serial, rng.choice(WORDS), serial, rng.randint(0, 1 << 40),
               "\r\n".join(words))).encode()


class ImapError(Exception):
    pass


class Client:
    def __init__(self, reader, writer, timeout):
        self.r, self.w, self.timeout, self.n = reader, writer, timeout, 0

    @classmethod
    async def connect(cls, port, timeout):
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port, limit=1 << 22), timeout)
        c = cls(reader, writer, timeout)
        greeting = await c.response()
        if not greeting.startswith(b"* OK"):
            raise ImapError("greeting %r" % greeting[:100])
        return c

    async def response(self):
        line = await asyncio.wait_for(self.r.readuntil(b"\r\n"), self.timeout)
        line = line[:-2]
        while True:
            m = LITERAL_RE.search(line)
            if not m:
                return line
            data = await asyncio.wait_for(self.r.readexactly(int(m.group(1))), self.timeout)
            rest = await asyncio.wait_for(self.r.readuntil(b"\r\n"), self.timeout)
            line += b"\r\n" + data + rest[:-2]

    async def command(self, text, literal=None):
        """Sends a command (a literal goes as LITERAL+, which both servers offer) and returns
        (untagged responses, tagged line); NO/BAD raise."""
        self.n += 1
        tag = b"t%d" % self.n
        if literal is None:
            self.w.write(tag + b" " + text.encode() + b"\r\n")
        else:
            self.w.write(tag + b" " + text.encode() + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
        await self.w.drain()
        untagged = []
        while True:
            r = await self.response()
            if r.startswith(tag + b" "):
                if not r.startswith(tag + b" OK"):
                    raise ImapError("%s -> %s" % (text[:60], r[:200].decode(errors="replace")))
                return untagged, r
            if r.startswith(b"+"):
                continue
            untagged.append(r)

    def close(self):
        self.w.close()


def exists_of(untagged):
    n = None
    for u in untagged:
        m = re.match(rb"\* (\d+) EXISTS", u)
        if m:
            n = int(m.group(1))
    return n


class Stats:
    def __init__(self):
        self.lat = {c: [] for c in COMMANDS}
        self.errors = 0
        self.error_samples = []
        self.ops = 0

    def add(self, cmd, seconds):
        self.lat[cmd].append(seconds)
        self.ops += 1


async def timed(stats, name, coro):
    t0 = time.perf_counter()
    result = await coro
    stats.add(name, time.perf_counter() - t0)
    return result


async def session(args, user, rng, stats, deadline, serial):
    c = await Client.connect(args.port, args.timeout)
    try:
        await timed(stats, "LOGIN", c.command("LOGIN %s %s" % (user, args.password)))
        untagged, _ = await timed(stats, "SELECT", c.command("SELECT INBOX"))
        exists = exists_of(untagged) or 0
        for i in range(args.rounds):
            if time.time() >= deadline or stats.ops >= args.max_ops:
                break
            untagged, _ = await timed(stats, "FETCH_FLAGS", c.command("FETCH 1:* (FLAGS)"))
            # Bodies of 5 random messages by sequence number (FETCH n (UID BODY.PEEK[])).
            if exists:
                seqs = ",".join(str(rng.randint(1, exists)) for _ in range(5))
                await timed(stats, "FETCH_BODY", c.command("FETCH %s (UID BODY.PEEK[])" % seqs))
                verb = rng.choice(["+FLAGS", "-FLAGS"])
                await timed(stats, "STORE", c.command("STORE %d %s (\\Flagged)" % (rng.randint(1, exists), verb)))
            key = ["UNSEEN", "FROM %s" % rng.choice(WORDS), "TEXT %s" % rng.choice(WORDS)][i % 3]
            await timed(stats, "SEARCH", c.command("SEARCH %s" % key))
            serial[0] += 1
            msg = make_message(rng, args.size, serial[0])
            _, tagged = await timed(stats, "APPEND", c.command("APPEND INBOX ()", msg))
            m = re.search(rb"\[APPENDUID \d+ (\d+)\]", tagged)
            if not m:
                raise ImapError("APPEND without APPENDUID: %r" % tagged)
            uid = int(m.group(1))
            t0 = time.perf_counter()
            await c.command("UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
            untagged, _ = await c.command("UID EXPUNGE %d" % uid)
            stats.add("EXPUNGE", time.perf_counter() - t0)
        await timed(stats, "LOGOUT", c.command("LOGOUT"))
    finally:
        c.close()


async def client_loop(args, idx, stats, deadline, serial):
    rng = random.Random(args.seed * 1000 + idx)
    user = "bench%d@bench.test" % (idx % args.users + 1)
    while time.time() < deadline and stats.ops < args.max_ops:
        try:
            await session(args, user, rng, stats, deadline, serial)
        except (ImapError, OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
            stats.errors += 1
            if len(stats.error_samples) < 5:
                stats.error_samples.append("%s: %s" % (type(e).__name__, e))
            await asyncio.sleep(0.05)


async def run(args):
    stats = Stats()
    serial = [0]
    start = time.time()
    deadline = start + args.seconds
    await asyncio.gather(*(client_loop(args, i, stats, deadline, serial) for i in range(args.clients)))
    elapsed = time.time() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {"clients": args.clients, "seconds": round(elapsed, 2), "errors": stats.errors,
              "client_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
              "ops": stats.ops, "ops_per_s": round(stats.ops / elapsed, 1), "commands": {}}
    print("%-12s %8s %10s %9s %9s" % ("command", "count", "ops/s", "p50 ms", "p95 ms"))
    for cmd in COMMANDS:
        lat = sorted(stats.lat[cmd])
        if not lat:
            continue
        p50 = lat[len(lat) // 2] * 1000
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))] * 1000
        rate = len(lat) / elapsed
        result["commands"][cmd] = {"count": len(lat), "ops_per_s": round(rate, 1),
                                   "p50_ms": round(p50, 2), "p95_ms": round(p95, 2)}
        print("%-12s %8d %10.1f %9.2f %9.2f" % (cmd, len(lat), rate, p50, p95))
    print("total        %8d %10.1f   (%d errors%s)" % (stats.ops, stats.ops / elapsed, stats.errors,
          "; " + " | ".join(stats.error_samples) if stats.error_samples else ""))
    print("RESULT " + json.dumps(result), flush=True)
    return 1 if stats.errors else 0


async def fill(args):
    sem = asyncio.Semaphore(args.concurrency)
    failures = []

    async def fill_user(u):
        async with sem:
            rng = random.Random(args.seed * 7919 + u)
            c = await Client.connect(args.port, args.timeout)
            try:
                await c.command("LOGIN bench%d@bench.test %s" % (u, args.password))
                for k in range(args.messages):
                    await c.command("APPEND INBOX ()", make_message(rng, args.size, k))
                untagged, _ = await c.command("STATUS INBOX (MESSAGES)")
                if not any(b"MESSAGES %d)" % args.messages in x for x in untagged):
                    failures.append("bench%d: %r" % (u, untagged))
                await c.command("LOGOUT")
            finally:
                c.close()

    t0 = time.time()
    await asyncio.gather(*(fill_user(u) for u in range(1, args.users + 1)))
    print("filled %d users x %d messages in %.1f s%s" % (args.users, args.messages, time.time() - t0,
          ("; FAILED " + "; ".join(failures)) if failures else ""), flush=True)
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["fill", "run"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--users", type=int, default=8)
    p.add_argument("--password", default="bench-pw")
    p.add_argument("--messages", type=int, default=200)
    p.add_argument("--size", type=int, default=4096)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--max-ops", type=int, default=10_000_000)
    p.add_argument("--rounds", type=int, default=10, help="rounds of the mix per session")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    sys.exit(asyncio.run(fill(args) if args.mode == "fill" else run(args)))


if __name__ == "__main__":
    main()
