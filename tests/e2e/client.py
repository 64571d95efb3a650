"""Mail client of the e2e test, run inside the client container on the compose network.

Talks to individual front-end replicas by container name (each mail listener there expects a
PROXY protocol v2 header, which this client sends, naming a made-up client address), or to the
load balancer `lb`, which adds the header itself. Each command prints one JSON line with its
results on stdout (progress markers before it); assertions fail with exit status 1.

  client.py deliver TARGET... --to ADDR --source IP
  client.py load TARGET... --to ADDR --seconds S
  client.py pop3-read TARGET --user U --password P --ids FILE
  client.py imap-read TARGET... --user U --password P --ids FILE
  client.py imap-idle IMAP SMTP --user U --password P
  client.py imap-failover FIRST SECOND --user U --password P
"""

import argparse
import hashlib
import imaplib
import ipaddress
import json
import poplib
import re
import smtplib
import socket
import ssl
import struct
import sys
import time
import uuid

MARK = b"X-E2E-Id: "
TIMEOUT = 20


def proxy_v2(source, source_port=40000, destination="10.255.0.1", destination_port=25):
    """A PROXY protocol v2 header (PROXY command, TCP over IPv4) naming `source`."""
    payload = (ipaddress.IPv4Address(source).packed + ipaddress.IPv4Address(destination).packed
               + struct.pack("!HH", source_port, destination_port))
    return b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", len(payload)) + payload


def connect(host, port, timeout, proxy_source):
    sock = socket.create_connection((host, port), timeout)
    if proxy_source:
        sock.sendall(proxy_v2(proxy_source, destination_port=port))
    return sock


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate
    return context


class ProxiedSMTP(smtplib.SMTP):
    def __init__(self, host, port=25, proxy_source=None):
        self.proxy_source = proxy_source
        super().__init__(host, port, timeout=TIMEOUT)

    def _get_socket(self, host, port, timeout):
        return connect(host, port, timeout, self.proxy_source)


class ProxiedPOP3(poplib.POP3):
    def __init__(self, host, port=110, proxy_source=None):
        self.proxy_source = proxy_source
        super().__init__(host, port, timeout=TIMEOUT)

    def _create_socket(self, timeout):
        return connect(self.host, self.port, timeout, self.proxy_source)


class ProxiedIMAP(imaplib.IMAP4):
    def __init__(self, host, port=143, proxy_source=None):
        self.proxy_source = proxy_source
        super().__init__(host, port, timeout=TIMEOUT)

    def _create_socket(self, timeout):
        return connect(self.host, self.port, timeout, self.proxy_source)


