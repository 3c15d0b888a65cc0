/**
 * The shared session cache (tls/session-cache.ts) keeps and copies to the other workers only sessions
 * that can resume by session ID: TLS 1.2 ones. A TLS 1.3 full handshake reports sessions too (one per
 * ticket), which Node never resumes by ID; they are neither stored nor shared. Real TLS servers and
 * clients on loopback; the version is read from the serialized session as OpenSSL writes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:tls';
import { constants } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SessionCache, sessionProtocol, type WireSession } from '../../../src/gateway/tls/session-cache.js';
import { createPki, type Pki } from './support/pki.js';

const SETTINGS = { tickets: false, ticket_rotation: 3_600_000, ticket_overlap: 3_600_000, session_timeout: 7_200_000, session_cache: 100 };

/** Tickets off, so a TLS 1.2 client resumes by session ID, from the cache under test. */
function tlsServer(pki: Pki, cache: SessionCache): Promise<Server> {
  const leaf = pki.issue('localhost', ['localhost', '127.0.0.1']);
  const server = createServer({ cert: leaf.cert, key: leaf.key, secureOptions: constants.SSL_OP_NO_TICKET }, (socket) => socket.end('ok'));
  cache.install(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** One connection read to its end; resolves with the client's session (Node's own format), for a resumption. */
function fetchSession(server: Server, pki: Pki, maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', servername: 'localhost', ca: pki.ca.cert, maxVersion });
    let session: Buffer | undefined;
    socket.on('session', (s: Buffer) => (session = s));
    socket.on('data', () => undefined);
    socket.once('error', reject);
    socket.once('close', () => resolve(session ?? socket.getSession()));
  });
}

test('sessionProtocol reads the version of the sessions a real TLS server reports', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const reported: Buffer[] = [];
  const recorder = new SessionCache();
  recorder.configure(SETTINGS);
  const server = await tlsServer(pki, recorder);
  t.after(() => server.close());
  server.prependListener('newSession', (_id: Buffer, data: Buffer) => reported.push(Buffer.from(data)));
  await fetchSession(server, pki, 'TLSv1.2');
  assert.deepEqual(reported.map(sessionProtocol), [0x0303]);
  await fetchSession(server, pki, 'TLSv1.3');
  assert.ok(reported.length >= 2, 'the TLS 1.3 handshake reported its sessions');
  assert.deepEqual(new Set(reported.slice(1).map(sessionProtocol)), new Set([0x0304]));
  // bytes not laid out as a session are read as "unknown" (0), so the cache keeps them as before
  assert.equal(sessionProtocol(Buffer.from('not a session')), 0);
  assert.equal(sessionProtocol(Buffer.alloc(0)), 0);
});

test('only TLS 1.2 sessions are stored and copied to the other workers', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const cache = new SessionCache();
  cache.configure(SETTINGS);
  const shared: WireSession[] = [];
  cache.share = (session) => shared.push(session);
  const server = await tlsServer(pki, cache);
  t.after(() => server.close());

  await fetchSession(server, pki, 'TLSv1.3');
  await fetchSession(server, pki, 'TLSv1.3');
  assert.equal(shared.length, 0, 'TLS 1.3 full handshakes share no session');

  const session = await fetchSession(server, pki, 'TLSv1.2');
  assert.equal(shared.length, 1, 'a TLS 1.2 full handshake shares its session');
  assert.equal(sessionProtocol(Buffer.from(shared[0]!.data, 'base64')), 0x0303);

  // and the stored TLS 1.2 session resumes by ID from this cache
  const resumed = await new Promise<boolean>((resolve, reject) => {
    const socket = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', servername: 'localhost', ca: pki.ca.cert, maxVersion: 'TLSv1.2', session });
    socket.once('secureConnect', () => {
      resolve(socket.isSessionReused());
      socket.destroy();
    });
    socket.on('data', () => undefined);
    socket.once('error', reject);
  });
  assert.equal(resumed, true);
});
