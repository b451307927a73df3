// A private RabbitMQ node for tests, over scripts/rabbitmq-test.sh (loopback only, own epmd,
// own data directory; ports <port>, <port>+1000 for epmd and <port>+2000 for distribution).
//
//   const rabbit = await startRabbit({ port })   // port optional: a random one is tried
//   rabbit.url                                     amqp://guest:guest@127.0.0.1:<port>/
//   await rabbit.pause({ kill })                   stop the broker (graceful, or SIGKILL)
//   await rabbit.resume()                          start it again: same ports, same data
//   await rabbit.stop()                            stop it and delete its directory
//
// Every node started here is stopped on process exit, and the script's watcher stops it if
// this process dies without running exit handlers.

import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const RABBITMQ_SCRIPT = path.resolve(here, '..', '..', 'scripts', 'rabbitmq-test.sh');
export const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

export const rabbitmqInstalled = () => existsSync(RABBITMQ_SERVER);

const live = new Set();
process.on('exit', () => {
  for (const rabbit of live) {
    try {
      execFileSync(RABBITMQ_SCRIPT, ['stop', rabbit.dir, '--kill'], { stdio: 'ignore' });
      rmSync(rabbit.dir, { recursive: true, force: true });
    } catch {
      // best effort on the way out
    }
  }
});

async function script(...args) {
  try {
    await run(RABBITMQ_SCRIPT, args, { timeout: 90_000 });
  } catch (err) {
    throw new Error(`${path.basename(RABBITMQ_SCRIPT)} ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}

const startArgs = (dir, port) => ['start', dir, String(port), '--owner', String(process.pid)];

export async function startRabbit({ port } = {}) {
  if (!rabbitmqInstalled()) throw new Error(`${RABBITMQ_SERVER} not found: run scripts/deps.sh`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-rabbitmq-'));
  // Below Linux's ephemeral range (32768-60999), with epmd (+1000) and distribution (+2000)
  // too: a stopped broker's port could otherwise go to a client socket before it restarts.
  const candidates = port ? [port] : Array.from({ length: 5 }, () => 21000 + Math.floor(Math.random() * 5000));
  let lastError;
  for (const candidate of candidates) {
    try {
      await script(...startArgs(dir, candidate));
      return makeRabbit(dir, candidate);
    } catch (err) {
      lastError = err;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

function makeRabbit(dir, port) {
  const rabbit = {
    dir,
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}/`,
    running: true,
    async pause({ kill = false } = {}) {
      await script('stop', dir, ...(kill ? ['--kill'] : []));
      rabbit.running = false;
    },
    async resume() {
      await script(...startArgs(dir, port));
      rabbit.running = true;
    },
    async stop() {
      if (!live.has(rabbit)) return;
      await script('stop', dir);
      live.delete(rabbit);
      rabbit.running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(rabbit);
  return rabbit;
}
