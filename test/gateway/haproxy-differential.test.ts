/**
 * Differential test against real HAProxy 2.6 (the program Gatehouse replaces in the seed): the same raw
 * inputs go to both, in front of the same upstream. Smuggling and malformed framing must be refused by
 * both; for paths, Gatehouse is deliberately stricter (it normalises or refuses where HAProxy forwards the
 * raw path), and this test pins that difference down.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canConnect, findExecutable, requireExecutable } from '../support/services.js';
import { rawRequest } from './support/raw-http.js';
import { oneServerYaml, startReadyGateway, tempDir, type GatewayProcess } from './support/gateway-process.js';
import { closedPort, startUpstream, type TestUpstream } from './support/upstream.js';

const HAPROXY = '/usr/sbin/haproxy';
let upstream: TestUpstream;
let gateway: GatewayProcess;
let haproxy: ChildProcess | undefined;
let haproxyPort = 0;

before(async () => {
  upstream = await startUpstream('a');
  gateway = await startReadyGateway(oneServerYaml(upstream.address));
  if (findExecutable(HAPROXY) === undefined) return;
  haproxyPort = await closedPort();
  const config = join(tempDir(), 'haproxy.cfg');
  writeFileSync(config, `global
  maxconn 200
defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
  timeout http-request 2s
frontend web
  bind 127.0.0.1:${haproxyPort}
  default_backend app
backend app
  server a ${upstream.address}
`);
  haproxy = spawn(HAPROXY, ['-f', config, '-db'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await canConnect('127.0.0.1', haproxyPort, 200)); i++) await new Promise((r) => setTimeout(r, 50));
});

after(async () => {
  haproxy?.kill('SIGKILL');
  await gateway.stop();
  await upstream.close();
});

const H = 'Host: gw.test\r\n';
const SMUGGLING: Record<string, string> = {
  'two different CL': `POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
  'space before colon': `GET / HTTP/1.1\r\n${H}X-Bad : a\r\n\r\n`,
  'two Host': `GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n`,
  'fragment': `GET /a#b HTTP/1.1\r\n${H}\r\n`,
};

test('CL.TE: HAProxy forwards with Transfer-Encoding only (RFC 9112 §6.3 option); Gatehouse refuses (400, the other option)', async (t) => {
  if (requireExecutable(t, HAPROXY) === false) return;
  const raw = `POST / HTTP/1.1\r\n${H}Content-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`;
  const theirs = await rawRequest(haproxyPort, raw);
  assert.equal(theirs.status, 200);
  assert.doesNotMatch(theirs.text, /"content-length"/, 'HAProxy dropped Content-Length before forwarding');
  const before = upstream.requests;
  assert.equal((await rawRequest(gateway.port('web'), raw)).status, 400);
  assert.equal(upstream.requests, before);
});

test('smuggling and malformed framing: HAProxy and Gatehouse both refuse, nothing reaches the upstream', async (t) => {
  if (requireExecutable(t, HAPROXY) === false) return;
  for (const [name, raw] of Object.entries(SMUGGLING)) {
    const before = upstream.requests;
    const [ours, theirs] = [await rawRequest(gateway.port('web'), raw, { waitMs: 1_000 }), await rawRequest(haproxyPort, raw, { waitMs: 1_000 })];
    assert.equal(ours.status, 400, `${name}: Gatehouse`);
    assert.ok(theirs.status === 400 || (theirs.status === 0 && theirs.closed), `${name}: HAProxy answered ${theirs.status}`);
    assert.equal(upstream.requests, before, `${name}: nothing forwarded`);
  }
});

test('obs-fold: HAProxy unfolds and forwards (RFC 9112 §5.2 allows it); Gatehouse refuses with 400', async (t) => {
  if (requireExecutable(t, HAPROXY) === false) return;
  const raw = `POST / HTTP/1.1\r\n${H}Transfer-Encoding:\r\n chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`;
  assert.equal((await rawRequest(haproxyPort, raw)).status, 200);
  const before = upstream.requests;
  assert.equal((await rawRequest(gateway.port('web'), raw)).status, 400);
  assert.equal(upstream.requests, before);
});

test('paths: HAProxy forwards %2e%2e and %2F raw; Gatehouse normalises or refuses (stricter by design)', async (t) => {
  if (requireExecutable(t, HAPROXY) === false) return;
  const dotted = `GET /public/%2e%2e/admin HTTP/1.1\r\n${H}Connection: close\r\n\r\n`;
  const theirs = await rawRequest(haproxyPort, dotted);
  assert.equal(theirs.status, 200);
  assert.match(theirs.text, /"url":"\/public\/%2e%2e\/admin"/, 'HAProxy passes the raw path: the upstream may read /admin');
  const ours = await rawRequest(gateway.port('web'), dotted);
  assert.match(ours.text, /"url":"\/admin"/, 'Gatehouse routes and forwards the normalised path');
  const slash = `GET /admin%2Fsecret HTTP/1.1\r\n${H}Connection: close\r\n\r\n`;
  assert.equal((await rawRequest(haproxyPort, slash)).status, 200);
  assert.equal((await rawRequest(gateway.port('web'), slash)).status, 400);
});
