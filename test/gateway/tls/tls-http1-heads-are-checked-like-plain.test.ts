/**
 * Regression (differential suite, issue 15): node:https's parser accepts heads the gateway's own server
 * refuses, and TLS frontends forwarded them: a Transfer-Encoding other than one `chunked` (the body was
 * de-chunked and the other coding lost), HTTP/1.0 with Transfer-Encoding, `HTTP/2.0` (a 500), more than
 * 101 header fields. The admission pipeline's first stage (src/gateway/admit/framing.ts) now refuses them
 * with the own server's answers and `Connection: close`; nothing reaches the upstream, not even a request
 * hidden in the body or pipelined behind.
 *
 * Since TLS frontends serve HTTP/1.1 with the own server too, node:https / node:http2's HTTP/1.1 fallback
 * is what `server: node` runs: both are checked, with HTTP/2 on and off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startUpstream } from '../support/upstream.js';
import { startInProcess } from '../support/in-process.js';
import { createPki } from './support/pki.js';
import { tlsExchange } from './support/clients.js';

/** The client of these checks: it trusts the test CA and offers HTTP/1.1 only. */
const HTTP1_ONLY = (ca: string) => ({ ca, ALPNProtocols: ['http/1.1'] });

for (const [server, http2] of [['gatehouse', true], ['gatehouse', false], ['node', true], ['node', false]] as const) test(`TLS frontend (HTTP/1.1, server: ${server}, http2: ${http2}): bad Transfer-Encoding, HTTP/2.0 and too many fields are refused, closed, never forwarded`, async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const main = pki.issue('main', ['localhost', '127.0.0.1']);
  const upstream = await startUpstream('app');
  const gateway = await startInProcess({
    access_log: false,
    frontends: { web: { bind: '127.0.0.1:0', server, default_backend: 'app', tls: { cert: main.certFile, key: main.keyFile, http2 } } },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
  t.after(async () => {
    await gateway.close();
    await upstream.close();
    pki.close();
  });
  const ca = pki.ca.cert;
  const H = 'Host: localhost\r\n';
  const behind = `0\r\n\r\nGET /hidden HTTP/1.1\r\n${H}\r\nGET /after HTTP/1.1\r\n${H}\r\n`;
  const fields = Array.from({ length: 101 }, (_, i) => `X-F-${i}: ${i}\r\n`).join('');
  const cases: Array<[string, string, number]> = [
    ['gzip, chunked', `POST /te HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n${behind}`, 501],
    ['two Transfer-Encoding fields', `POST /te HTTP/1.1\r\n${H}Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n${behind}`, 400],
    ['HTTP/1.0 chunked', `POST /te HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n${behind}`, 400],
    ['HTTP/2.0', `GET /v HTTP/2.0\r\n${H}\r\n`, 505],
    ['102 fields', `GET /f HTTP/1.1\r\n${H}${fields}\r\n`, 400],
  ];
  for (const [name, raw, status] of cases) {
    const { text, closed } = await tlsExchange(gateway.port, HTTP1_ONLY(ca), raw);
    assert.ok(text.startsWith(`HTTP/1.1 ${status} `), `${name}: ${JSON.stringify(text.slice(0, 40))}`);
    assert.match(text, /\r\nconnection: close\r\n/i, name);
    assert.equal(text.split('HTTP/1.1 ').length, 2, `${name}: one answer`);
    assert.ok(closed, `${name}: closed`);
  }
  assert.equal(upstream.requests, 0, 'nothing reached the upstream');
  const ok = await tlsExchange(gateway.port, HTTP1_ONLY(ca), `POST /te HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
  assert.ok(ok.text.startsWith('HTTP/1.1 200 '), 'one chunked coding passes');
});
