// The RabbitMQ test harness itself (rabbitmq.mjs): a broker that speaks AMQP, pauses and
// resumes on the same port, and leaves nothing running. Skipped without rabbitmq-server.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';

import { rabbitmqInstalled, startRabbit } from './rabbitmq.mjs';

// Not helpers.mjs: this file needs no npm package.
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Sends the AMQP 0-9-1 protocol header; resolves with the first bytes of the broker's answer.
function amqpHello(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data);
    });
  });
}

describe('rabbitmq test harness', { skip: !rabbitmqInstalled() && 'rabbitmq-server not installed' }, () => {
  let rabbit;
  before(async () => {
    rabbit = await startRabbit();
  });
  after(async () => {
    await rabbit?.stop();
  });

  test('the broker answers the AMQP header with connection.start', async () => {
    const hello = await withTimeout(amqpHello(rabbit.port), 5000, 'connection.start');
    assert.equal(hello[0], 1, 'a method frame');
    assert.equal(hello.readUInt16BE(7), 10, 'class connection');
    assert.equal(hello.readUInt16BE(9), 10, 'method start');
    assert.match(rabbit.url, /^amqp:\/\/guest:guest@127\.0\.0\.1:\d+\/$/);
  });

  test('pause refuses connections, resume serves the same port again', async () => {
    await rabbit.pause();
    await assert.rejects(amqpHello(rabbit.port), /ECONNREFUSED/);
    await rabbit.resume();
    const hello = await withTimeout(amqpHello(rabbit.port), 5000, 'connection.start');
    assert.equal(hello[0], 1);
  });
});
