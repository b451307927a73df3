// Web client performance on loopback (issue 5, "Performance"); numbers go to docs/BENCHMARKS.md.
//
//   1. join-to-first-remote-frame: one person waits in a room; another opens the pre-join page,
//      and from the click on Join until the first remote video frame is (a) decoded — polling
//      the new RTCPeerConnection's inbound-rtp framesDecoded every 20 ms — and (b) presented
//      by the tile's <video> (requestVideoFrameCallback). Repeated --joins times (default 20),
//      each joiner in a fresh browser context; median and p95.
//   2. CPU of Chromium with 3 and then 4 people in one room: the utime + stime of every Chromium
//      process of the browser (/proc/<pid>/stat, all descendants of this node process) over
//      --seconds (default 20) of wall time, after everyone decodes everyone; and parley's own.
//
// Fake devices at 320×240@15 (?lowres=1), as in the e2e tests. Needs Debian's chromium, the
// parley binary (build/server/parley) and the web client build (web/dist).
//   cd bench && npm run web              (or: node web/join-to-frame.mjs --joins 20 --seconds 20)

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { sleep, startServer, uniqueRoom } from '../../tests/integration/helpers.mjs';
import { joinFromPreJoin, launchBrowser, openParley, waitFor } from '../../tests/e2e/parley-page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WEB_ROOT = process.env.PARLEY_WEB_ROOT ?? path.resolve(here, '..', '..', 'web', 'dist');
const { values: opts } = parseArgs({
  options: {
    joins: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
    pages: { type: 'string', default: '3,4' },
  },
});
const CLK_TCK = 100; // getconf CLK_TCK on Linux x86_64

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), min: sorted[0], max: sorted[sorted.length - 1] };
};

// Runs in the joiner's page before the click: resolves with ms from the click on Join to the
// first remote frame decoded (getStats poll) and presented (requestVideoFrameCallback).
function armFirstFrameProbe() {
  window.__firstFrame = new Promise((resolve) => {
    const result = { decoded: null, presented: null };
    let clickedAt = null;
    const done = () => result.decoded !== null && result.presented !== null && resolve(result);
    document.addEventListener(
      'click',
      (e) => {
        if (clickedAt === null && e.target.closest?.('[data-testid="join-button"]')) clickedAt = performance.now();
      },
      true,
    );
    const poll = setInterval(async () => {
      if (clickedAt === null || !window.__parley) return;
      for (const pc of window.__parley.peerConnections().values()) {
        const report = await window.__e2e.rawGetStats(pc);
        let frames = 0;
        report.forEach((s) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
        });
        if (frames > 0 && result.decoded === null) {
          result.decoded = performance.now() - clickedAt;
          clearInterval(poll);
          done();
        }
      }
    }, 20);
    const watched = new WeakSet();
    const watch = () => {
      for (const video of document.querySelectorAll('[data-testid="tile"][data-self="false"] video')) {
        if (watched.has(video)) continue;
        watched.add(video);
        video.requestVideoFrameCallback(() => {
          if (result.presented === null && clickedAt !== null) {
            result.presented = performance.now() - clickedAt;
            done();
          }
        });
      }
    };
    new MutationObserver(watch).observe(document.body, { childList: true, subtree: true });
  });
}

async function joinToFirstFrame(browser, server, joins) {
  const key = uniqueRoom('bench-join');
  const url = `${server.httpUrl}/r/${key}?lowres=1`;
  const host = await openParley(browser, url, { name: 'Host' });
  await joinFromPreJoin(host);
  await waitFor(host, 'connected', (s) => s.status === 'connected', 10_000);
  const decoded = [];
  const presented = [];
  for (let i = 0; i < joins; i++) {
    const guest = await openParley(browser, url, { name: `Guest ${i}` });
    await joinFromPreJoin(guest, { click: false });
    await guest.page.evaluate(armFirstFrameProbe);
    await guest.page.getByTestId('join-button').click();
    const r = await guest.page.evaluate(() => Promise.race([window.__firstFrame, new Promise((_, no) => setTimeout(() => no(new Error('no remote frame within 20 s')), 20_000))]));
    decoded.push(r.decoded);
    presented.push(r.presented);
    console.log(`join ${String(i + 1).padStart(2)}: first remote frame decoded ${r.decoded.toFixed(0)} ms, presented ${r.presented.toFixed(0)} ms after the click`);
    await guest.close();
    await waitFor(host, 'the guest gone', (s) => Object.keys(s.peers).length === 0, 10_000);
  }
  await host.close();
  return { decoded: summary(decoded), presented: summary(presented) };
}

