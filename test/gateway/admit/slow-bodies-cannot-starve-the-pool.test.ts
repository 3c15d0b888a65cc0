/**
 * Guards issue 15 item 8: request bodies up to `limits.buffer_request_body` are read whole before a
 * server connection is taken. 300 clients each sending a POST head and one body byte used to hold 256
 * upstream connections (the whole pool) until the server timeout; every other request got 503. Now they
 * hold only their own sockets: another client's request is answered, the slow ones get 408 when
 * `timeouts.http_request` ends, and a buffered body still reaches the server whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { rawRequest } from '../support/raw-http.js';
import { startInProcess } from '../support/in-process.js';
import { startUpstream, type Echo } from '../support/upstream.js';

const SLOW_CLIENTS = 300;

function slowClient(port: number): Promise<{ socket: Socket; answer: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const answer = new Promise<string>((done) => {
      socket.on('data', (data: Buffer) => (text += data.toString('latin1')));
      socket.on('close', () => done(text));
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write('POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nx', () => resolve({ socket, answer }));
    });
    socket.once('error', reject);
  });
}

test('300 clients trickling request bodies do not take the upstream pool: another request is answered, the slow ones get 408', async (t) => {
  const app = await startUpstream('app');
  const gw = await startInProcess({
    access_log: false,
    timeouts: { http_request: '3s', queue: '1s' },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  const slow: Array<{ socket: Socket; answer: Promise<string> }> = [];
  t.after(async () => {
    for (const client of slow) client.socket.destroy();
    await gw.close();
    await app.close();
  });
  for (let i = 0; i < SLOW_CLIENTS; i++) slow.push(await slowClient(gw.port));
  const before = app.requests;
  // another client, while every slow one still owes 9 bytes
  const other = await fetch(`${gw.url}/other`);
  assert.equal(other.status, 200);
  assert.equal(((await other.json()) as Echo).url, '/other');
  // one slow client finishes: its body reaches the server whole
  const finisher = slow[0] as { socket: Socket; answer: Promise<string> };
  finisher.socket.end('123456789');
  const finished = await finisher.answer;
  assert.match(finished, /^HTTP\/1\.1 200 /);
  assert.match(finished, /"bytes":10,/);
  assert.equal(app.requests, before + 2, 'no slow request reached the server before its body was whole');
  // the rest run out of time: 408, connection closed
  const answers = await Promise.all(slow.slice(1, 11).map((client) => client.answer));
  for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408 [^]*connection: close/i);
  assert.equal(app.requests, before + 2);
});

test('a chunked body larger than limits.buffer_request_body streams to the server with the bytes read first in order', async (t) => {
  const app = await startUpstream('app');
  const gw = await startInProcess({
    access_log: false,
    limits: { buffer_request_body: 16 },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  t.after(async () => {
    await gw.close();
    await app.close();
  });
  const chunks = ['POST /big HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n', 'a\r\n0123456789\r\n', '5\r\nabcde\r\n0\r\n\r\n'];
  const result = await rawRequest(gw.port, chunks, { gapMs: 100, waitMs: 1_000 });
  assert.equal(result.status, 200, result.text);
  assert.match(result.text, /"bytes":25,/);
});
