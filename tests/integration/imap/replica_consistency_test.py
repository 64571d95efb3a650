"""Replica consistency: two mailroom-imapd processes over one store, 10 clients (5 per imapd)
doing random APPEND, STORE, EXPUNGE, FETCH, SEARCH and NOOP on one shared INBOX for a bounded
time. Every untagged response each client gets is checked as it arrives:
  - no sequence number above the client's current message count (FETCH, EXPUNGE, SEARCH);
  - EXISTS never decreases except by the EXPUNGEs this client was told about;
  - the UIDs a client knows are strictly increasing with the sequence number, a sequence
    number never changes its UID, and a UID this client was told is expunged never comes back;
  - every APPENDUID is unique over all clients.
At the end (after every client stopped changing the mailbox) each client NOOPs until its view
has settled and its incrementally kept view (count, UIDs, and the flags it was told about)
must equal the store's, read both through a fresh SELECT + UID FETCH 1:* FLAGS and from the
messages table with psql; no UID any client saw expunged may be in the store.

  replica_consistency_test.py [SECONDS]     (default 60; ctest passes 20)
Label: integration. Loopback only; every process is stopped by PID."""
import os
import random
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "py"))
from mailroom_harness import Cluster, free_port  # noqa: E402

USER = "shared@example.test"
PASSWORD = "replica-secret-1"
CLIENTS_PER_IMAPD = 5
FLAG_CHOICES = ["\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$Work", "$Later"]
SYSTEM_BITS = {1: "\\Seen", 2: "\\Answered", 4: "\\Flagged", 8: "\\Deleted", 16: "\\Draft"}
SETTLE_SECONDS = 10.0


class Violation(Exception):
    pass


def norm_flags(flags):
    return frozenset(f if f.startswith("\\") else f for f in flags if f.lower() != "\\recent")


