/**
 * TLS session resumption across workers (`workers: 2`, tls_sessions): the primary makes the ticket keys
 * and sends them to every worker, so a ticket from one worker resumes on the other (which worker served a
 * connection is read from the kernel's socket table with `ss`); after a rotation the replaced key still
 * resumes within `ticket_overlap` and not after it; with tickets off, TLS 1.2 session IDs resume on the
 * other worker through the session cache the primary copies to every worker; `openssl s_client -sess_out/-sess_in` resumes too;
 * and the config keys are checked with their key paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { connect, type TLSSocket } from 'node:tls';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseGatewayConfig } from '../../../src/gateway/index.js';
import { isGatehouseError } from '../../../src/shared/errors.js';
import { requireExecutable } from '../../support/services.js';
import { startGatewayProcess, tempDir, waitForWorkers, type GatewayProcess } from '../support/gateway-process.js';
import { startUpstream, type TestUpstream } from '../support/upstream.js';
import { createPki, type Pki } from './support/pki.js';

interface Handshake {
  readonly reused: boolean;
  readonly session: Buffer | undefined;
  /** The pid of the gateway process that holds the server side of the connection. */
  readonly pid: number;
}

/** The pid owning the server end of 127.0.0.1:serverPort ↔ 127.0.0.1:clientPort (`ss -tnp`). */
function serverPid(ss: string, serverPort: number, clientPort: number): number {
  const out = execFileSync(ss, ['-tnpH', 'state', 'established', `( sport = :${serverPort} and dport = :${clientPort} )`], { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(out);
  if (pid === null) throw new Error(`no process found for :${serverPort} <- :${clientPort}: ${out}`);
  return Number(pid[1]);
}

/** One TLS connection (a ticket in `session` to resume); waits for the session ticket, finds the serving worker. */
function handshake(port: number, ca: string, ss: string, session?: Buffer, maxVersion: 'TLSv1.2' | 'TLSv1.3' = 'TLSv1.3'): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', maxVersion, ALPNProtocols: ['http/1.1'], ...(session === undefined ? {} : { session }) });
    let ticket: Buffer | undefined;
    socket.on('session', (s: Buffer) => (ticket ??= s));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      let pid: number;
      try {
        pid = serverPid(ss, port, socket.localPort as number);
      } catch (error) {
        socket.destroy();
        return reject(error as Error);
      }
      const reused = socket.isSessionReused();
      // TLS 1.3 sends the ticket after the handshake: a request and its answer make sure it came
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      socket.on('data', () => undefined);
      socket.once('close', () => resolve({ reused, session: ticket, pid }));
    });
  });
}

async function start(t: import('node:test').TestContext, sessions: string): Promise<{ pki: Pki; gateway: GatewayProcess; upstream: TestUpstream; port: number; ss: string; workers: Set<unknown> } | undefined> {
  const ss = requireExecutable(t, 'ss');
  const pki = createPki(t);
  if (ss === false || pki === undefined) return undefined;
  const site = pki.issue('site', ['localhost', '127.0.0.1']);
  const upstream = await startUpstream('app');
  const gateway = await startGatewayProcess(`
workers: 2
access_log: false
tls_sessions: ${sessions}
frontends:
  web:
    bind: "127.0.0.1:0"
    default_backend: app
    tls: { cert: ${JSON.stringify(site.certFile)}, key: ${JSON.stringify(site.keyFile)} }
backends:
  app: { servers: { a: { address: "${upstream.address}" } } }
`);
  t.after(async () => {
    await gateway.stop('SIGKILL');
    await upstream.close();
    pki.close();
  });
  const workers = await waitForWorkers(gateway, 2);
  return { pki, gateway, upstream, port: gateway.port('web'), ss, workers };
}

test('a ticket from one worker resumes on the other worker (keys shared by the primary)', async (t) => {
  const s = await start(t, '{ ticket_rotation: 1h }');
  if (s === undefined) return;
  const first = await handshake(s.port, s.pki.ca.cert, s.ss);
  assert.equal(first.reused, false);
  assert.ok(first.session !== undefined, 'the gateway sent a session ticket');
  assert.ok(s.workers.has(first.pid));
  const resumedOn = new Set<number>();
  for (let i = 0; i < 8; i++) {
    const again = await handshake(s.port, s.pki.ca.cert, s.ss, first.session);
    assert.equal(again.reused, true, `resumption ${i + 1} on worker ${again.pid} (ticket from worker ${first.pid})`);
    resumedOn.add(again.pid);
  }
  assert.equal(resumedOn.size, 2, 'resumed on both workers, including the one that did not issue the ticket');
  assert.ok([...resumedOn].some((pid) => pid !== first.pid));
});

test('openssl s_client -sess_out / -sess_in: the saved session is reused', async (t) => {
  const openssl = requireExecutable(t, 'openssl');
  const s = await start(t, '{ ticket_rotation: 1h }');
  if (s === undefined || openssl === false) return;
  const file = join(tempDir('gatehouse-sess-'), 'session.pem');
  const base = ['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-CAfile', s.pki.ca.certFile];
  const out1 = await sClient(openssl, [...base, '-sess_out', file], file);
  assert.match(out1, /^New, TLSv1\.3/m, out1);
  for (let i = 0; i < 4; i++) {
    const out = await sClient(openssl, [...base, '-sess_in', file]);
    assert.match(out, /^Reused, TLSv1\.3/m, `attempt ${i + 1}: ${out.slice(0, 600)}`);
  }
});