// utime + stime (clock ticks) of every descendant of this process, grouped by name.
function descendantTicks() {
  const procs = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' '); // fields[0] = state (field 3)
      procs.set(Number(name), { comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs) {
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  const byName = { chromium: 0, parley: 0, processes: 0 };
  for (const pid of mine) {
    const p = procs.get(pid);
    if (!p || pid === process.pid) continue;
    if (p.comm === 'parley') byName.parley += p.ticks;
    else if (/chrom/i.test(p.comm)) {
      byName.chromium += p.ticks;
      byName.processes += 1;
    }
  }
  return byName;
}

async function cpuWithPages(server, count, seconds) {
  const browser = await launchBrowser();
  try {
    const key = uniqueRoom(`bench-cpu${count}`);
    const url = `${server.httpUrl}/r/${key}?lowres=1`;
    const members = [];
    for (let i = 0; i < count; i++) {
      const m = await openParley(browser, url, { name: `Person ${i + 1}` });
      await joinFromPreJoin(m);
      members.push(m);
    }
    for (const m of members) {
      await waitFor(
        m,
        'decoding everyone',
        (s) => Object.keys(s.peers).length === count - 1 && Object.values(s.peers).every((p) => p.connection === 'connected' && p.camera?.framesDecoded > 0),
        30_000,
      );
    }
    await sleep(3000); // past the bandwidth ramp-up
    const t0 = descendantTicks();
    const wall0 = process.hrtime.bigint();
    await sleep(seconds * 1000);
    const t1 = descendantTicks();
    const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
    const frames = await Promise.all(members.map((m) => m.stats()));
    for (const s of frames) {
      for (const [id, p] of Object.entries(s.peers)) {
        if (!(p.camera?.framesDecoded > 0)) throw new Error(`${s.memberId} stopped decoding ${id}`);
      }
    }
    return {
      pages: count,
      seconds: wall,
      chromiumProcesses: t1.processes,
      chromiumCores: (t1.chromium - t0.chromium) / CLK_TCK / wall,
      parleyCores: (t1.parley - t0.parley) / CLK_TCK / wall,
    };
  } finally {
    await browser.close();
  }
}

const server = await startServer({ webRoot: WEB_ROOT });
try {
  const browser = await launchBrowser();
  let join;
  try {
    join = await joinToFirstFrame(browser, server, Number(opts.joins));
  } finally {
    await browser.close();
  }
  const fmt = (s) => `median ${s.median.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`;
  console.log(`\njoin-to-first-remote-frame over ${opts.joins} joins:`);
  console.log(`  decoded (framesDecoded > 0, 20 ms poll):   ${fmt(join.decoded)}`);
  console.log(`  presented (requestVideoFrameCallback):     ${fmt(join.presented)}`);
  for (const count of opts.pages.split(',').map(Number)) {
    const cpu = await cpuWithPages(server, count, Number(opts.seconds));
    console.log(
      `\n${cpu.pages} pages in one room, ${cpu.seconds.toFixed(1)} s: Chromium (${cpu.chromiumProcesses} processes) ` +
        `${cpu.chromiumCores.toFixed(2)} cores (${((cpu.chromiumCores / cpu.pages) * 100).toFixed(0)} % of a core per page), ` +
        `parley ${(cpu.parleyCores * 100).toFixed(2)} % of a core`,
    );
  }
} finally {
  await server.stop();
}
