// Access control and moderation (issue 6; docs/PROTOCOL.md "Access control and moderation"):
// room tokens at CONNECT, each refusal with its own ERROR; room passwords; kick and mute.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';

import { SERVER_BIN, chatDest, connectClient, joinRoom, roomDest, uniqueRoom, useServer } from './helpers.mjs';

const T = { timeout: 20_000 };
const SECRET = 'integration-test-secret-0123456789abcdef';

const b64url = (data) => Buffer.from(data).toString('base64url');

// An HS256 JWT as an operator's backend would issue it.
function sign(claims, secret = SECRET) {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const token = (sub, room, role = 'member', extra = {}) => sign({ sub, room, role, exp: now() + 600, ...extra });

async function refusedWith(url, connectHeaders) {
  await assert.rejects(connectClient(url, { connectHeaders }), (err) => {
    const match = /message:([^,\]]*)/.exec(err.message);
    assert.ok(match, err.message);
    refusedWith.last = match[1];
    return true;
  });
  return refusedWith.last;
}

// Connects with a token, subscribes to the room and joins as the token's identity.
async function member(url, key, sub, role = 'member') {
  const client = await connectClient(url, { name: sub, connectHeaders: { login: 'parley', passcode: token(sub, key, role) } });
  const stream = await joinRoom(client, key, sub, `${sub}-nick`);
  return { client, stream, id: sub };
}

async function nextOfType(stream, type) {
  for (;;) {
    const msg = JSON.parse((await stream.next(3000)).body);
    if (msg.type === type) return msg;
  }
}

