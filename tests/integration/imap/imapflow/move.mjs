// MOVE (RFC 6851) of a UID range through imapflow: COPYUID (RFC 4315 §3) maps every moved UID,
// the source loses exactly those messages (EXPUNGE seen by the mover and by a second client
// idling on the source), the destination holds them with the same bytes, flags and internal
// dates, in UID order.
import assert from 'node:assert/strict';
import { newClient, run, storedFlags, waitUntil, watchdog } from './common.mjs';

watchdog(60000);

const COUNT = 6;

function message(i) {
    return Buffer.from(
        `From: mover@example.test\r\nSubject: move ${i}\r\nMessage-ID: <move-${i}@example.test>\r\n\r\n` +
            `Message number ${i}.\r\n`.repeat(i + 1)
    );
}

async function snapshot(client, range) {
    const out = new Map();
    for await (const msg of client.fetch(range, { uid: true, flags: true, internalDate: true, source: true }, { uid: true })) {
        out.set(msg.uid, {
            source: msg.source,
            flags: storedFlags(msg.flags),
            internalDate: new Date(msg.internalDate).getTime()
        });
    }
    return out;
}

run(async () => {
    const mover = newClient('mover', { disableAutoIdle: true });
    const watcher = newClient('watcher', { autoIdleDelay: 100 });
    await mover.connect();
    await watcher.connect();
    assert.ok(mover.capabilities.has('MOVE'), 'MOVE is not advertised');

    await mover.mailboxCreate('Archive/2026');
    const dest = await mover.status('Archive/2026', { uidNext: true, uidValidity: true });
    const uids = [];
    for (let i = 0; i < COUNT; i++) {
        const flags = [['\\Seen'], ['\\Flagged', '$Work'], [], ['\\Answered', '\\Seen'], ['$Later'], []][i];
        const res = await mover.append('INBOX', message(i), flags, new Date(Date.UTC(2025, 0, i + 1, 12, i, i)));
        uids.push(res.uid);
    }

    await watcher.mailboxOpen('INBOX');
    const expunged = [];
    watcher.on('expunge', e => expunged.push(e.seq));
    await waitUntil(() => watcher.idling, 5000, 'the watcher to enter IDLE');

    await mover.mailboxOpen('INBOX');
    // Messages 2..5 (four UIDs) as one UID range.
    const range = `${uids[1]}:${uids[4]}`;
    const before = await snapshot(mover, range);
    assert.equal(before.size, 4);
    const moverExpunges = [];
    mover.on('expunge', e => moverExpunges.push(e.seq));

    const res = await mover.messageMove(range, 'Archive/2026', { uid: true });
    assert.ok(res, 'MOVE returned nothing');
    assert.equal(res.path, 'INBOX');
    assert.equal(res.destination, 'Archive/2026');
    assert.equal(res.uidValidity, dest.uidValidity);
    assert.ok(res.uidMap instanceof Map, 'no COPYUID uidMap');
    assert.deepEqual([...res.uidMap.keys()].sort((x, y) => x - y), uids.slice(1, 5));
    // New UIDs are assigned in the order of the source UIDs, from the destination's UIDNEXT.
    for (const [i, src] of uids.slice(1, 5).entries()) {
        assert.equal(res.uidMap.get(src), dest.uidNext + i, `uidMap ${src}`);
    }

    // The source: four EXPUNGEs (RFC 6851 §4.3), two messages left, the right ones.
    assert.equal(moverExpunges.length, 4, `mover saw expunges ${moverExpunges}`);
    assert.equal(mover.mailbox.exists, 2);
    const left = await snapshot(mover, '1:*');
    assert.deepEqual([...left.keys()], [uids[0], uids[5]]);
    assert.equal((await snapshot(mover, range)).size, 0);
    await waitUntil(() => expunged.length === 4, 5000, 'the watcher to see 4 EXPUNGEs');
    assert.equal(watcher.mailbox.exists, 2);

    // The destination: the same bytes, flags and internal dates under the mapped UIDs.
    const box = await mover.mailboxOpen('Archive/2026');
    assert.equal(box.exists, 4);
    const after = await snapshot(mover, '1:*');
    assert.deepEqual([...after.keys()], [...res.uidMap.values()]);
    for (const [src, dst] of res.uidMap) {
        const a = before.get(src);
        const b = after.get(dst);
        assert.ok(b.source.equals(a.source), `content of ${src} -> ${dst}`);
        assert.deepEqual(b.flags, a.flags, `flags of ${src} -> ${dst}`);
        assert.equal(b.internalDate, a.internalDate, `internal date of ${src} -> ${dst}`);
    }

    // Moving UIDs that are no longer in the source moves nothing and fails nothing.
    await mover.mailboxOpen('INBOX');
    const again = await mover.messageMove(range, 'Archive/2026', { uid: true });
    assert.ok(!again || !again.uidMap || again.uidMap.size === 0, 'a second MOVE of the same range moved something');
    assert.equal((await mover.status('Archive/2026', { messages: true })).messages, 4);

    // MOVE to a mailbox that does not exist: NO [TRYCREATE], the source unchanged.
    // messageMove() resolves false on a NO; the tagged response shows in 'response' events.
    const responses = [];
    mover.on('response', r => responses.push(r));
    assert.equal(await mover.messageMove('1:*', 'Nowhere', { uid: true }), false);
    assert.deepEqual(responses.at(-1), { response: 'NO', code: 'TRYCREATE' });
    assert.equal((await mover.status('INBOX', { messages: true })).messages, 2);

    await mover.logout();
    await watcher.logout();
});
