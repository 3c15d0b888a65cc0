/**
 * Routing that cannot fail open, against the references: a corpus of tricky paths (path-corpus.ts) is
 * sent raw to
 *   - Gatehouse: `/private` needs a JWT, `/public` is `auth: false`, the default backend is open;
 *   - HAProxy 2.6: `acl priv path_beg /private` + `http-request deny deny_status 401 if priv`, the rest open;
 *   - nginx: `location /private { return 401; }`, `location / { proxy_pass … }`;
 * each in front of raw recording upstreams. Asserted for every path:
 *   1. where a reference answered 401, Gatehouse without a token refused (400/401/404), or forwarded a path
 *      that no backend reading (path-interpretations.ts) places under `/private` (`/private/../public` is
 *      `/public`, which Gatehouse forwards normalised);
 *   2. whatever Gatehouse forwarded is normalised (normalizePath gives it back unchanged), and no backend
 *      reading of it is under `/private` unless the `/private` route took it;
 *   3. sending the forwarded path again reaches the same route with the same path (the router's choice is
 *      stable on what the upstream sees).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { normalizePath } from '../../../src/gateway/route/index.js';
import { canConnect, findExecutable, requireExecutable } from '../../support/services.js';
import type { InProcessGateway } from '../support/in-process.js';
import { closedPort } from '../support/upstream.js';
import { tempDir } from '../support/gateway-process.js';
import { startJwtGateway, startPrivatePublicGateway, validBearer } from './private-public-gateway.js';
import { pathCorpus } from './path-corpus.js';
import { INTERPRETATIONS, underPrivate } from './path-interpretations.js';
import { startRecordingUpstream, type RecordingUpstream } from './recording-upstream.js';

const HAPROXY = '/usr/sbin/haproxy';
const NGINX = '/usr/sbin/nginx';
const CORPUS = pathCorpus();

interface Outcome {
  status: number;
  /** The recorder that received the request and the target it saw; undefined when nothing was forwarded. */
  forwarded: { upstream: string; target: string } | undefined;
}

/** One request on its own connection; done when a complete Content-Length response or a close arrives. */
function exchange(port: number, raw: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve(match === null ? 0 : Number(match[1]));
    };
    const timer = setTimeout(finish, 3_000);
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      text += data;
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
      if (length !== null && text.length - end - 4 >= Number(length[1])) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.on('connect', () => socket.write(raw));
  });
}

