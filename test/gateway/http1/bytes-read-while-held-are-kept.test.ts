/**
 * Regression (found by no-byte-of-one-message-reaches-another over TLS): when the server stops reading
 * after a head (an upgrade waiting for its answer, or a pipelining flood), a TLS handle still delivers the
 * rest of what one TCP read brought: it decrypts every record and hands each to the parser as a read of
 * its own. Those reads were dropped, so the held bytes and the next read were parsed as one stream: two
 * parts of the client's input spliced into one message. Now they wait with the held bytes, in order.
 *
 * The client here sends TLS records in one TCP write (a socket under its TLS layer that batches).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Http1Request, Http1Response } from '../../../src/gateway/http1/index.js';
import { GET, answers, serveTls, stop } from './raw-server.js';

type Switch = (headers: string[]) => { socket: Socket; head: Buffer };

/** Every client's TCP socket, destroyed after each test whatever its outcome. */
const open = new Set<Socket>();

async function done(server: Parameters<typeof stop>[0]): Promise<void> {
  for (const socket of open) socket.destroy();
  open.clear();
  await stop(server);
}

/** A TLS client whose records, while `batch` is on, leave in one TCP write at `flush()`. */
async function batchingClient(port: number): Promise<{ tls: TLSSocket; record(text: string): Promise<void>; flush(): void; received: () => string; closed: Promise<void> }> {
  const raw = tcpConnect({ host: '127.0.0.1', port });
  open.add(raw);
  await new Promise((resolve) => raw.once('connect', resolve));
  raw.setNoDelay(true);
  let batch: Buffer[] | undefined;
  const under = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      if (batch !== undefined) batch.push(chunk);
      else raw.write(chunk);
      callback();
    },
    read() {},
  });
  raw.on('data', (data: Buffer) => under.push(data));
  raw.on('end', () => under.push(null));
  const tls = tlsConnect({ socket: under, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  await new Promise((resolve) => tls.once('secureConnect', resolve));
  let text = '';
  tls.setEncoding('latin1');
  tls.on('data', (data: string) => (text += data));
  tls.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
  batch = [];
  return {
    tls,
    // one write, one TLS record; the next turn lets it reach the batch before the next record is made
    record: (part) => new Promise((resolve) => tls.write(part, () => setImmediate(resolve))),
    flush() {
      const records = batch ?? [];
      batch = undefined;
      raw.write(Buffer.concat(records));
    },
    received: () => text,
    closed,
  };
}

const UPGRADE = (path: string) => `GET ${path} HTTP/1.1\r\nHost: t\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n`;

test('an upgrade answered 401: the requests after it, in records read at once with its head, are parsed whole and in order', { timeout: 10_000 }, async () => {
  const seen: string[] = [];
  const { server, port } = await serveTls((req: Http1Request, res: Http1Response) => {
    seen.push(`${req.url} ${req.headers['x-n'] ?? ''}`);
    if (req.upgrade) setTimeout(() => res.writeHead(401, { 'content-length': 0 }).end(), 50);
    else res.end(req.url);
  });
  try {
    const client = await batchingClient(port);
    const next = GET('/second', 'X-N: 2\r\n') + GET('/third', 'X-N: 3\r\n');
    // the upgrade's head and a piece of the next request in one record, the rest in records of their own
    await client.record(UPGRADE('/ws') + next.slice(0, 9));
    await client.record(next.slice(9, 30));
    await client.record(next.slice(30));
    client.flush();
    for (let i = 0; i < 100 && answers(client.received()).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ['/ws ', '/second 2', '/third 3']);
    assert.deepEqual(answers(client.received()).map((a) => a.split('\r\n')[0]), ['HTTP/1.1 401 Unauthorized', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  } finally {
    await done(server);
  }
});

test('an upgrade answered 101: the bytes after its head, in records read at once with it, all reach the new owner in order', { timeout: 10_000 }, async () => {
  const { server, port } = await serveTls((_req: Http1Request, res: Http1Response) => {
    setTimeout(() => {
      const { socket, head } = (res.switchProtocols as Switch)(['Upgrade', 'x', 'Connection', 'Upgrade']);
      let tunnel = head.toString('latin1');
      socket.on('data', (data: Buffer) => {
        tunnel += data.toString('latin1');
        if (tunnel.endsWith('END')) socket.end(`[${tunnel}]`);
      });
      socket.on('error', () => undefined);
      if (tunnel.endsWith('END')) socket.end(`[${tunnel}]`);
    }, 50);
  });
  try {
    const client = await batchingClient(port);
    await client.record(`${UPGRADE('/ws')}one-`);
    await client.record('two-');
    await client.record('three-END');
    client.flush();
    // the tunnel closes once it has read to END: bounded, so lost bytes fail here instead of hanging the file
    await Promise.race([client.closed, new Promise((r) => setTimeout(r, 3_000))]);
    client.tls.destroy();
    assert.match(client.received(), /^HTTP\/1\.1 101 [^]*\r\n\r\n\[one-two-three-END\]$/);
  } finally {
    await done(server);
  }
});

test('a pipelining flood held after a head: the records read at once with it are parsed after it, whole and in order', { timeout: 10_000 }, async () => {
  const seen: string[] = [];
  const { server, port } = await serveTls((req: Http1Request, res: Http1Response) => {
    seen.push(req.url);
    setTimeout(() => res.end(req.url), 20);
  });
  try {
    const client = await batchingClient(port);
    // more requests than the connection queues (16) in one record: the parser stops after the 18th head
    const flood = Array.from({ length: 20 }, (_, i) => GET(`/f${i}`)).join('');
    const tail = GET('/last-but-one', 'X-N: 1\r\n') + GET('/last');
    await client.record(flood + tail.slice(0, 7));
    await client.record(tail.slice(7, 40));
    await client.record(tail.slice(40));
    client.flush();
    for (let i = 0; i < 150 && answers(client.received()).length < 22; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, [...Array.from({ length: 20 }, (_, i) => `/f${i}`), '/last-but-one', '/last']);
    assert.equal(answers(client.received()).length, 22);
  } finally {
    await done(server);
  }
});
