// End to end: access control and moderation (issue 6) with Parley's web client in headless
// Chromium against parley started with --jwt-secret:
//   - invitation links carry a room token (?token=); the client drops it from the address bar,
//     joins as the token's identity, and a moderator sees a moderation menu on others' tiles;
//   - a moderator's "Mute microphone" turns the member's microphone off in its own page;
//   - "Remove from room" shows the member the removed screen, its tile leaves the moderator's
//     grid, and the member's page does not come back;
//   - a page without a token gets the invitation screen, not a reconnect loop.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { sleep, startServer, uniqueRoom } from '../integration/helpers.mjs';
import { CHROMIUM_BIN, expectDecoding, joinFromPreJoin, launchBrowser, openParley, printDiagnostics, waitFor } from './parley-page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = process.env.PARLEY_WEB_ROOT ?? path.resolve(here, '..', '..', 'web', 'dist');
const SECRET = 'e2e-moderation-secret-0123456789abcdefgh';

function sign(claims) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const invite = (sub, room, role) => sign({ sub, room, role, exp: Math.floor(Date.now() / 1000) + 600 });

let browser;
let server;

before(async () => {
  if (!existsSync(CHROMIUM_BIN)) throw new Error(`no Chromium at ${CHROMIUM_BIN}`);
  if (!existsSync(path.join(WEB_ROOT, 'index.html'))) throw new Error(`no web client build at ${WEB_ROOT}`);
  [browser, server] = await Promise.all([launchBrowser(), startServer({ webRoot: WEB_ROOT, jwtSecret: SECRET })]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('moderation in Chromium', () => {
  test('a moderator mutes and removes a member; a page without an invitation is refused', { timeout: 90_000 }, async () => {
    const key = uniqueRoom('mod');
    const members = [];
    try {
      const url = (token) => `${server.httpUrl}/r/${key}?lowres=1&token=${token}`;
      const mia = await openParley(browser, url(invite('mia', key, 'moderator')), { name: 'Mia' });
      members.push(mia);
      const ben = await openParley(browser, url(invite('ben', key, 'member')), { name: 'Ben' });
      members.push(ben);
      for (const m of [mia, ben]) {
        assert.ok(!m.page.url().includes('token='), `${m.name}: the token left the address bar (${m.page.url()})`);
        assert.ok(m.page.url().includes('lowres=1'), `${m.name}: other parameters stay`);
      }
      await Promise.all([joinFromPreJoin(mia), joinFromPreJoin(ben)]);
      const [miaState, benState] = await Promise.all(
        [mia, ben].map((m) => waitFor(m, 'joined', (s) => s.joined && s.status === 'connected', 10_000)),
      );
      assert.equal(miaState.memberId, 'mia', 'the member id is the token subject');
      assert.equal(benState.memberId, 'ben');
      await Promise.all([expectDecoding(mia, ['ben'], { audio: false }), expectDecoding(ben, ['mia'], { audio: false })]);

      // only the moderator has the menu
      assert.equal(await ben.page.getByTestId('moderate-menu-mia').count(), 0, 'Ben sees no moderation menu');
      await mia.page.getByTestId('moderate-menu-ben').click();
      await mia.page.getByTestId('moderate-mute-audio').click();
      await ben.page.waitForSelector('[data-testid="toggle-mic"][aria-pressed="true"]', { timeout: 5000 });

      await mia.page.getByTestId('moderate-menu-ben').click();
      await mia.page.getByTestId('moderate-kick').click();
      await mia.page.getByTestId('moderate-kick-confirm').click();
      await ben.page.getByTestId('removed-screen').waitFor({ timeout: 5000 });
      await waitFor(mia, "Ben's tile to go", (s) => !s.tiles.some((t) => t.member === 'ben'), 5000);
      await sleep(1500);
      assert.equal(await ben.page.getByTestId('removed-screen').count(), 1, 'Ben stays out (no reconnect)');
      assert.ok(!(await mia.stats()).tiles.some((t) => t.member === 'ben'), 'Ben did not come back');

      // no invitation at all
      const eve = await openParley(browser, `${server.httpUrl}/r/${key}?lowres=1`, { name: 'Eve' });
      members.push(eve);
      await joinFromPreJoin(eve);
      await eve.page.getByTestId('auth-error-screen').waitFor({ timeout: 10_000 });
      assert.equal(await eve.page.getByTestId('auth-error-screen').getAttribute('data-reason'), 'auth-required');
      for (const m of members) assert.deepEqual(m.pageErrors(), [], `${m.name}: uncaught page errors`);
    } catch (err) {
      printDiagnostics(members, [server], err);
      throw err;
    } finally {
      for (const m of members) await m.close();
    }
  });
});
