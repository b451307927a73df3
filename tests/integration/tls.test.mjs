// Built-in TLS (--tls-cert/--tls-key): a throwaway CA and server certificates made here with the
// openssl CLI; WSS, HTTPS, SockJS over HTTPS, certificate checks, TLS 1.2+ only, SIGHUP reload
// without dropping sessions, the HTTP->HTTPS redirect listener, and startup errors.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import WebSocket from 'ws';

import {
  SERVER_BIN,
  chatDest,
  closeAllClients,
  connectClient,
  freePort,
  joinRoom,
  sleep,
  startServer,
  uniqueRoom,
  withTimeout,
} from './helpers.mjs';

const T = { timeout: 30_000 };
const here = path.dirname(fileURLToPath(import.meta.url));
const TESTS_DIR = path.resolve(here, '..');

// ---------------------------------------------------------------------------------------------
// Certificates

const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-tls-'));
const file = (name) => path.join(dir, name);
const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

// A CA, and `name`.crt/.key: a server certificate for 127.0.0.1 and localhost signed by it.
function makeCa(name) {
  openssl('req', '-x509', ...EC, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`),
    '-days', '2', '-subj', `/CN=Parley Test CA ${name}`);
  return readFileSync(file(`${name}.crt`));
}
function makeServerCert(name, ca, serial) {
  writeFileSync(file('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('req', ...EC, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`),
    '-subj', '/CN=localhost');
  openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey',
    file(`${ca}.key`), '-set_serial', serial, '-days', '2', '-extfile', file('san.cnf'),
    '-out', file(`${name}.crt`));
}

const CA = makeCa('ca');
makeServerCert('first', 'ca', '0x1001');
makeServerCert('second', 'ca', '0x2002');
// The files parley is given; SIGHUP tests overwrite them.
const CERT = file('server.crt');
const KEY = file('server.key');
function install(name) {
  // rename: parley never reads a half-written file
  writeFileSync(`${CERT}.tmp`, readFileSync(file(`${name}.crt`)));
  writeFileSync(`${KEY}.tmp`, readFileSync(file(`${name}.key`)));
  renameSync(`${CERT}.tmp`, CERT);
  renameSync(`${KEY}.tmp`, KEY);
}
install('first');
after(() => rmSync(dir, { recursive: true, force: true }));

const tlsArgs = (...more) => ['--tls-cert', CERT, '--tls-key', KEY, ...more];

// The certificate a fresh TLS connection is served.
function peerCertificate(port, options = {}) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: CA, servername: 'localhost', ...options });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS connect timed out')));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.once('error', reject);
  });
}

function httpsGet(url, options = {}) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent: false, timeout: 5000, ...options }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('timeout', () => req.destroy(new Error('HTTPS request timed out')));
    req.on('error', reject);
  });
}

function httpsPostForm(url, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', agent: false, timeout: 5000, ca: CA, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function httpGetRaw(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

const chat = (nickname, msg) => ({ type: 'message', nickname, msg });

async function expectChat(sub, nickname, msg) {
  for (;;) {
    const json = JSON.parse((await sub.next(3000)).body);
    if (json.type === 'message') {
      assert.deepEqual(json, chat(nickname, msg));
      return;
    }
  }
}

// sockjs-client reads no CA option: it runs in a child node with NODE_EXTRA_CA_CERTS.
const SOCKJS_CHILD = `
import SockJS from 'sockjs-client';
import { Stomp } from '@stomp/stompjs';
const [url, transport, room] = process.argv.slice(1);
const fail = (why) => { console.log('FAIL ' + why); process.exit(1); };
setTimeout(() => fail('timed out'), 10000);
const sock = new SockJS(url, null, { transports: [transport] });
console.warn = () => {};
const stomp = Stomp.over(sock);
stomp.debug = () => {};
stomp.connect({}, () => {
  stomp.subscribe('/exchange/chat.exchange/room.' + room, (m) => {
    const json = JSON.parse(m.body);
    if (json.type === 'join' && json.from === 'sockjs') {
      console.log('OK ' + sock.transport);
      process.exit(0);
    }
  });
  stomp.send('/chat/room.' + room, {}, JSON.stringify({ type: 'join', from: 'sockjs', nickname: 'S' }));
}, (err) => fail('STOMP error ' + (err?.headers?.message ?? err)),
   (evt) => fail('closed ' + evt?.code + ' ' + evt?.reason));
`;

function runSockjsChild(url, transport, room) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SOCKJS_CHILD, url, transport, room], {
      cwd: TESTS_DIR,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: file('ca.crt'), NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => resolve({ code, out: out.trim(), err }));
  });
}

// ---------------------------------------------------------------------------------------------