describe('room tokens', () => {
  const srv = useServer({ jwtSecret: SECRET });

  test('a valid token connects with the identity and role in CONNECTED', T, async () => {
    const key = uniqueRoom();
    const c = await connectClient(srv.url, { connectHeaders: { passcode: token('ann', key, 'moderator') } });
    assert.equal(c.connectedFrame.headers['user-name'], 'ann');
    assert.equal(c.connectedFrame.headers['x-parley-role'], 'moderator');
  });

  test('missing, expired, wrong-signature and malformed tokens each get their own ERROR', T, async () => {
    const key = uniqueRoom();
    const refusals = [
      await refusedWith(srv.url, {}),
      await refusedWith(srv.url, { passcode: token('ann', key, 'member', { exp: now() - 3600 }) }),
      await refusedWith(srv.url, { passcode: sign({ sub: 'ann', room: key, exp: now() + 600 }, 'x'.repeat(40)) }),
      await refusedWith(srv.url, { passcode: 'not.a-token' }),
      await refusedWith(srv.url, { passcode: token('ann', key, 'member', { nbf: now() + 3600 }) }),
    ];
    assert.deepEqual(refusals, [
      'authentication required: send a room token in the CONNECT passcode header',
      'invalid token: token expired',
      'invalid token: bad signature',
      'invalid token: malformed token: expected 3 segments',
      'invalid token: token not yet valid',
    ]);
  });

  test('a token for another room cannot subscribe here', T, async () => {
    const c = await connectClient(srv.url, { connectHeaders: { passcode: token('ann', 'elsewhere') } });
    c.subscribe(roomDest(uniqueRoom('mine')), { receipt: false });
    const error = await c.nextError();
    assert.match(error.headers.message, /^token does not grant room 'mine-/);
  });

  test('a token holder must join as its identity', T, async () => {
    const key = uniqueRoom();
    const c = await connectClient(srv.url, { connectHeaders: { passcode: token('ann', key) } });
    await c.subscribe(roomDest(key));
    await c.send(chatDest(key), { type: 'join', from: 'mallory', nickname: 'm' });
    assert.equal((await c.nextError()).headers.message, "identity mismatch: the token is for 'ann'");
  });

  test("a member's kick is refused and the target stays", T, async () => {
    const key = uniqueRoom();
    const ann = await member(srv.url, key, 'ann');
    const bob = await member(srv.url, key, 'bob');
    await nextOfType(ann.stream, 'join');
    await ann.client.send(chatDest(key), { type: 'kick', from: 'ann', target: 'bob' });
    const error = await ann.client.nextError();
    assert.equal(error.headers.message, "kick requires the moderator role (a room token with role 'moderator')");
    // The ERROR ended ann's connection: bob sees her leave, and no kick.
    assert.deepEqual(await bob.stream.nextJson(), { type: 'leave', from: 'ann', streamId: null });
    await bob.stream.expectNone(300);
  });

  test("a moderator's kick removes the member: everyone sees kick + leave, the target hears no more", T, async () => {
    const key = uniqueRoom();
    const mod = await member(srv.url, key, 'mod', 'moderator');
    const bob = await member(srv.url, key, 'bob');
    const cat = await member(srv.url, key, 'cat');
    await mod.client.send(chatDest(key), { type: 'kick', from: 'mod', target: 'bob' }, { receipt: true });
    assert.deepEqual(await nextOfType(bob.stream, 'kick'), { type: 'kick', from: 'mod', target: 'bob' });
    for (const m of [mod, cat]) {
      assert.equal((await nextOfType(m.stream, 'kick')).target, 'bob');
      assert.equal((await m.stream.nextJson()).type, 'leave');
    }
    // The kicked connection is still up (it may be in other rooms) but hears nothing here...
    await cat.client.send(chatDest(key), { type: 'message', nickname: 'cat-nick', msg: 'after' }, { receipt: true });
    assert.equal((await mod.stream.nextJson()).msg, 'after');
    await bob.stream.expectNone(300);
    // ...and may not come back while banned.
    await bob.client.subscribe(roomDest(key), { receipt: true });
    await bob.client.send(chatDest(key), { type: 'join', from: 'bob', nickname: 'bob-nick' });
    assert.match((await bob.client.nextError()).headers.message, /^removed from room '.*' by a moderator: 'bob' may join again in \d+ s$/);
  });

  test("a moderator's mute reaches everyone, the target included", T, async () => {
    const key = uniqueRoom();
    const mod = await member(srv.url, key, 'mod', 'moderator');
    const bob = await member(srv.url, key, 'bob');
    const body = { type: 'mute', from: 'mod', target: 'bob', kind: 'audio' };
    await mod.client.send(chatDest(key), body, { receipt: true });
    assert.deepEqual(await nextOfType(bob.stream, 'mute'), body);
    assert.deepEqual(await nextOfType(mod.stream, 'mute'), body);
  });
});

describe('room passwords', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-pw-'));
  const file = path.join(dir, 'rooms.json');
  writeFileSync(file, JSON.stringify({ locked: 'open sesame' }));
  const srv = useServer({ roomPasswords: file });

  test('a locked room needs x-room-password; a wrong one is refused; other rooms stay open', T, async () => {
    const a = await connectClient(srv.url);
    a.subscribe(roomDest('locked'), { receipt: false });
    assert.equal(
      (await a.nextError()).headers.message,
      "room 'locked' requires a password: send it in the SUBSCRIBE header x-room-password",
    );
    const b = await connectClient(srv.url);
    b.subscribe(roomDest('locked'), { receipt: false, headers: { 'x-room-password': 'open' } });
    assert.equal((await b.nextError()).headers.message, "wrong password for room 'locked'");
    const c = await connectClient(srv.url);
    await joinRoom(c, 'locked', 'carol', 'Carol', { headers: { 'x-room-password': 'open sesame' } });
    await joinRoom(c, uniqueRoom(), 'carol', 'Carol');
  });
});

describe('access configuration errors', () => {
  test('a short secret, both key sources, or a bad password file stop parley with status 2', T, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-cfg-'));
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"no spaces allowed": "pw"}');
    for (const [args, message] of [
      [['--jwt-secret', 'short'], /at least 32 bytes/],
      [['--jwt-secret', SECRET, '--jwt-jwks', bad], /set one, not both/],
      [['--room-passwords', bad], /is not a room key/],
      [['--room-passwords', path.join(dir, 'missing.json')], /cannot read/],
    ]) {
      const run = spawnSync(SERVER_BIN, ['--port', '0', ...args], { encoding: 'utf8', timeout: 5000 });
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });
});
