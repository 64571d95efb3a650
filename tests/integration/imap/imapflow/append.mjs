// APPEND (RFC 9051 §6.3.12) with UIDPLUS (RFC 4315 §3) through imapflow: flags and an
// internal date are kept, the APPENDUID matches the mailbox, the message comes back byte for
// byte; a NUL goes through literal8 (RFC 3516 §4.4); a missing mailbox gives NO [TRYCREATE].
import assert from 'node:assert/strict';
import { newClient, run, storedFlags, watchdog } from './common.mjs';

watchdog(60000);

// 8-bit UTF-8 in a header and the body, trailing spaces, a line of 990 octets, no final CRLF:
// everything a server could normalise by mistake.
const MESSAGE = Buffer.concat([
    Buffer.from(
        'From: Zoë <zoe@example.test>\r\n' +
            'To: flow@example.test\r\n' +
            'Subject: append round trip\r\n' +
            'Date: Tue, 3 Feb 2026 04:05:06 -0800\r\n' +
            'Message-ID: <append-1@example.test>\r\n' +
            'MIME-Version: 1.0\r\n' +
            'Content-Type: text/plain; charset=utf-8\r\n' +
            'Content-Transfer-Encoding: 8bit\r\n' +
            '\r\n' +
            'Grüße aus Zürich.   \r\n' +
            '\r\n' +
            '.leading dot\r\n' +
            'x'.repeat(990) +
            '\r\n' +
            'no final line end'
    )
]);

async function fetchBack(client, uid) {
    return client.fetchOne(String(uid), { uid: true, flags: true, internalDate: true, size: true, source: true }, { uid: true });
}

run(async () => {
    const client = newClient('append', { disableAutoIdle: true });
    await client.connect();
    assert.ok(client.capabilities.has('UIDPLUS'), 'UIDPLUS is not advertised');

    await client.mailboxCreate('Drafts2');
    const before = await client.status('Drafts2', { uidNext: true, uidValidity: true, messages: true });
    assert.equal(before.messages, 0);

    // 1. Into a mailbox that is not selected: APPENDUID gives the UID and UIDVALIDITY.
    const flags = ['\\Seen', '\\Draft', '$Forwarded', 'Custom_kw'];
    const idate = new Date('2024-02-29T23:59:58.000Z');
    const res = await client.append('Drafts2', MESSAGE, flags, idate);
    assert.ok(res, 'append returned nothing');
    assert.equal(res.destination, 'Drafts2');
    assert.equal(res.uid, before.uidNext);
    assert.equal(res.uidValidity, before.uidValidity);
    assert.equal(res.seq, undefined);

    const box = await client.mailboxOpen('Drafts2');
    assert.equal(box.exists, 1);
    assert.equal(box.uidValidity, res.uidValidity);
    assert.equal(box.uidNext, res.uid + 1);
    let msg = await fetchBack(client, res.uid);
    assert.ok(msg, `UID ${res.uid} not found`);
    assert.ok(msg.source.equals(MESSAGE), `source differs:\n${msg.source.toString('latin1')}`);
    assert.equal(msg.size, MESSAGE.length);
    assert.deepEqual(storedFlags(msg.flags), [...flags].sort());
    assert.equal(new Date(msg.internalDate).getTime(), idate.getTime());

    // 2. Into the selected mailbox, with a date in another zone: seq comes from EXISTS.
    const second = Buffer.from('Subject: second\r\n\r\nbody\r\n');
    const idate2 = '05-Mar-2025 06:07:08 +0530';
    const res2 = await client.append('Drafts2', second, ['\\Flagged'], idate2);
    assert.equal(res2.uid, res.uid + 1);
    assert.equal(res2.uidValidity, res.uidValidity);
    assert.equal(res2.seq, 2);
    assert.equal(client.mailbox.exists, 2);
    msg = await fetchBack(client, res2.uid);
    assert.ok(msg.source.equals(second));
    assert.deepEqual(storedFlags(msg.flags), ['\\Flagged']);
    assert.equal(new Date(msg.internalDate).getTime(), Date.parse('2025-03-05T06:07:08+05:30'));

    // 3. No flags, no date: the internal date is about now.
    const res3 = await client.append('Drafts2', 'Subject: third\r\n\r\nbody\r\n');
    msg = await fetchBack(client, res3.uid);
    assert.deepEqual(storedFlags(msg.flags), []);
    const skew = Math.abs(new Date(msg.internalDate).getTime() - Date.now());
    assert.ok(skew < 60000, `internal date ${msg.internalDate} is ${skew} ms off`);

    // 4. A NUL byte: imapflow sends literal8 because BINARY is advertised.
    const binary = Buffer.from('Subject: nul\r\nContent-Transfer-Encoding: binary\r\n\r\na\x00b\r\n', 'latin1');
    const res4 = await client.append('Drafts2', binary);
    msg = await fetchBack(client, res4.uid);
    assert.ok(msg.source.equals(binary), `binary source differs: ${JSON.stringify(msg.source.toString('latin1'))}`);

    // 5. A mailbox that does not exist: NO [TRYCREATE] (RFC 9051 §6.3.12), nothing stored.
    await assert.rejects(client.append('No/Such/Box', MESSAGE, ['\\Seen']), err => {
        assert.equal(err.serverResponseCode, 'TRYCREATE');
        assert.equal(err.responseStatus, 'NO');
        return true;
    });
    const list = await client.list();
    assert.ok(!list.some(m => m.path.startsWith('No')), 'the failed APPEND created a mailbox');

    await client.logout();
});