/**
 * s_client with one request. Its output to a pipe is buffered until exit, so for -sess_out stdin is closed
 * (s_client exits) once the session file is written — the TLS 1.3 ticket comes after the handshake; for
 * -sess_in the handshake alone says whether the session was reused.
 */
function sClient(openssl: string, args: string[], sessionFile?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(openssl, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', () => (clearTimeout(timer), clearInterval(poll), resolve(out)));
    child.stdin.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const poll = setInterval(() => {
      if (sessionFile === undefined || (existsSync(sessionFile) && statSync(sessionFile).size > 0)) {
        clearInterval(poll);
        child.stdin.end();
      }
    }, 50);
  });
}

test('after a rotation the replaced key resumes within ticket_overlap, and not after it', async (t) => {
  // keys: a new one every 2 s; a replaced key decrypts for 3 s more (dropped at the rotation 6 s after it was made)
  const s = await start(t, '{ ticket_rotation: 2s, ticket_overlap: 3s, session_timeout: 1h }');
  if (s === undefined) return;
  const keysLine = (match: (kept: number[]) => boolean) => s.gateway.waitForLine((l) => Array.isArray(l.tls_ticket_keys) && match(l.tls_ticket_keys as number[]), 20_000);
  const latest = () => [...s.gateway.lines].reverse().find((l) => Array.isArray(l.tls_ticket_keys))?.tls_ticket_keys as number[];
  // a ticket whose key we know: the current key did not change while we got it
  let ticket: Buffer | undefined;
  let generation = 0;
  for (let i = 0; i < 10 && ticket === undefined; i++) {
    const before = latest()[0] as number;
    const h = await handshake(s.port, s.pki.ca.cert, s.ss);
    if (latest()[0] === before) [ticket, generation] = [h.session, before];
  }
  assert.ok(ticket !== undefined);
  await keysLine((kept) => kept[0] === generation + 1 && kept.includes(generation));
  const during = await Promise.all([0, 1, 2, 3].map(() => handshake(s.port, s.pki.ca.cert, s.ss, ticket)));
  assert.deepEqual(during.map((h) => h.reused), [true, true, true, true], 'the replaced key still resumes, on both workers');
  assert.equal(new Set(during.map((h) => h.pid)).size, 2);
  await keysLine((kept) => kept[0] as number > generation && !kept.includes(generation));
  await new Promise((r) => setTimeout(r, 300)); // the list reaches the workers over IPC
  const after = await handshake(s.port, s.pki.ca.cert, s.ss, ticket);
  assert.equal(after.reused, false, 'the dropped key\'s ticket needs a full handshake');
  // the session itself (1 h) has not expired: a ticket from the current key resumes
  const fresh = await handshake(s.port, s.pki.ca.cert, s.ss);
  assert.equal((await handshake(s.port, s.pki.ca.cert, s.ss, fresh.session)).reused, true);
});

// TLS 1.3 resumes by ticket only here: with tickets off, Node 24 / OpenSSL 3 clients saw full handshakes even with the cache
for (const version of ['TLSv1.2'] as const) {
  test(`tickets off, ${version}: the session cache shared through the primary resumes a session ID on the other worker; session_cache: 0 does not`, async (t) => {
    for (const cache of [1000, 0]) {
      const s = await start(t, `{ tickets: false, session_cache: ${cache} }`);
      if (s === undefined) return;
      const first = await handshake(s.port, s.pki.ca.cert, s.ss, undefined, version);
      assert.ok(first.session !== undefined);
      await new Promise((r) => setTimeout(r, 200)); // the copy reaches the other worker over IPC
      const again = await Promise.all([0, 1, 2, 3].map(() => handshake(s.port, s.pki.ca.cert, s.ss, first.session, version)));
      if (cache === 0) {
        assert.deepEqual(again.map((h) => h.reused), [false, false, false, false], 'no cache, no tickets: full handshakes');
        continue;
      }
      assert.deepEqual(again.map((h) => h.reused), [true, true, true, true]);
      assert.ok(again.some((h) => h.pid !== first.pid), 'resumed on the worker that did not make the session');
    }
  });
}

test('tls_sessions keys are checked with their key paths', () => {
  const input = {
    tls_sessions: { tickets: 'yes', ticket_rotation: '0s', ticket_overlap: 'soon', session_timeout: '10ms', session_cache: -1, cache: true },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app' } },
    backends: { app: { servers: { a: { address: '127.0.0.1:9' } } } },
  };
  let message = '';
  try {
    parseGatewayConfig(input, process.cwd());
  } catch (error) {
    assert.ok(isGatehouseError(error, 'ERR_CONFIG_INVALID'));
    message = (error as Error).message;
  }
  for (const path of ['tls_sessions.tickets', 'tls_sessions.ticket_rotation', 'tls_sessions.ticket_overlap', 'tls_sessions.session_timeout', 'tls_sessions.session_cache', 'tls_sessions']) assert.ok(message.includes(path), `${path} in: ${message}`);
  assert.match(message, /cache/);
  const ok = parseGatewayConfig({ ...input, tls_sessions: { ticket_rotation: '30m', ticket_overlap: 0 } }, process.cwd());
  assert.deepEqual(ok.tls_sessions, { tickets: true, ticket_rotation: 1_800_000, ticket_overlap: 0, session_timeout: 7_200_000, session_cache: 20_000 });
});
