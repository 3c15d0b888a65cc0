/**
 * WebSocket upgrades are proxied: the handshake reaches a real upstream (with X-Forwarded-For and the
 * Upgrade/Connection pair kept), 101 comes back, and frames flow both ways through the tunnel.
 * An auth deny on the upgrade request is answered by the gateway and never reaches the upstream (the upgrade
 * request goes through the same admission pipeline as any request: see forward/upgrade-before-101.test.ts).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { AuthDecision, AuthPolicy } from '../../src/gateway/auth/index.js';
import { startInProcess } from './support/in-process.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const upgrades: IncomingMessage[] = [];
const upstream = createServer((_req, res) => res.end('plain'));
upstream.on('upgrade', (req: IncomingMessage, socket: Socket) => {
  upgrades.push(req);
  const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${GUID}`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  socket.on('data', (frame: Buffer) => {
    // one small masked client frame in, one unmasked server frame out
    const length = (frame[1] as number) & 0x7f;
    const mask = frame.subarray(2, 6);
    const payload = Buffer.from(frame.subarray(6, 6 + length).map((b, i) => b ^ (mask[i % 4] as number)));
    const reply = Buffer.concat([Buffer.from('echo:'), payload]);
    socket.write(Buffer.concat([Buffer.from([0x81, reply.length]), reply]));
  });
});
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamPort = (upstream.address() as AddressInfo).port;
after(() => new Promise<void>((resolve) => { upstream.close(() => resolve()); upstream.closeAllConnections(); }));

function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)))]);
}

function handshake(port: number, path: string, extra = ''): Promise<{ socket: Socket; head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', function onData(data: Buffer) {
      buffer = Buffer.concat([buffer, data]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve({ socket, head: buffer.subarray(0, end).toString('latin1'), rest: buffer.subarray(end + 4) });
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ws.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`);
  });
}

const denyAll: AuthPolicy = {
  name: 'deny',
  authorize: (): AuthDecision => ({ ok: false, status: 401, headers: { 'www-authenticate': 'Bearer' }, body: 'Missing Authorization HTTP header', reason: 'MISSING' }),
  close: () => undefined,
};

test('a WebSocket upgrade is proxied and frames flow both ways', async () => {
  const gw = await startInProcess({
    // A policy config valid under the real auth schema; the test double never reads the key file.
    auth: { deny: { issuer: 'https://issuer.test', audience: 'api', keys: { file: 'never-read-by-the-double.pem' } } },
    timeouts: { drain: '1s' },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'ws', routes: [{ path_prefix: '/private', backend: 'ws', auth: 'deny' }] } },
    backends: { ws: { servers: { s: { address: `127.0.0.1:${upstreamPort}` } } } },
  }, 'web', async () => denyAll);
  try {
    const { socket, head } = await handshake(gw.port, '/chat/../chat?room=1', 'X-Forwarded-For: 6.6.6.6\r\n');
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
    const req = upgrades.at(-1)!;
    assert.equal(req.url, '/chat?room=1');
    assert.equal(req.headers.upgrade, 'websocket');
    assert.equal(req.headers['x-forwarded-for'], '127.0.0.1');
    const reply = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.write(clientFrame('hello'));
    const frame = await reply;
    assert.equal(frame.subarray(2).toString(), 'echo:hello');
    socket.destroy();

    const before = upgrades.length;
    const denied = await handshake(gw.port, '/private/room');
    assert.match(denied.head, /^HTTP\/1\.1 401 /);
    assert.match(denied.head, /www-authenticate: Bearer/i);
    // the policy's answer as it gives it (the test double's deny has no Content-Length), then the connection closes
    assert.match(denied.head, /\r\nconnection: close/i);
    assert.match(denied.rest.toString(), /Missing Authorization HTTP header/);
    assert.equal(upgrades.length, before, 'the denied upgrade never reached the upstream');
    denied.socket.destroy();
  } finally {
    await gw.close();
  }
});
