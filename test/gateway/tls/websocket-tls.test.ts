/**
 * WebSocket over TLS: an Upgrade on an HTTPS/1.1 connection to a TLS frontend (HTTP/2 enabled, so the
 * node:http2 server's HTTP/1.1 path) is tunnelled to a TLS upstream, verified against its CA, with
 * X-Forwarded-Proto https; bytes flow both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:tls';
import { startInProcess } from '../support/in-process.js';
import { createPki } from './support/pki.js';

test('wss: an upgrade on a TLS frontend is tunnelled to a TLS upstream and frames flow both ways', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const site = pki.issue('site', ['localhost']);
  const up = pki.issue('up', ['127.0.0.1']);
  const upgrades: IncomingMessage[] = [];
  const upstream: Server = createServer({ cert: up.cert, key: up.key });
  upstream.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    upgrades.push(req);
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('data', (chunk: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), chunk])));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const gateway = await startInProcess({
    access_log: false,
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'ws', tls: { cert: site.certFile, key: site.keyFile } } },
    backends: { ws: { tls: { ca: pki.ca.certFile }, servers: { a: { address: `127.0.0.1:${(upstream.address() as AddressInfo).port}` } } } },
  });
  t.after(async () => {
    await gateway.close();
    await new Promise<void>((resolve) => {
      upstream.close(() => resolve());
      upstream.closeAllConnections();
    });
    pki.close();
  });
  const socket = connect({ host: '127.0.0.1', port: gateway.port, servername: 'localhost', ca: pki.ca.cert, ALPNProtocols: ['http/1.1'] });
  t.after(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  socket.write('GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  let received = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n') && !received.includes('ping')) socket.write('ping');
      if (received.includes('echo:ping')) resolve();
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed; got ${JSON.stringify(received)}`)));
  });
  assert.match(received, /^HTTP\/1\.1 101 /);
  assert.equal(upgrades.length, 1);
  assert.equal(upgrades[0]?.headers['x-forwarded-proto'], 'https');
  assert.equal(upgrades[0]?.headers.upgrade, 'websocket');
});
