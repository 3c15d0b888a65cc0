/**
 * Draining with HTTP/2: close() (SIGTERM) sends GOAWAY to every session and lets a stream in flight finish
 * (a forced close would reset it); idle HTTP/1.1 connections on the same port are closed too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { Agent, request } from 'node:https';
import { startUpstream } from '../support/upstream.js';
import { startInProcess } from '../support/in-process.js';
import { createPki } from './support/pki.js';

test('close() drains HTTP/2 sessions and HTTP/1.1 keep-alive connections of a TLS frontend', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  t.after(() => pki.close());
  const site = pki.issue('site', ['localhost']);
  const upstream = await startUpstream('app');
  t.after(() => upstream.close());
  const gateway = await startInProcess({
    access_log: false,
    timeouts: { drain: '20s' },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: site.certFile, key: site.keyFile } } },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
  const session = connect(`https://localhost:${gateway.port}`, { ca: pki.ca.cert });
  t.after(async () => {
    session.destroy();
    await gateway.close();
  });
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
  const sessionClosed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  // an idle HTTP/1.1 keep-alive connection on the same port
  const agent = new Agent({ keepAlive: true, ca: pki.ca.cert, servername: 'localhost' });
  t.after(() => agent.destroy());
  const { closed: h1Closed } = await new Promise<{ closed: Promise<void> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gateway.port, path: '/', agent, headers: { host: 'localhost' } }, (res) => {
      const socket = res.socket;
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      res.resume();
      res.on('end', () => resolve({ closed })); // wrapped: resolving with a promise would wait for it
    });
    req.on('error', reject);
    req.end();
  });
  const slow = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const stream = session.request({ ':path': '/slow/300' });
    let status = 0;
    let body = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => (body += c));
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', reject);
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await gateway.close();
  const result = await slow;
  assert.equal(result.status, 200, 'the stream in flight finished');
  assert.match(result.body, /"url":"\/slow\/300"/);
  await goaway;
  await sessionClosed;
  await h1Closed; // the idle keep-alive connection was closed by the drain, not by the 20 s drain timeout's destroy
});