class Conn:
    """A raw IMAP client: sends a command and collects every response up to its tagged one,
    literals included (each response is returned as one bytes object with literals inline)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        self.n = 0
        greeting = self.response()
        if not greeting.startswith(b"* OK"):
            raise Violation("greeting %r" % greeting)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; buffered %r" % self.buf[:200])
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed inside a literal")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self):
        """One whole response: a line plus any literals it announces."""
        out = self._line()
        while True:
            m = re.search(rb"\{(\d+)\+?\}$", out)
            if not m:
                return out
            out += b"\r\n" + self._exact(int(m.group(1))) + self._line()

    def command(self, text, literal=None, on_untagged=None):
        self.n += 1
        tag = "c%d" % self.n
        if literal is None:
            self.sock.sendall(("%s %s\r\n" % (tag, text)).encode())
        else:
            self.sock.sendall(("%s %s {%d+}\r\n" % (tag, text, len(literal))).encode() + literal + b"\r\n")
        untagged = []
        while True:
            r = self.response()
            if r.startswith(tag.encode() + b" "):
                status = r.split(b" ", 2)[1].decode()
                return status, r.decode(errors="replace"), untagged
            if r.startswith(b"+"):
                continue
            untagged.append(r)
            if on_untagged:
                on_untagged(r)

    def close(self):
        try:
            self.command("LOGOUT")
        except (OSError, EOFError):
            pass
        self.sock.close()


FETCH_RE = re.compile(rb"^\* (\d+) FETCH \((.*)\)$", re.S)
UID_RE = re.compile(rb"\bUID (\d+)")
FLAGS_RE = re.compile(rb"\bFLAGS \(([^)]*)\)")


class Shared:
    def __init__(self):
        self.lock = threading.Lock()
        self.append_uids = {}          # uid -> client name
        self.expunged_seen = set()     # UIDs some client was told are expunged
        self.violations = []
        self.ops = {}

    def violation(self, who, text):
        with self.lock:
            self.violations.append("%s: %s" % (who, text))

    def count(self, op):
        with self.lock:
            self.ops[op] = self.ops.get(op, 0) + 1


class Client:
    def __init__(self, name, port, shared, seed):
        self.name, self.port, self.shared = name, port, shared
        self.rng = random.Random(seed)
        self.count = 0          # the session's message count as this client was told it
        self.uids = []          # per sequence number: UID or None (not yet learned)
        self.flags = []         # per sequence number: frozenset or None (not yet learned)
        self.expunged = set()   # UIDs this client was told are gone
        self.in_command = None
        self.conn = None
        self.transcript = []    # recent commands and responses, for failure messages
        self.history = {}       # uid -> FETCH responses about it, for failure messages

    def fail(self, text):
        raise Violation(text + "\n    last exchanges:\n      " + "\n      ".join(self.transcript[-25:]))

    # --- checks of every untagged response -------------------------------------------------

    def on_untagged(self, r):
        self.transcript.append("S: " + r[:150].decode(errors="replace"))
        m = re.match(rb"^\* (\d+) (EXISTS|EXPUNGE|RECENT)$", r)
        if m:
            n, what = int(m.group(1)), m.group(2)
            if what == b"EXISTS":
                if n < self.count:
                    self.fail("EXISTS %d below the count %d (no EXPUNGE told)" % (n, self.count))
                self.uids.extend([None] * (n - self.count))
                self.flags.extend([None] * (n - self.count))
                self.count = n
            elif what == b"EXPUNGE":
                if self.in_command in ("FETCH", "STORE", "SEARCH"):
                    self.fail("EXPUNGE %d during %s" % (n, self.in_command))
                if n < 1 or n > self.count:
                    self.fail("EXPUNGE %d outside 1..%d" % (n, self.count))
                uid = self.uids.pop(n - 1)
                self.flags.pop(n - 1)
                self.count -= 1
                if uid is not None:
                    self.expunged.add(uid)
                    with self.shared.lock:
                        self.shared.expunged_seen.add(uid)
            return
        m = FETCH_RE.match(r)
        if m:
            seq, body = int(m.group(1)), m.group(2)
            if seq < 1 or seq > self.count:
                self.fail("FETCH %d outside 1..%d: %r" % (seq, self.count, r[:120]))
            um = UID_RE.search(body)
            if um:
                uid = int(um.group(1))
                if uid in self.expunged:
                    self.fail("UID %d came back after its EXPUNGE (seq %d)" % (uid, seq))
                known = self.uids[seq - 1]
                if known is not None and known != uid:
                    self.fail("seq %d was UID %d, now FETCH says UID %d" % (seq, known, uid))
                self.uids[seq - 1] = uid
                self.check_order(seq)
            uid = self.uids[seq - 1]
            if uid is not None:
                self.history.setdefault(uid, []).append(
                    "%s %s" % (self.in_command, r[:100].decode(errors="replace")))
            fm = FLAGS_RE.search(body)
            if fm:
                self.flags[seq - 1] = norm_flags(fm.group(1).decode().split())
            return
        m = re.match(rb"^\* (SEARCH|ESEARCH)\b(.*)$", r)
        if m and m.group(1) == b"SEARCH" and self.in_command == "SEARCH":
            for tok in m.group(2).split():
                if int(tok) < 1 or int(tok) > self.count:
                    self.fail("SEARCH result %s outside 1..%d" % (tok.decode(), self.count))

    def check_order(self, seq):
        uid = self.uids[seq - 1]
        for i in range(seq - 2, -1, -1):
            if self.uids[i] is not None:
                if self.uids[i] >= uid:
                    self.fail("UIDs not increasing: seq %d UID %d, seq %d UID %d"
                              % (i + 1, self.uids[i], seq, uid))
                break
        for i in range(seq, self.count):
            if self.uids[i] is not None:
                if self.uids[i] <= uid:
                    self.fail("UIDs not increasing: seq %d UID %d, seq %d UID %d"
                              % (seq, uid, i + 1, self.uids[i]))
                break

    def cmd(self, kind, text, literal=None):
        # RFC 9051 §7.5.1: no EXPUNGE while answering FETCH, STORE or SEARCH; the UID forms
        # are other commands and may carry one.
        self.in_command = "UID " + kind if text.startswith("UID ") else kind
        self.transcript = self.transcript[-60:] + ["C: " + text + (" {literal}" if literal else "")]
        try:
            st, line, untagged = self.conn.command(text, literal, self.on_untagged)
            self.transcript.append("S: " + line[:150])
            return st, line, untagged
        finally:
            self.in_command = None

    # --- the random workload ----------------------------------------------------------------

    def connect(self):
        self.conn = Conn(self.port)
        st, line, _ = self.cmd("LOGIN", "LOGIN %s %s" % (USER, PASSWORD))
        if st != "OK":
            self.fail("LOGIN: " + line)
        self.count, self.uids, self.flags = 0, [], []
        st, line, _ = self.cmd("SELECT", "SELECT INBOX")
        if st != "OK":
            self.fail("SELECT: " + line)

    def random_set(self):
        a = self.rng.randint(1, self.count)
        b = min(self.count, a + self.rng.randint(0, 3))
        return "%d" % a if a == b else "%d:%d" % (a, b)

    def known_uid(self):
        known = [u for u in self.uids if u is not None]
        return self.rng.choice(known) if known else None

    def step(self):
        r = self.rng.random()
        if r < 0.20 or self.count < 3:
            body = ("From: c@example.test\r\nTo: shared@example.test\r\nSubject: %s %d\r\n\r\n"
                    "body %s\r\n" % (self.name, self.rng.randint(0, 1 << 30), "x" * self.rng.randint(0, 200))).encode()
            flags = " ".join(self.rng.sample(FLAG_CHOICES, self.rng.randint(0, 2)))
            st, line, _ = self.cmd("APPEND", "APPEND INBOX (%s)" % flags, body)
            if st == "NO" and "[UNAVAILABLE]" in line:
                # The store was slower than the front end's deadline (a loaded machine); the
                # message may still have been stored, so the stray-UID check is off.
                self.shared.count("APPEND NO [UNAVAILABLE]")
                return
            if st != "OK":
                self.fail("APPEND: " + line)
            m = re.search(r"\[APPENDUID (\d+) (\d+)\]", line)
            if not m:
                self.fail("APPEND without APPENDUID: " + line)
            uid = int(m.group(2))
            with self.shared.lock:
                if uid in self.shared.append_uids:
                    self.shared.violations.append("%s: APPENDUID %d also given to %s"
                                                  % (self.name, uid, self.shared.append_uids[uid]))
                self.shared.append_uids[uid] = self.name
            self.shared.count("APPEND")
        elif r < 0.40:
            verb = self.rng.choice(["+FLAGS", "-FLAGS", "FLAGS"])
            flags = " ".join(self.rng.sample(FLAG_CHOICES, self.rng.randint(1, 2)))
            if self.rng.random() < 0.5:
                self.cmd("STORE", "STORE %s %s (%s)" % (self.random_set(), verb, flags))
            else:
                uid = self.known_uid()
                if uid is not None:
                    self.cmd("STORE", "UID STORE %d %s (%s)" % (uid, verb, flags))
            self.shared.count("STORE")
        elif r < 0.52:
            # Mark one message \Deleted and expunge (EXPUNGE or UID EXPUNGE).
            target = self.rng.randint(1, self.count)
            # .SILENT: no FETCH comes back for our own change, so the model applies it before
            # the answer (any FETCH in the answer reports a later state and overrides it).
            if self.flags[target - 1] is not None:
                self.flags[target - 1] = self.flags[target - 1] | {"\\Deleted"}
            self.cmd("STORE", "STORE %d +FLAGS.SILENT (\\Deleted)" % target)
            if self.rng.random() < 0.5:
                st, line, _ = self.cmd("EXPUNGE", "EXPUNGE")
            else:
                uid = self.known_uid()
                st, line, _ = self.cmd("EXPUNGE", "UID EXPUNGE %s" % (uid if uid else "1:*"))
            if st == "NO" and "[UNAVAILABLE]" in line:
                self.shared.count("EXPUNGE NO [UNAVAILABLE]")
            elif st != "OK":
                self.fail("EXPUNGE: " + line)
            self.shared.count("EXPUNGE")
        elif r < 0.75:
            what = self.rng.choice(["(UID FLAGS)", "(FLAGS)", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
                                    "(UID RFC822.SIZE BODY[TEXT])", "(UID ENVELOPE)"])
            if self.rng.random() < 0.3:
                self.cmd("FETCH", "FETCH 1:* (UID FLAGS)")
            elif self.rng.random() < 0.5:
                self.cmd("FETCH", "FETCH %s %s" % (self.random_set(), what))
            else:
                uid = self.known_uid()
                if uid is not None:
                    self.cmd("FETCH", "UID FETCH %d:* %s" % (uid, what))
            self.shared.count("FETCH")
        elif r < 0.92:
            key = self.rng.choice(["ALL", "FLAGGED", "UNSEEN", "DELETED", "KEYWORD $Work",
                                   "SUBJECT client", "BODY body", "1:5"])
            self.cmd("SEARCH", "SEARCH %s" % key)
            self.shared.count("SEARCH")
        else:
            self.cmd("NOOP", "NOOP")
            self.shared.count("NOOP")

    def run(self, deadline, barrier):
        try:
            self.connect()
            while time.time() < deadline:
                self.step()
        except Violation as e:
            self.shared.violation(self.name, str(e))
        except Exception as e:  # noqa: BLE001 - any failure of a client fails the test
            self.shared.violation(self.name, "%s: %s" % (type(e).__name__, e))
        finally:
            try:
                barrier.wait(timeout=120)
            except threading.BrokenBarrierError:
                pass

    # --- the final view -------------------------------------------------------------------

    def settle_and_compare(self, reference):
        """NOOP until this session's view equals the store's (within SETTLE_SECONDS):
        the store no longer changes, so every pending notification must arrive by then."""
        ref_uids = [u for u, _ in reference]
        ref_flags = dict(reference)
        deadline = time.time() + SETTLE_SECONDS
        problem = None
        while True:
            try:
                self.cmd("NOOP", "NOOP")
            except Violation as e:
                return "check during the final NOOP: %s" % e
            problem = None
            if self.count != len(reference):
                problem = "count %d, store %d" % (self.count, len(reference))
            else:
                for seq, (uid, flags) in enumerate(zip(self.uids, self.flags), 1):
                    if uid is not None and uid != ref_uids[seq - 1]:
                        problem = "seq %d is UID %d, store UID %d" % (seq, uid, ref_uids[seq - 1])
                        break
                    if uid is not None and flags is not None and flags != ref_flags[uid]:
                        problem = "UID %d flags %s, store %s; FETCH responses about it:\n      %s" % (
                            uid, sorted(flags), sorted(ref_flags[uid]),
                            "\n      ".join(self.history.get(uid, [])[-8:]))
                        break
            if problem is None or time.time() > deadline:
                break
            time.sleep(0.2)
        if problem:
            if problem.startswith("count"):
                try:  # which UIDs differ, as the session sees them
                    self.cmd("FETCH", "UID FETCH 1:* (FLAGS)")
                    mine = set(u for u in self.uids if u is not None)
                    problem += "; session has UIDs %s more, %s fewer" % (
                        sorted(mine - set(ref_uids)), sorted(set(ref_uids) - mine))
                except Exception as e:  # noqa: BLE001
                    problem += " (%s)" % e
            return "final view after NOOPs: " + problem
        # The session's own answer for the whole mailbox must equal the store's as well.
        try:
            st, line, untagged = self.cmd("FETCH", "UID FETCH 1:* (FLAGS)")
        except Violation as e:
            return "check during the final UID FETCH: %s" % e
        if self.uids != ref_uids:
            return "session UIDs %s, store %s" % (self.uids[:20], ref_uids[:20])
        for uid, flags in zip(self.uids, self.flags):
            if flags != ref_flags[uid]:
                return "session UID %d flags %s, store %s" % (uid, sorted(flags), sorted(ref_flags[uid]))
        return None


def reference_view(port):
    """UIDs and flags by a fresh SELECT + UID FETCH 1:* FLAGS."""
    c = Conn(port)
    st, line, _ = c.command("LOGIN %s %s" % (USER, PASSWORD))
    assert st == "OK", line
    st, line, untagged = c.command("SELECT INBOX")
    assert st == "OK", line
    exists = [int(re.match(rb"\* (\d+) EXISTS", u).group(1)) for u in untagged if re.match(rb"\* \d+ EXISTS", u)]
    st, line, untagged = c.command("UID FETCH 1:* (FLAGS)")
    assert st == "OK", line
    view = []
    for u in untagged:
        m = FETCH_RE.match(u)
        if m:
            view.append((int(m.group(1)), int(UID_RE.search(m.group(2)).group(1)),
                         norm_flags(FLAGS_RE.search(m.group(2)).group(1).decode().split())))
    c.close()
    view.sort()
    if [s for s, _, _ in view] != list(range(1, len(view) + 1)):
        raise Violation("fresh session: sequence numbers %s" % [s for s, _, _ in view][:20])
    if exists and exists[-1] != len(view):
        raise Violation("fresh session: EXISTS %d but %d FETCH responses" % (exists[-1], len(view)))
    return [(uid, flags) for _, uid, flags in view]


def table_view(cluster):
    rows = cluster.psql(
        "SELECT m.uid, m.flags, array_to_string(m.keywords, ' ') FROM messages m "
        "JOIN mailboxes b USING (user_id, mailbox_id) JOIN users u USING (user_id) "
        "WHERE u.address = '%s' AND b.name = 'INBOX' ORDER BY m.uid" % USER)
    view = []
    for row in rows.split("\n") if rows else []:
        uid, bits, keywords = row.split("|")
        flags = [name for bit, name in SYSTEM_BITS.items() if int(bits) & bit] + keywords.split()
        view.append((int(uid), norm_flags(flags)))
    return view


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    seed = int(os.environ.get("REPLICA_TEST_SEED", str(int(time.time()))))
    print("replica consistency: %d clients on 2 imapd for %.0f s (seed %d)"
          % (2 * CLIENTS_PER_IMAPD, seconds, seed), flush=True)
    c = Cluster("replica")
    failures = []
    try:
        c.add_user(USER, PASSWORD)
        ports = [free_port(), free_port()]
        for i, port in enumerate(ports):
            c.start("imap%d" % i, "mailroom-imapd", c.frontend_args() + [
                "--imap_listen=127.0.0.1:%d" % port, "--imaps_listen="], ports=[port])
        shared = Shared()
        clients = [Client("client%d@imapd%d" % (i, i % 2), ports[i % 2], shared, seed * 100 + i)
                   for i in range(2 * CLIENTS_PER_IMAPD)]
        barrier = threading.Barrier(len(clients) + 1)
        deadline = time.time() + seconds
        threads = [threading.Thread(target=cl.run, args=(deadline, barrier), daemon=True) for cl in clients]
        for t in threads:
            t.start()
        barrier.wait(timeout=seconds + 180)
        failures += shared.violations
        print("operations: %s" % ", ".join("%s=%d" % kv for kv in sorted(shared.ops.items())), flush=True)

        reference = reference_view(ports[0])
        table = table_view(c)
        print("store: %d messages, %d APPENDUIDs, %d UIDs seen expunged"
              % (len(table), len(shared.append_uids), len(shared.expunged_seen)), flush=True)
        if reference != table:
            failures.append("fresh SELECT view differs from the messages table: %s vs %s"
                            % (reference[:10], table[:10]))
        if reference_view(ports[1]) != table:
            failures.append("fresh SELECT view on the second imapd differs from the messages table")
        back = shared.expunged_seen & {u for u, _ in table}
        if back:
            failures.append("UIDs told expunged are still in the store: %s" % sorted(back)[:20])
        stray = {u for u, _ in table} - set(shared.append_uids)
        if stray and "APPEND NO [UNAVAILABLE]" not in shared.ops:
            failures.append("UIDs in the store that no APPEND returned: %s" % sorted(stray)[:20])
        for cl in clients:
            if cl.conn is None:
                continue
            if any(v.startswith(cl.name + ":") for v in shared.violations):
                continue
            problem = cl.settle_and_compare(table)
            if problem:
                failures.append("%s: %s" % (cl.name, problem))
        for cl in clients:
            if cl.conn is not None:
                try:
                    cl.conn.close()
                except Exception:  # noqa: BLE001
                    pass
    finally:
        logs = {name: c.log(name) for name in ("imap0", "imap1", "store")}
        c.stop()
    if failures:
        print("FAILED (seed %d):" % seed)
        for f in failures:
            print("  " + f)
        for name, text in logs.items():
            if "error" in text.lower():
                print("--- %s log (tail) ---\n%s" % (name, text[-1500:]))
        sys.exit(1)
    print("OK: every client's final view equals the store's")


if __name__ == "__main__":
    main()
