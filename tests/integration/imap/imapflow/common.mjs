// Shared setup of the imapflow scripts (tests/integration/imap/imapflow_test.py runs them):
// where the servers are, a client with verified TLS, a watchdog, bounded waits for events.
// Every script exits 0 only when all of its assertions held.
import fs from 'node:fs';
import { ImapFlow } from 'imapflow';

function required(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set: run through imapflow_test.py`);
    }
    return value;
}

export const config = {
    host: '127.0.0.1',
    imapsPort: Number(required('MAILROOM_IMAPS_PORT')),
    smtpPort: Number(process.env.MAILROOM_SMTP_PORT || 0),
    ca: fs.readFileSync(required('MAILROOM_CA')),
    user: required('MAILROOM_USER'),
    password: required('MAILROOM_PASSWORD'),
    log: process.env.MAILROOM_IMAPFLOW_LOG || null
};

// The protocol trace of every client goes to one file, which the driver prints on failure.
function makeLogger(name) {
    if (!config.log) {
        return false;
    }
    const write = level => entry => {
        const { msg, src, cid, err } = entry;
        let line = `${new Date().toISOString()} ${name} ${level}`;
        if (src) line += ` ${src}:`;
        if (msg) line += ` ${msg}`;
        if (err) line += ` err=${err.message || err}`;
        if (!src && !msg && !err) line += ` ${JSON.stringify(entry, (k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
        fs.appendFileSync(config.log, line.replace(/\r?\n$/, '') + '\n');
    };
    return { trace: write('trace'), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

// An imapflow client on implicit TLS (port 993 style), verifying the server's certificate
// against the test CA: the certificate names IP:127.0.0.1.
export function newClient(name, options = {}) {
    return new ImapFlow({
        host: config.host,
        port: config.imapsPort,
        secure: true,
        tls: { ca: [config.ca], minVersion: 'TLSv1.2' },
        auth: { user: config.user, pass: config.password },
        logger: makeLogger(name),
        connectionTimeout: 10000,
        greetingTimeout: 10000,
        socketTimeout: 60000,
        ...options
    });
}

// Fails the whole script if it runs longer than `ms`: a hung server must not hang ctest.
export function watchdog(ms) {
    setTimeout(() => {
        console.error(`watchdog: the script did not finish within ${ms} ms`);
        process.exit(3);
    }, ms).unref();
}

// Resolves with the first `event` emitted by `emitter` for which `predicate` holds, or
// rejects after `ms`. The listener is attached at once, so start waiting before acting.
export function waitForEvent(emitter, event, predicate, ms) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            emitter.off(event, listener);
            reject(new Error(`no matching '${event}' event within ${ms} ms`));
        }, ms);
        function listener(data) {
            if (predicate(data)) {
                clearTimeout(timer);
                emitter.off(event, listener);
                resolve(data);
            }
        }
        emitter.on(event, listener);
    });
}

// Polls `condition` every 10 ms until it holds, or throws after `ms` naming `what`.
export async function waitUntil(condition, ms, what) {
    const deadline = Date.now() + ms;
    while (!condition()) {
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        }
        await new Promise(r => setTimeout(r, 10));
    }
}

// Reads a stream to one Buffer.
export async function readAll(stream) {
    const chunks = [];
    for await (const chunk of stream) {
        chunks.push(chunk);
    }
    return Buffer.concat(chunks);
}

// Message flags without \Recent (a session property, RFC 3501 §2.3.2, not part of the message).
export function storedFlags(flags) {
    return [...flags].filter(f => f !== '\\Recent').sort();
}

// Runs `main` and turns any failure into a message on stderr and exit status 1.
export function run(main) {
    main().then(
        () => process.exit(0),
        err => {
            console.error(err && err.stack ? err.stack : err);
            if (err && (err.responseText || err.serverResponseCode)) {
                console.error(`server response: ${err.responseText} [${err.serverResponseCode}]`);
            }
            process.exit(1);
        }
    );
}
