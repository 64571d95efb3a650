// IDLE (RFC 2177, RFC 9051 §6.3.13) seen by imapflow: client A selects INBOX and idles; a
// message delivered through mailroom-smtpd (nodemailer, STARTTLS verified) reaches A as an
// `exists` event, a flag change by client B as a `flags` event and an expunge by B as an
// `expunge` event, each within EVENT_MS while A stays in IDLE the whole time.
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { config, newClient, readAll, run, waitForEvent, waitUntil, watchdog } from './common.mjs';

const EVENT_MS = 5000;
watchdog(60000);

// Waits until A is in IDLE (imapflow starts it itself after `autoIdleDelay` of quiet).
async function idling(a) {
    await waitUntil(() => a.idling, 5000, 'client A to enter IDLE');
}

run(async () => {
    assert.ok(config.smtpPort, 'MAILROOM_SMTP_PORT is not set');
    const a = newClient('A', { autoIdleDelay: 100 });
    const b = newClient('B', { disableAutoIdle: true });
    await a.connect();
    await b.connect();
    assert.ok(a.capabilities.has('IDLE'), 'IDLE is not advertised');

    // A message already there, so that the expunge below is not of the only message.
    await b.append('INBOX', 'Subject: first\r\n\r\nfirst\r\n');
    const box = await a.mailboxOpen('INBOX');
    assert.equal(box.exists, 1);
    await idling(a);

    // 1. A delivery through SMTP.
    const transport = nodemailer.createTransport({
        host: config.host,
        port: config.smtpPort,
        secure: false,
        requireTLS: true,
        name: 'client.example.test',
        tls: { ca: [config.ca] },
        connectionTimeout: 10000,
        greetingTimeout: 10000,
        socketTimeout: 10000
    });
    const exists = waitForEvent(a, 'exists', e => e.path === 'INBOX' && e.count === 2, EVENT_MS);
    let started = Date.now();
    const info = await transport.sendMail({
        envelope: { from: 'sender@elsewhere.test', to: [config.user] },
        from: 'Sender <sender@elsewhere.test>',
        to: config.user,
        subject: 'delivered while idling',
        text: 'Hello from nodemailer.\n',
        messageId: '<idle-1@elsewhere.test>'
    });
    transport.close();
    assert.deepEqual(info.accepted, [config.user]);
    assert.match(info.response, /^250 /);
    const existsEvent = await exists;
    const existsMs = Date.now() - started;
    assert.equal(existsEvent.prevCount, 1);
    assert.ok(a.idling, 'A left IDLE before the EXISTS arrived');
    assert.equal(a.mailbox.exists, 2);

    // 2. B flags the new message; A sees the FETCH FLAGS while idling.
    await b.mailboxOpen('INBOX');
    const delivered = await b.fetchOne('2', { uid: true, envelope: true });
    assert.equal(delivered.envelope.subject, 'delivered while idling');
    assert.equal(delivered.envelope.messageId, '<idle-1@elsewhere.test>');
    await idling(a);
    const flags = waitForEvent(a, 'flags', e => e.seq === 2 && e.flags.has('\\Flagged'), EVENT_MS);
    started = Date.now();
    assert.equal(await b.messageFlagsAdd(String(delivered.uid), ['\\Flagged', '$Important'], { uid: true }), true);
    const flagsEvent = await flags;
    const flagsMs = Date.now() - started;
    assert.ok(flagsEvent.flags.has('$Important'), `flags event without $Important: ${[...flagsEvent.flags]}`);
    assert.ok(!flagsEvent.flags.has('\\Seen'));
    if (flagsEvent.uid !== undefined) {
        assert.equal(flagsEvent.uid, delivered.uid);
    }
    assert.ok(a.idling, 'A left IDLE before the FETCH FLAGS arrived');

    // 3. B expunges the first message; A sees EXPUNGE 1 and 1 message left.
    const first = await b.fetchOne('1', { uid: true });
    await idling(a);
    const expunge = waitForEvent(a, 'expunge', e => e.path === 'INBOX', EVENT_MS);
    started = Date.now();
    assert.equal(await b.messageDelete(String(first.uid), { uid: true }), true);
    const expungeEvent = await expunge;
    const expungeMs = Date.now() - started;
    assert.equal(expungeEvent.vanished, false);
    assert.equal(expungeEvent.seq, 1);
    assert.ok(a.idling, 'A left IDLE before the EXPUNGE arrived');
    await waitUntil(() => a.mailbox.exists === 1, EVENT_MS, 'A to count 1 message');

    // After IDLE, A reads the delivered message as SMTP stored it (now sequence 1).
    const msg = await a.fetchOne('1', { uid: true, flags: true, source: true });
    assert.equal(msg.uid, delivered.uid);
    assert.ok(msg.flags.has('\\Flagged') && msg.flags.has('$Important'));
    const source = msg.source.toString();
    assert.match(source, /^Subject: delivered while idling$/m);
    assert.match(source, /Hello from nodemailer\./);
    // nodemailer sends CRLF line ends; download() removes the transfer encoding only.
    const download = await a.download('1', '1', {});
    assert.equal((await readAll(download.content)).toString(), 'Hello from nodemailer.\r\n');

    await a.logout();
    await b.logout();
    console.log(JSON.stringify({ exists_ms: existsMs, flags_ms: flagsMs, expunge_ms: expungeMs }));
});
