// BODYSTRUCTURE (RFC 9051 §7.5.2) as imapflow parses it, for a multipart/mixed holding a
// multipart/alternative (quoted-printable Latin-1 text + 8bit UTF-8 HTML), an attachment whose
// filename is an RFC 2231 continuation with charset and language, and a message/rfc822 that is
// itself multipart: types, part numbers, parameters, disposition, encoding, sizes and line
// counts against the bytes we built; then every leaf downloaded by part number (download(),
// FETCH BINARY, fetch bodyParts) and compared with the decoded or raw content.
import assert from 'node:assert/strict';
import { newClient, readAll, run, watchdog } from './common.mjs';

watchdog(60000);

const CRLF = '\r\n';
const lines = (...l) => l.join(CRLF) + CRLF;

// Leaf bodies, exactly as they sit between their header and the next boundary line.
const PLAIN_DECODED = 'Grüße aus Köln, ein langer Satz der mit einem weichen Zeilenumbruch weitergeht.\r\n';
const PLAIN_BODY = Buffer.from(lines('Gr=FC=DFe aus K=F6ln, ein langer Satz der mit einem weichen Zeilenumbruch =', 'weitergeht.'), 'latin1');
const HTML_BODY = Buffer.from(lines('<p>Grüße aus Köln</p>', '<p>zweite Zeile</p>'), 'utf8');
const PDF = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256));
const PDF_BODY = Buffer.from(PDF.toString('base64').replace(/.{1,76}/g, '$&\r\n'));
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from(Array.from({ length: 40 }, (_, i) => i))]);
const PNG_BODY = Buffer.from(PNG.toString('base64').replace(/.{1,76}/g, '$&\r\n'));
const INNER_TEXT = Buffer.from(lines('The forwarded text.', 'Second line.'));

const part = (header, body) => Buffer.concat([Buffer.from(header + CRLF), body]);
const multipart = (boundary, parts, preamble = '', epilogue = '') =>
    Buffer.concat([
        Buffer.from(preamble),
        ...parts.flatMap(p => [Buffer.from(`--${boundary}${CRLF}`), p, Buffer.from(CRLF)]),
        Buffer.from(`--${boundary}--${CRLF}${epilogue}`)
    ]);

