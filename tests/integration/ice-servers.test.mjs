// GET /api/ice-servers: STUN/TURN for the web client, with TURN REST API credentials that a
// coturn configured with use-auth-secret accepts (checked here by recomputing the HMAC).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';

import { httpGet, useServer } from './helpers.mjs';

const T = { timeout: 10_000 };
const SECRET = 'ice-test-secret';

describe('/api/ice-servers with STUN and TURN configured', () => {
  const srv = useServer({
    args: ['--stun-uri', 'stun:127.0.0.1:3478', '--turn-uri', 'turn:127.0.0.1:3478?transport=udp',
      '--turn-uri', 'turn:127.0.0.1:3478?transport=tcp', '--turn-secret', SECRET, '--turn-ttl-s', '600'],
  });

  test('lists STUN, then TURN with username "<expiry>:<id>" and credential base64(HMAC-SHA1)', T, async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await httpGet(`${srv.httpUrl}/api/ice-servers?id=alice`);
    const after = Math.floor(Date.now() / 1000);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = JSON.parse(res.text);
    assert.equal(body.ttl, 600);
    assert.deepEqual(body.iceServers[0], { urls: ['stun:127.0.0.1:3478'] });
    const turn = body.iceServers[1];
    assert.deepEqual(turn.urls, ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']);
    const [expiry, user] = turn.username.split(':');
    assert.equal(user, 'alice');
    assert.ok(Number(expiry) >= before + 600 && Number(expiry) <= after + 600, turn.username);
    const expected = createHmac('sha1', SECRET).update(turn.username).digest('base64');
    assert.equal(turn.credential, expected);
  });

  test('an id outside [A-Za-z0-9_-]{1,64} is replaced by a random one', T, async () => {
    const res = await httpGet(`${srv.httpUrl}/api/ice-servers?id=%3Cscript%3E`);
    const user = JSON.parse(res.text).iceServers[1].username.split(':')[1];
    assert.match(user, /^[0-9a-f]{16}$/);
  });
});

describe('/api/ice-servers without configuration', () => {
  const srv = useServer();
  test('answers an empty list, so clients use host candidates only', T, async () => {
    const res = await httpGet(`${srv.httpUrl}/api/ice-servers`);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { iceServers: [], ttl: 3600 });
  });
});