def make_message(to, tag, size=600):
    """A message whose first header is the X-E2E-Id mark; returns (id, bytes)."""
    message_id = uuid.uuid4().hex
    body = "".join(f"{tag} line {i:04d} {message_id}\r\n" for i in range(max(1, size // 50)))
    text = (f"X-E2E-Id: {message_id}\r\nFrom: e2e@client.test\r\nTo: {to}\r\n"
            f"Subject: e2e {tag} {message_id}\r\nMessage-ID: <{message_id}@client.test>\r\n"
            f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n"
            f"\r\n{body}")
    return message_id, text.encode()


def digest(message):
    """SHA-256 of a message from its X-E2E-Id mark on (what the server prepends is skipped)."""
    start = message.find(MARK)
    return hashlib.sha256(message[start:] if start >= 0 else message).hexdigest()


def emit(result):
    print(json.dumps(result), flush=True)


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr, flush=True)
        sys.exit(1)


def send_like_an_mta(host, port, source, to, message, what):
    """Sends one message; a 4xx (temporary) refusal is retried as an MTA would, up to 10
    times a second apart. Returns (client address, the 4xx replies seen)."""
    temporary = []
    for attempt in range(10):
        try:
            with ProxiedSMTP(host, port, proxy_source=source) as smtp:
                smtp.ehlo("client.e2e.test")
                refused = smtp.sendmail("e2e@client.test", [to], message)
                check(not refused, f"{what} refused {refused}")
                return smtp.sock.getsockname()[0], temporary
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                smtplib.SMTPSenderRefused) as e:
            codes = ([c for c, _ in e.recipients.values()]
                     if isinstance(e, smtplib.SMTPRecipientsRefused) else [e.smtp_code])
            if attempt == 9 or not all(400 <= c < 500 for c in codes):
                raise
            temporary.append(str(e)[:200])
            time.sleep(1)
    raise AssertionError("unreachable")


def cmd_deliver(args):
    sent = []
    temporary = []
    for target in args.targets:
        host, _, port = target.partition(":")
        message_id, message = make_message(args.to, f"deliver-{host}")
        client_ip, refusals = send_like_an_mta(host, int(port or 25), args.source, args.to,
                                               message, target)
        temporary += refusals
        sent.append({"id": message_id, "sha256": digest(message), "target": target,
                     "client_ip": client_ip})
    emit({"sent": sent, "temporary_refusals": temporary})


def cmd_load(args):
    """Sends messages for --seconds over the targets in turn, one connection at a time, and
    reports which were answered 250 (accepted) and which got anything else."""
    accepted, failed = [], 0
    reported = []

    def report(host, error):
        # What went wrong and when, for the test's failure message (bounded).
        if len(reported) < 40:
            reported.append(1)
            print(f"REFUSED {time.strftime('%H:%M:%S')} {host} {type(error).__name__}: "
                  f"{str(error)[:200]}", flush=True)

    # --seconds counts from the first accepted message (LOAD-STARTED), so a slow container
    # start on a busy machine does not eat into the time the restart scenario needs; before
    # that, at most 60 s more.
    deadline = time.monotonic() + args.seconds + 60
    turn = 0
    started = False
    while time.monotonic() < deadline:
        host, _, port = args.targets[turn % len(args.targets)].partition(":")
        turn += 1
        try:
            with ProxiedSMTP(host, int(port or 25), proxy_source="198.51.100.77") as smtp:
                smtp.ehlo("load.e2e.test")
                for _ in range(20):
                    if time.monotonic() >= deadline:
                        break
                    message_id, message = make_message(args.to, "load", size=2000)
                    try:
                        refused = smtp.sendmail("load@client.test", [args.to], message)
                    except smtplib.SMTPResponseException as e:  # 4xx/5xx: not accepted
                        failed += 1
                        report(host, e)
                        smtp.rset()
                        continue
                    if refused:
                        failed += 1
                        report(host, refused)
                        continue
                    accepted.append({"id": message_id, "sha256": digest(message)})
                    if not started:
                        started = True
                        deadline = time.monotonic() + args.seconds
                        print("LOAD-STARTED", flush=True)
                    if len(accepted) % 10 == 0:
                        print(f"ACCEPTED {len(accepted)} {time.strftime('%H:%M:%S')}",
                              flush=True)
        except (OSError, smtplib.SMTPException) as e:
            failed += 1  # the connection ended (store restart, 421): reconnect
            report(host, e)
            time.sleep(0.2)
    emit({"accepted": accepted, "failed": failed})


def cmd_pop3_read(args):
    want = {m["id"]: m["sha256"] for m in json.load(open(args.ids))}
    host, _, port = args.target.partition(":")
    pop = ProxiedPOP3(host, int(port or 110), proxy_source="198.51.100.11")
    pop.stls(tls_context())
    pop.user(args.user)
    pop.pass_(args.password)
    count, _ = pop.stat()
    seen = {}
    for i in range(1, count + 1):
        message = b"\r\n".join(pop.retr(i)[1]) + b"\r\n"
        match = re.search(rb"X-E2E-Id: ([0-9a-f]+)", message)
        if match:
            seen[match.group(1).decode()] = digest(message)
    pop.quit()
    for message_id, sha in want.items():
        check(seen.get(message_id) == sha, f"pop3 {args.target}: message {message_id}")
    emit({"pop3": args.target, "messages": count, "checked": len(want)})


def imap_state(imap):
    """UIDVALIDITY, UIDNEXT and {uid: flags} of the selected mailbox."""
    typ, _ = imap.noop()
    validity = imap.response("UIDVALIDITY")[1][0]
    typ, data = imap.uid("FETCH", "1:*", "(FLAGS)")
    check(typ == "OK", f"UID FETCH FLAGS: {data}")
    messages = {}
    for line in data:
        if isinstance(line, bytes):
            uid = re.search(rb"UID (\d+)", line)
            flags = re.search(rb"FLAGS \(([^)]*)\)", line)
            if uid:
                # \Recent belongs to one session (RFC 3501 §2.3.2), so it is left out.
                names = (flags.group(1) if flags else b"").split()
                messages[int(uid.group(1))] = sorted(f for f in names if f != rb"\Recent")
    return {"uidvalidity": validity.decode() if validity else None,
            "messages": {str(k): [f.decode() for f in v] for k, v in sorted(messages.items())}}


def imap_login(target, args, source):
    host, _, port = target.partition(":")
    imap = ProxiedIMAP(host, int(port or 143), proxy_source=source)
    imap.starttls(tls_context())
    imap.login(args.user, args.password)
    typ, data = imap.select("INBOX")
    check(typ == "OK", f"SELECT on {target}: {data}")
    return imap


def imap_digests(imap):
    typ, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
    check(typ == "OK", f"UID FETCH BODY: {typ}")
    found = {}
    for item in data:
        if isinstance(item, tuple):
            message = item[1]
            match = re.search(rb"X-E2E-Id: ([0-9a-f]+)", message)
            if match:
                found[match.group(1).decode()] = digest(message)
    return found


def cmd_imap_read(args):
    want = {m["id"]: m["sha256"] for m in json.load(open(args.ids))}
    states = {}
    for n, target in enumerate(args.targets):
        imap = imap_login(target, args, f"198.51.100.{20 + n}")
        found = imap_digests(imap)
        for message_id, sha in want.items():
            check(found.get(message_id) == sha, f"imap {target}: message {message_id}")
        states[target] = imap_state(imap)
        imap.logout()
    first = next(iter(states.values()))
    check(all(s == first for s in states.values()), f"replicas disagree: {states}")
    emit({"imap": list(states), "messages": len(first["messages"])})


def cmd_imap_idle(args):
    imap = imap_login(args.imap, args, "198.51.100.31")
    tag = imap._new_tag().decode()
    imap.send(f"{tag} IDLE\r\n".encode())
    check(imap.readline().startswith(b"+"), "IDLE continuation")
    message_id, message = make_message(args.user, "idle")
    host, _, port = args.smtp.partition(":")
    # A 4xx is a temporary refusal that an MTA retries; the latency measured is from the 250.
    start = time.monotonic()
    _, temporary = send_like_an_mta(host, int(port or 25), "198.51.100.32", args.user, message,
                                    args.smtp)
    accepted = time.monotonic()
    imap.sock.settimeout(10)
    lines = []
    for _ in range(10):  # EXISTS may come with other untagged data (RECENT, FETCH)
        lines.append(imap.readline())
        if re.match(rb"\* \d+ EXISTS", lines[-1]):
            break
    seen = time.monotonic()
    check(re.match(rb"\* \d+ EXISTS", lines[-1]) is not None, f"IDLE saw {lines!r}")
    imap.send(b"DONE\r\n")
    for _ in range(100):  # untagged updates, then the tagged end of IDLE
        line = imap.readline()
        check(line != b"", "connection closed after DONE")
        if line.startswith(tag.encode()):
            break
    imap.logout()
    emit({"idle_exists_after_250_ms": round((seen - accepted) * 1000, 1),
          "deliver_ms": round((accepted - start) * 1000, 1), "id": message_id,
          "temporary_refusals": temporary})


def cmd_imap_failover(args):
    first = imap_login(args.first, args, "198.51.100.41")
    typ, data = first.uid("SEARCH", "ALL")
    uids = data[0].split()
    check(uids, "INBOX is empty")
    first.uid("STORE", uids[0], "+FLAGS", r"(\Flagged)")
    before = imap_state(first)
    print("KILL-ME", flush=True)
    # Keep the session busy until the replica is gone (bounded: 60 s).
    deadline = time.monotonic() + 60
    broken = False
    while time.monotonic() < deadline and not broken:
        try:
            first.noop()
            time.sleep(0.2)
        except (OSError, imaplib.IMAP4.abort, imaplib.IMAP4.error):
            broken = True
    check(broken, f"{args.first} kept answering")
    second = imap_login(args.second, args, "198.51.100.42")
    after = imap_state(second)
    second.logout()
    check(before == after, f"state differs after failover: {before} vs {after}")
    emit({"failover": [args.first, args.second], "messages": len(after["messages"])})


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("deliver")
    p.add_argument("targets", nargs="+")
    p.add_argument("--to", required=True)
    p.add_argument("--source")
    p.set_defaults(run=cmd_deliver)
    p = sub.add_parser("load")
    p.add_argument("targets", nargs="+")
    p.add_argument("--to", required=True)
    p.add_argument("--seconds", type=float, default=20)
    p.set_defaults(run=cmd_load)
    for name, run in (("pop3-read", cmd_pop3_read), ("imap-read", cmd_imap_read)):
        p = sub.add_parser(name)
        p.add_argument("target" if name == "pop3-read" else "targets",
                       nargs=None if name == "pop3-read" else "+")
        p.add_argument("--user", required=True)
        p.add_argument("--password", required=True)
        p.add_argument("--ids", required=True)
        p.set_defaults(run=run)
    p = sub.add_parser("imap-idle")
    p.add_argument("imap")
    p.add_argument("smtp")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.set_defaults(run=cmd_imap_idle)
    p = sub.add_parser("imap-failover")
    p.add_argument("first")
    p.add_argument("second")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.set_defaults(run=cmd_imap_failover)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
