/**
 * The upstream client over TLS against a node:https server with a self-signed certificate (made with
 * the openssl CLI): verified with the certificate as CA and a servername, refused without it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireExecutable } from '../../support/services.js';
import { Collector, get, makePool, send } from './support.js';
import type { Socket } from 'node:net';
import type { PoolOptions } from '../../../src/gateway/upstream/types.js';

function selfSigned(t: TestContext): { cert: string; key: string } | undefined {
  const openssl = requireExecutable(t, 'openssl');
  if (openssl === false) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-upstream-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=upstream.test', '-addext', 'subjectAltName=DNS:upstream.test'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
}

async function httpsServer(t: TestContext, pem: { cert: string; key: string }) {
  let connections = 0;
  const server = createServer({ cert: pem.cert, key: pem.key }, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`secure ${req.url} ${req.headers.host}`);
  });
  server.on('secureConnection', () => connections++);
  // a WebSocket-like upgrade: 101, a first frame in the same write, then an echo of what comes
  server.on('upgrade', (_req, socket: import('node:net').Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello');
    socket.on('data', (data: Buffer) => socket.write(data));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

function tlsPool(t: TestContext, port: number, tls: PoolOptions['tls']) {
  const pool = makePool(port, { tls });
  t.after(() => pool.close());
  return pool;
}

test('TLS with the CA and a servername: requests succeed over one kept-alive connection', async (t) => {
  const pem = selfSigned(t);
  if (pem === undefined) return;
  const server = await httpsServer(t, pem);
  const pool = tlsPool(t, server.port, { ca: pem.cert, servername: 'upstream.test', rejectUnauthorized: true });
  const a = await send(pool, get('/one'));
  assert.deepEqual([a.status, a.body, a.error], [200, 'secure /one upstream.test', undefined]);
  const b = await send(pool, get('/two'));
  assert.equal(b.body, 'secure /two upstream.test');
  assert.equal(server.connections(), 1);
});

test('TLS without the CA: the self-signed certificate is refused', async (t) => {
  const pem = selfSigned(t);
  if (pem === undefined) return;
  const server = await httpsServer(t, pem);
  const pool = tlsPool(t, server.port, { servername: 'upstream.test', rejectUnauthorized: true });
  const a = await send(pool, get('/'));
  assert.ok(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN'].includes(a.error?.code ?? ''), `got ${a.error?.code}`);
  assert.ok(!a.events.some((e) => e.startsWith('headers')));
  assert.equal(a.endings, 1);
});

test('TLS with the CA but another servername: refused (host name mismatch)', async (t) => {
  const pem = selfSigned(t);
  if (pem === undefined) return;
  const server = await httpsServer(t, pem);
  const pool = tlsPool(t, server.port, { ca: pem.cert, servername: 'other.test', rejectUnauthorized: true });
  const a = await send(pool, get('/'));
  assert.equal(a.error?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
});

test('TLS: a 101 hands over the TLS socket with the bytes after the head; the tunnel carries bytes both ways', async (t) => {
  const pem = selfSigned(t);
  if (pem === undefined) return;
  const server = await httpsServer(t, pem);
  const pool = tlsPool(t, server.port, { ca: pem.cert, servername: 'upstream.test', rejectUnauthorized: true });
  let handed: { socket: Socket; head: string } | undefined;
  const h = new Collector();
  const upgraded = new Promise<void>((resolve) => {
    (h as Collector & { onUpgrade: unknown }).onUpgrade = (_status: number, _headers: string[], socket: Socket, head: Buffer) => {
      handed = { socket, head: head.toString('latin1') };
      resolve();
    };
  });
  pool.dispatch({ method: 'GET', path: '/ws', headers: ['Connection', 'Upgrade', 'Upgrade', 'websocket'], body: null, upgrade: true }, h);
  await Promise.race([upgraded, h.done]);
  assert.deepEqual(h.events, ['connect'], 'no ordinary callback after the hand-over');
  const tunnel = handed as { socket: Socket; head: string };
  assert.equal(tunnel.head, 'hello');
  const echoed = new Promise<string>((resolve) => tunnel.socket.once('data', (data: Buffer) => resolve(data.toString('latin1'))));
  tunnel.socket.write('ping');
  assert.equal(await echoed, 'ping');
  tunnel.socket.destroy();
});