describe('TLS on the main port', () => {
  let server;
  let redirectPort;
  const wss = () => `wss://127.0.0.1:${server.port}/ws`;
  const base = () => `https://127.0.0.1:${server.port}`;

  before(async () => {
    redirectPort = await freePort();
    server = await startServer({ logLevel: 'info', args: tlsArgs('--http-redirect-port', String(redirectPort)) });
  });
  after(async () => {
    await closeAllClients();
    await server?.stop();
  });

  test('STOMP over wss:// with the test CA trusted: join and chat round trip', T, async () => {
    const key = uniqueRoom('tls');
    const a = await connectClient(wss(), { name: 'alice', wsOptions: { ca: CA } });
    const b = await connectClient(wss(), { name: 'bob', wsOptions: { ca: CA } });
    const subA = await joinRoom(a, key, 'a', 'Alice');
    const subB = await joinRoom(b, key, 'b', 'Bob');
    await a.send(chatDest(key), chat('Alice', 'over TLS'));
    await expectChat(subB, 'Alice', 'over TLS');
    await expectChat(subA, 'Alice', 'over TLS');
    await a.disconnect();
    await b.disconnect();
  });

  test('HTTPS GET /api/health with the test CA trusted', T, async () => {
    const res = await httpsGet(`${base()}/api/health`, { ca: CA });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text).status, 'ok');
  });

  test('static files are served over HTTPS', T, async () => {
    const res = await httpsGet(`${base()}/`, { ca: CA });
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /text\/html/);
  });

  test('a client that does not trust the CA is rejected with a certificate error', T, async () => {
    await assert.rejects(httpsGet(`${base()}/api/health`), (err) => {
      assert.match(err.code, /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
      return true;
    });
    const ws = new WebSocket(wss(), ['v12.stomp']);
    const err = await withTimeout(new Promise((resolve) => ws.once('error', resolve)), 5000, 'ws error');
    assert.match(`${err.code} ${err.message}`, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|certificate/i);
  });

  test('a certificate from another CA is rejected by a client trusting only that CA', T, async () => {
    const other = makeCa('other');
    await assert.rejects(httpsGet(`${base()}/api/health`, { ca: other }), /certificate/i);
  });

  test('plain HTTP on the TLS port gets no answer, and the failed handshake is counted', T, async () => {
    const metrics = await httpsGet(`${base()}/metrics`, { ca: CA });
    const before = Number(metrics.text.match(/parley_errors_total\{reason="tls_handshake"\} (\d+)/)?.[1] ?? 0);
    await assert.rejects(httpGetRaw(`http://127.0.0.1:${server.port}/api/health`));
    await sleep(100);
    const res = await httpsGet(`${base()}/metrics`, { ca: CA });
    const match = res.text.match(/parley_errors_total\{reason="tls_handshake"\} (\d+)/);
    assert.ok(match, `no tls_handshake error counted:\n${res.text}`);
    assert.ok(Number(match[1]) > before);
  });

  test('a TLS 1.1 client is refused; TLS 1.2 and 1.3 are accepted', T, async () => {
    const old = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' };
    await assert.rejects(peerCertificate(server.port, old), (err) => {
      assert.match(`${err.code} ${err.message}`, /PROTOCOL_VERSION|protocol version|unsupported protocol/i);
      return true;
    });
    const tls12 = await peerCertificate(server.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    assert.ok(tls12.serialNumber);
    const tls13 = await peerCertificate(server.port, { minVersion: 'TLSv1.3' });
    assert.ok(tls13.serialNumber);
  });

  test('--http-redirect-port answers 301 to https on the TLS port', T, async () => {
    const res = await httpGetRaw(`http://127.0.0.1:${redirectPort}/room/abc?x=1`);
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, `https://127.0.0.1:${server.port}/room/abc?x=1`);
  });

  for (const transport of ['websocket', 'xhr-streaming', 'xhr-polling', 'eventsource']) {
    test(`sockjs-client over https with transport ${transport}`, T, async () => {
      const res = await runSockjsChild(`${base()}/stomp`, transport, uniqueRoom('tls-sockjs'));
      assert.equal(res.code, 0, `${res.out}\n${res.err}`);
      assert.equal(res.out, `OK ${transport}`);
    });
  }

  // sockjs-client in node has no htmlfile or jsonp transport: speak them by hand over HTTPS.
  test('SockJS jsonp over https: open, CONNECT through jsonp_send, CONNECTED through the next poll', T, async () => {
    const session = `${base()}/stomp/000/tlsjsonp${Date.now()}`;
    const open = await httpsGet(`${session}/jsonp?c=cb`, { ca: CA });
    assert.equal(open.status, 200);
    assert.equal(open.text, '/**/cb("o");\r\n');
    const sent = await httpsPostForm(`${session}/jsonp_send`, `d=${encodeURIComponent(JSON.stringify(['CONNECT\naccept-version:1.2\n\n\u0000']))}`);
    assert.equal(sent.status, 200);
    assert.equal(sent.text, 'ok');
    const poll = await httpsGet(`${session}/jsonp?c=cb`, { ca: CA });
    const frame = JSON.parse(poll.text.replace(/^\/\*\*\/cb\(/, '').replace(/\);\r\n$/, ''));
    assert.ok(frame.startsWith('a['), frame);
    assert.match(JSON.parse(frame.slice(1))[0], /^CONNECTED\nversion:1\.2\n/);
  });

  test('SockJS htmlfile over https streams the prelude and the open frame', T, async () => {
    const url = `${base()}/stomp/000/tlshtml${Date.now()}/htmlfile?c=cb`;
    const text = await new Promise((resolve, reject) => {
      const req = https.get(url, { agent: false, timeout: 5000, ca: CA }, (res) => {
        let got = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          got += c;
          if (got.includes('<script>\np("o");\n</script>')) {
            req.destroy();
            resolve(got);
          }
        });
        res.on('end', () => resolve(got));
      });
      req.on('timeout', () => req.destroy(new Error('htmlfile timed out')));
      req.on('error', reject);
    });
    assert.match(text, /<!doctype html>/i);
    assert.match(text, /var c = parent\.cb;/);
    assert.ok(text.includes('<script>\np("o");\n</script>'), text.slice(-200));
  });

  test('SIGHUP reloads the certificate: existing wss sessions keep working, new ones get the new certificate', T, async () => {
    const key = uniqueRoom('tls-reload');
    const oldCert = await peerCertificate(server.port);
    assert.equal(oldCert.serialNumber, '1001');
    const a = await connectClient(wss(), { name: 'before-reload', wsOptions: { ca: CA } });
    const subA = await joinRoom(a, key, 'a', 'Alice');

    install('second');
    server.child.kill('SIGHUP');
    let fresh;
    for (let i = 0; i < 50; i += 1) {
      fresh = await peerCertificate(server.port);
      if (fresh.serialNumber !== oldCert.serialNumber) break;
      await sleep(100);
    }
    assert.equal(fresh.serialNumber, '2002');
    assert.notEqual(fresh.fingerprint256, oldCert.fingerprint256);
    assert.notEqual(fresh.pubkey.toString('hex'), oldCert.pubkey.toString('hex'));

    // The session opened before the reload still sends and receives, on its old certificate.
    assert.equal(a.socket._socket.getPeerCertificate().serialNumber, '1001');
    await a.send(chatDest(key), chat('Alice', 'after reload'));
    await expectChat(subA, 'Alice', 'after reload');
    // A new session (new certificate) talks to the old one.
    const b = await connectClient(wss(), { name: 'after-reload', wsOptions: { ca: CA } });
    assert.equal(b.socket._socket.getPeerCertificate().serialNumber, '2002');
    const subB = await joinRoom(b, key, 'b', 'Bob');
    await b.send(chatDest(key), chat('Bob', 'hello old session'));
    await expectChat(subA, 'Bob', 'hello old session');
    await expectChat(subB, 'Bob', 'hello old session');
    await a.disconnect();
    await b.disconnect();
  });

  test('SIGHUP with a key that does not match keeps the current certificate', T, async () => {
    const current = (await peerCertificate(server.port)).serialNumber;
    const goodKey = readFileSync(KEY);
    writeFileSync(KEY, readFileSync(file(current === '2002' ? 'first.key' : 'second.key')));
    try {
      server.child.kill('SIGHUP');
      await sleep(300);
      assert.equal((await peerCertificate(server.port)).serialNumber, current);
      assert.match(server.stderr(), /TLS reload failed, keeping the previous certificate/);
      assert.equal(server.exitStatus, null, 'the server is still running');
    } finally {
      writeFileSync(KEY, goodKey);
    }
  });
});