const PLAIN_HEADER = lines('Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable');
const HTML_HEADER = lines('Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
const ALTERNATIVE_BODY = multipart('alt2', [part(PLAIN_HEADER, PLAIN_BODY), part(HTML_HEADER, HTML_BODY)]);
const PDF_HEADER = lines(
    'Content-Type: application/pdf; name="=?utf-8?Q?r=C3=A9sum=C3=A9_final.pdf?="',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment;',
    " filename*0*=utf-8'fr'r%C3%A9sum%C3%A9;",
    ' filename*1*=%20final.pdf;',
    ' size=300',
    'Content-ID: <att-1@example.test>',
    'Content-Description: Curriculum vitae',
    'Content-Language: fr'
);
const INNER_TEXT_HEADER = lines('Content-Type: text/plain; charset=us-ascii');
const PNG_HEADER = lines('Content-Type: image/png', 'Content-Transfer-Encoding: base64', 'Content-Disposition: inline; filename="dot.png"');
const INNER_HEADER = lines(
    'From: Carol <carol@example.test>',
    'To: Ann <ann@example.test>',
    'Subject: =?utf-8?Q?Weitergeleitet:_Gr=C3=BC=C3=9Fe?=',
    'Date: Mon, 2 Feb 2026 10:00:00 +0000',
    'Message-ID: <inner-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="inner"'
);
const INNER_BODY = multipart('inner', [part(INNER_TEXT_HEADER, INNER_TEXT), part(PNG_HEADER, PNG_BODY)]);
const INNER = part(INNER_HEADER, INNER_BODY);
const RFC822_HEADER = lines('Content-Type: message/rfc822', 'Content-Disposition: inline');
const ALTERNATIVE_HEADER = lines('Content-Type: multipart/alternative; boundary=alt2');
const TOP_HEADER = lines(
    'From: Ann <ann@example.test>',
    'To: Bob <bob@example.test>',
    'Subject: structure',
    'Date: Tue, 3 Feb 2026 11:00:00 +0100',
    'Message-ID: <structure-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="=_outer_1"'
);
const MESSAGE = part(
    TOP_HEADER,
    multipart(
        '=_outer_1',
        [part(ALTERNATIVE_HEADER, ALTERNATIVE_BODY), part(PDF_HEADER, PDF_BODY), part(RFC822_HEADER, INNER)],
        lines('This is a multi-part message in MIME format.'),
        lines('epilogue')
    )
);

// Lines of a body as RFC 9051 §7.5.2 counts them for text/* and message/rfc822.
const lineCount = buf => buf.toString('latin1').split('\n').length - 1;

// Only the fields the test states; imapflow leaves absent ones undefined.
function pick(node) {
    const out = {};
    for (const key of ['part', 'type', 'parameters', 'id', 'description', 'encoding', 'size', 'lineCount', 'disposition', 'dispositionParameters', 'language']) {
        if (node[key] !== undefined) out[key] = node[key];
    }
    return out;
}

run(async () => {
    const client = newClient('bodystructure', { disableAutoIdle: true });
    await client.connect();
    const appended = await client.append('INBOX', MESSAGE);
    await client.mailboxOpen('INBOX');
    const uid = String(appended.uid);
    const msg = await client.fetchOne(uid, { uid: true, size: true, bodyStructure: true, envelope: true }, { uid: true });
    assert.equal(msg.size, MESSAGE.length);
    const root = msg.bodyStructure;

    assert.deepEqual(pick(root), { type: 'multipart/mixed', parameters: { boundary: '=_outer_1' } });
    assert.equal(root.childNodes.length, 3);
    const [alternative, pdf, rfc822] = root.childNodes;

    assert.deepEqual(pick(alternative), { part: '1', type: 'multipart/alternative', parameters: { boundary: 'alt2' } });
    assert.equal(alternative.childNodes.length, 2);
    assert.deepEqual(pick(alternative.childNodes[0]), {
        part: '1.1',
        type: 'text/plain',
        parameters: { charset: 'iso-8859-1' },
        encoding: 'quoted-printable',
        size: PLAIN_BODY.length,
        lineCount: lineCount(PLAIN_BODY)
    });
    assert.deepEqual(pick(alternative.childNodes[1]), {
        part: '1.2',
        type: 'text/html',
        parameters: { charset: 'utf-8' },
        encoding: '8bit',
        size: HTML_BODY.length,
        lineCount: lineCount(HTML_BODY)
    });

    // RFC 2231: the continued, charset-tagged filename arrives whole (the server may send it
    // decoded or as the raw pieces; imapflow joins and decodes either).
    assert.deepEqual(pick(pdf), {
        part: '2',
        type: 'application/pdf',
        parameters: { name: 'résumé final.pdf' },
        id: '<att-1@example.test>',
        description: 'Curriculum vitae',
        encoding: 'base64',
        size: PDF_BODY.length,
        disposition: 'attachment',
        dispositionParameters: { filename: 'résumé final.pdf', size: '300' },
        language: ['fr']
    });

    assert.deepEqual(pick(rfc822), {
        part: '3',
        type: 'message/rfc822',
        encoding: '7bit',
        size: INNER.length,
        lineCount: lineCount(INNER),
        disposition: 'inline'
    });
    assert.equal(rfc822.envelope.subject, 'Weitergeleitet: Grüße');
    assert.deepEqual(rfc822.envelope.from, [{ name: 'Carol', address: 'carol@example.test' }]);
    assert.equal(rfc822.envelope.messageId, '<inner-1@example.test>');
    assert.equal(rfc822.childNodes.length, 1);
    const inner = rfc822.childNodes[0];
    assert.deepEqual(pick(inner), { part: '3', type: 'multipart/mixed', parameters: { boundary: 'inner' } });
    assert.deepEqual(pick(inner.childNodes[0]), {
        part: '3.1',
        type: 'text/plain',
        parameters: { charset: 'us-ascii' },
        encoding: '7bit',
        size: INNER_TEXT.length,
        lineCount: lineCount(INNER_TEXT)
    });
    assert.deepEqual(pick(inner.childNodes[1]), {
        part: '3.2',
        type: 'image/png',
        encoding: 'base64',
        size: PNG_BODY.length,
        disposition: 'inline',
        dispositionParameters: { filename: 'dot.png' }
    });
    assert.equal(msg.envelope.subject, 'structure');

    // download(): transfer encoding removed, text converted to UTF-8, metadata from the structure.
    const get = async (partNo, options = {}) => {
        const d = await client.download(uid, partNo, { uid: true, ...options });
        assert.ok(d.content, `part ${partNo} not found`);
        return { meta: d.meta, content: await readAll(d.content) };
    };
    let d = await get('1.1');
    assert.equal(d.content.toString('utf8'), PLAIN_DECODED);
    assert.equal(d.meta.contentType, 'text/plain');
    d = await get('1.2');
    assert.ok(d.content.equals(HTML_BODY));
    d = await get('2');
    assert.ok(d.content.equals(PDF), 'the PDF attachment differs after base64 decoding');
    assert.equal(d.meta.filename, 'résumé final.pdf');
    assert.equal(d.meta.disposition, 'attachment');
    assert.equal(d.meta.contentType, 'application/pdf');
    assert.equal(d.meta.encoding, 'base64');
    d = await get('3.1');
    assert.ok(d.content.equals(INNER_TEXT));
    d = await get('3.2');
    assert.ok(d.content.equals(PNG), 'the inner PNG differs after base64 decoding');
    assert.equal(d.meta.filename, 'dot.png');

    // The same through FETCH BINARY (RFC 3516): the server removes the transfer encoding.
    d = await get('2', { binary: true });
    assert.ok(d.content.equals(PDF), 'BINARY[2] differs from the attachment');
    d = await get('3.2', { binary: true });
    assert.ok(d.content.equals(PNG), 'BINARY[3.2] differs from the inner PNG');
    d = await get('1.1', { binary: true, decodeText: false });
    // Latin-1 bytes: with decodeText off, imapflow leaves the charset alone.
    assert.ok(d.content.equals(Buffer.from(PLAIN_DECODED, 'latin1')), `BINARY[1.1] is ${JSON.stringify(d.content.toString('latin1'))}`);

    // Raw sections (RFC 9051 §6.4.5 BODY[part], .MIME, .HEADER) byte for byte.
    const raw = await client.fetchOne(uid, { uid: true, bodyParts: ['1', '1.2', '2', '2.mime', '3', '3.header', '3.2'] }, { uid: true });
    const section = key => {
        const value = raw.bodyParts.get(key);
        assert.ok(value, `no BODY[${key}] (got ${[...raw.bodyParts.keys()]})`);
        return value;
    };
    assert.ok(section('1').equals(ALTERNATIVE_BODY), 'BODY[1]');
    assert.ok(section('1.2').equals(HTML_BODY), 'BODY[1.2]');
    assert.ok(section('2').equals(PDF_BODY), 'BODY[2]');
    assert.ok(section('2.mime').equals(Buffer.from(PDF_HEADER + CRLF)), 'BODY[2.MIME]');
    assert.ok(section('3').equals(INNER), 'BODY[3]');
    assert.ok(section('3.header').equals(Buffer.from(INNER_HEADER + CRLF)), 'BODY[3.HEADER]');
    assert.ok(section('3.2').equals(PNG_BODY), 'BODY[3.2]');

    // Without IMAP4rev2 the server may not put UTF-8 in a quoted string (RFC 3501 §9 CHAR is
    // 7-bit): the decoded filename comes as a literal, and reads the same.
    const rev1 = newClient('bodystructure-rev1', { disableAutoIdle: true, disableIMAP4rev2: true });
    await rev1.connect();
    assert.ok(!rev1.enabled.has('IMAP4rev2'), 'IMAP4rev2 got enabled');
    await rev1.mailboxOpen('INBOX');
    const again = await rev1.fetchOne(uid, { uid: true, bodyStructure: true }, { uid: true });
    assert.deepEqual(again.bodyStructure, root);
    await rev1.logout();

    await client.logout();
});