async function send(port: number, recorders: readonly RecordingUpstream[], path: string, bearer?: string): Promise<Outcome> {
  const counts = recorders.map((r) => r.targets.length);
  const auth = bearer === undefined ? '' : `Authorization: Bearer ${bearer}\r\n`;
  const status = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: gw.test\r\n${auth}Connection: close\r\n\r\n`);
  let forwarded: Outcome['forwarded'];
  recorders.forEach((recorder, i) => {
    if (recorder.targets.length > (counts[i] as number)) {
      assert.equal(forwarded, undefined, `${path}: one request reached two upstreams`);
      assert.equal(recorder.targets.length, (counts[i] as number) + 1, `${path}: one request became several`);
      forwarded = { upstream: recorder.name, target: recorder.targets.at(-1) as string };
    }
  });
  return { status, forwarded };
}

let gw: InProcessGateway;
const recorders: RecordingUpstream[] = [];
let haproxyUpstream: RecordingUpstream;
let nginxUpstream: RecordingUpstream;
let haproxy: ChildProcess | undefined;
let nginx: ChildProcess | undefined;
let haproxyPort = 0;
/** The second HAProxy frontend: `path_beg /private/`. */
let haproxyDirPort = 0;
let nginxPort = 0;

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100 && !(await canConnect('127.0.0.1', port, 200)); i++) await new Promise((r) => setTimeout(r, 50));
}

before(async () => {
  for (const name of ['private', 'public', 'open']) recorders.push(await startRecordingUpstream(name));
  haproxyUpstream = await startRecordingUpstream('haproxy-app');
  nginxUpstream = await startRecordingUpstream('nginx-app');
  const [priv, pub, open] = recorders as [RecordingUpstream, RecordingUpstream, RecordingUpstream];
  gw = await startPrivatePublicGateway({ private: priv.address, public: pub.address, open: open.address });
  const dir = tempDir();
  if (findExecutable(HAPROXY) !== undefined) {
    haproxyPort = await closedPort();
    haproxyDirPort = await closedPort();
    const config = join(dir, 'haproxy.cfg');
    writeFileSync(config, `global
  maxconn 200
defaults
  mode http
  timeout connect 2s
  timeout client 5s
  timeout server 5s
frontend web
  bind 127.0.0.1:${haproxyPort}
  acl priv path_beg /private
  http-request deny deny_status 401 if priv
  default_backend app
frontend dir
  bind 127.0.0.1:${haproxyDirPort}
  acl priv path_beg /private/
  http-request deny deny_status 401 if priv
  default_backend app
backend app
  server a ${haproxyUpstream.address}
`);
    haproxy = spawn(HAPROXY, ['-f', config, '-db'], { stdio: 'ignore' });
    await waitForPort(haproxyPort);
  }
  if (findExecutable(NGINX) !== undefined) {
    nginxPort = await closedPort();
    mkdirSync(join(dir, 'nginx'));
    const config = join(dir, 'nginx', 'nginx.conf');
    writeFileSync(config, `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx', 'nginx.pid')};
error_log stderr crit;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'nginx')};
  proxy_temp_path ${join(dir, 'nginx')};
  server {
    listen 127.0.0.1:${nginxPort};
    location /private { return 401; }
    location / { proxy_pass http://${nginxUpstream.address}; }
  }
}
`);
    nginx = spawn(NGINX, ['-e', 'stderr', '-p', join(dir, 'nginx'), '-c', config], { stdio: 'ignore' });
    await waitForPort(nginxPort);
  }
});

after(async () => {
  haproxy?.kill('SIGKILL');
  nginx?.kill('SIGKILL');
  await gw?.close();
  for (const recorder of [...recorders, haproxyUpstream, nginxUpstream]) await recorder?.close();
});

/** Assertions 2 and 3 for one forward of Gatehouse. */
async function checkForward(path: string, outcome: Outcome, jwt: string): Promise<void> {
  const forward = outcome.forwarded;
  if (forward === undefined) return;
  const target = forward.target.split('?')[0] as string;
  assert.equal(normalizePath(target), target, `${path}: forwarded ${target} is not normalised`);
  for (const [name, read] of INTERPRETATIONS) {
    if (underPrivate(read(target))) assert.equal(forward.upstream, 'private', `${path}: forwarded ${target} to ${forward.upstream}, a ${name} backend reads ${read(target)}`);
  }
  const again = await send(gw.port, recorders, forward.target, jwt);
  assert.deepEqual(again.forwarded, forward, `${path}: the forwarded path routes differently when sent again`);
}

test(`differential: ${CORPUS.length} paths through Gatehouse and HAProxy 2.6 (path_beg /private)`, async (t) => {
  if (requireExecutable(t, HAPROXY) === false) return;
  assert.ok(CORPUS.length >= 150, `corpus has ${CORPUS.length} paths`);
  const jwt = validBearer();
  const tally = { haproxyDenied: 0, refused: 0, leftPrivate: [] as string[], forwarded: 0 };
  for (const path of CORPUS) {
    const theirs = await send(haproxyPort, [haproxyUpstream], path);
    const anonymous = await send(gw.port, recorders, path);
    assert.notEqual(anonymous.forwarded?.upstream, 'private', `${path}: reached the /private upstream without a token`);
    if (theirs.status === 401) {
      tally.haproxyDenied++;
      if (anonymous.forwarded === undefined) {
        assert.ok([400, 401, 404].includes(anonymous.status), `${path}: HAProxy 401, Gatehouse ${anonymous.status}`);
        tally.refused++;
      } else {
        tally.leftPrivate.push(`${path} -> ${anonymous.forwarded.target}`);
      }
    }
    await checkForward(path, anonymous, jwt);
    const authorized = await send(gw.port, recorders, path, jwt);
    if (authorized.forwarded !== undefined) tally.forwarded++;
    await checkForward(path, authorized, jwt);
  }
  t.diagnostic(`HAProxy denied ${tally.haproxyDenied}; Gatehouse refused ${tally.refused} of those and forwarded ${tally.leftPrivate.length} whose normalised path leaves /private: ${tally.leftPrivate.join(', ')}`);
  t.diagnostic(`with a token Gatehouse forwarded ${tally.forwarded} of ${CORPUS.length}`);
  assert.ok(tally.haproxyDenied > 100, 'the corpus mostly probes what path_beg protects');
  for (const left of tally.leftPrivate) assert.match(left, /^\/private\/.*(\.\.|%2e|%2E)/, `${left}: only a parent segment may leave /private`);
});

test(`differential: ${CORPUS.length} paths through Gatehouse and nginx (location /private)`, async (t) => {
  if (requireExecutable(t, NGINX) === false) return;
  let denied = 0;
  for (const path of CORPUS) {
    const theirs = await send(nginxPort, [nginxUpstream], path);
    if (theirs.status !== 401) continue;
    denied++;
    const anonymous = await send(gw.port, recorders, path);
    if (anonymous.forwarded === undefined) assert.ok([400, 401, 404].includes(anonymous.status), `${path}: nginx 401, Gatehouse ${anonymous.status}`);
    else for (const [name, read] of INTERPRETATIONS) assert.ok(!underPrivate(read(anonymous.forwarded.target)), `${path}: nginx 401, Gatehouse forwarded ${anonymous.forwarded.target} (${name})`);
  }
  t.diagnostic(`nginx denied ${denied} of ${CORPUS.length}`);
  assert.ok(denied > 50);
});

test(`differential: a route /private/ (trailing slash) against HAProxy's path_beg /private/, ${CORPUS.length} paths`, async (t) => {
  if (requireExecutable(t, HAPROXY) === false) return;
  const own = [await startRecordingUpstream('private'), await startRecordingUpstream('open')] as const;
  const dir = await startJwtGateway([{ path_prefix: '/private/', backend: 'private', auth: 'jwt' }], { private: own[0].address, open: own[1].address });
  try {
    let denied = 0;
    for (const path of CORPUS) {
      const theirs = await send(haproxyDirPort, [haproxyUpstream], path);
      const anonymous = await send(dir.port, own, path);
      assert.notEqual(anonymous.forwarded?.upstream, 'private', `${path}: reached the /private/ upstream without a token`);
      if (theirs.status === 401) denied++;
      if (anonymous.forwarded === undefined) {
        if (theirs.status === 401) assert.ok([400, 401, 404].includes(anonymous.status), `${path}: HAProxy 401, Gatehouse ${anonymous.status}`);
        continue;
      }
      const target = anonymous.forwarded.target;
      assert.equal(normalizePath(target), target, `${path}: forwarded ${target} is not normalised`);
      for (const [name, read] of INTERPRETATIONS) {
        assert.ok(!underPrivate(read(target), '/private/') && read(target) !== '/private', `${path}: forwarded ${target} to the open backend, a ${name} backend reads ${read(target)}`);
      }
    }
    t.diagnostic(`HAProxy (path_beg /private/) denied ${denied} of ${CORPUS.length}`);
    assert.ok(denied > 50);
  } finally {
    await dir.close();
    for (const recorder of own) await recorder.close();
  }
});