describe('TLS shutdown and startup errors', () => {
  test('SIGTERM sends STOMP ERROR over TLS and the server exits within 5 s', T, async () => {
    install('first');
    const server = await startServer({ args: tlsArgs() });
    let c;
    try {
      c = await connectClient(`wss://127.0.0.1:${server.port}/ws`, { wsOptions: { ca: CA } });
      server.child.kill('SIGTERM');
      const err = await c.nextError(5000);
      assert.equal(err.command, 'ERROR');
      const status = await Promise.race([server.exited, sleep(5000).then(() => null)]);
      assert.ok(status, 'server still running 5 s after SIGTERM');
      assert.equal(status.code, 0);
      await c.waitClosed(2000);
    } finally {
      await c?.kill();
      await server.stop();
    }
  });

  const startupCases = [
    ['a missing certificate file', () => ['--tls-cert', file('missing.crt'), '--tls-key', KEY], /cannot read the TLS certificate/],
    ['a missing key file', () => ['--tls-cert', CERT, '--tls-key', file('missing.key')], /cannot read the TLS private key/],
    ['a key that does not match the certificate', () => ['--tls-cert', file('first.crt'), '--tls-key', file('second.key')], /does not match the certificate/],
    ['a certificate without a key', () => ['--tls-cert', CERT], /--tls-cert requires --tls-key/],
    ['a file that is not PEM', () => ['--tls-cert', file('san.cnf'), '--tls-key', KEY], /not a PEM certificate/],
  ];
  for (const [what, args, message] of startupCases) {
    test(`startup with ${what} fails with a clear error`, T, () => {
      const res = spawnSync(SERVER_BIN, ['--port', '0', ...args()], { encoding: 'utf8', timeout: 5000 });
      assert.notEqual(res.status, 0);
      assert.match(res.stdout + res.stderr, message);
    });
  }
});
