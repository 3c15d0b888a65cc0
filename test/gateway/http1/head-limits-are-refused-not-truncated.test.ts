/**
 * Regression (issue 15, items 5 and 6). `GET / HTTP/2.0` (llhttp accepts 0.9, 1.x and 2.0, strict as it
 * is) became a request with httpVersionMajor 2 and a 500 later; header fields past the 1,000th were dropped
 * while llhttp still framed the body by them (a Content-Length there: the body vanished and the request went
 * on with none). Now an HTTP major version other than 1 is refused (505 at the gateway, as nginx answers),
 * and so is a head with more fields than the limit (HAProxy's 101 by default): never truncated.
 */
import assert from 'node:assert/strict';
import { DEFAULT_MAX_HEADER_FIELDS } from '../../../src/gateway/http1/index.js';
import { GET, answers, recorder, stop, overEach } from './raw-server.js';

const fields = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `X-F-${from + i}: ${i}\r\n`).join('');

overEach('a request whose HTTP major version is not 1 is refused and never handed on', async ({ serve, exchange }) => {
  const { seen, handler } = recorder();
  const { server, port, errors } = await serve(handler);
  try {
    for (const line of ['GET / HTTP/2.0', 'GET / HTTP/0.9', 'POST /x HTTP/2.0']) {
      errors.length = 0;
      const { text, closed } = await exchange(port, [`${line}\r\nHost: t\r\n\r\n`]);
      assert.deepEqual(errors, ['ERR_HTTP_VERSION_NOT_SUPPORTED'], line);
      assert.match(text, /^HTTP\/1\.1 400 Refused\r\nX-Code: ERR_HTTP_VERSION_NOT_SUPPORTED/);
      assert.ok(closed);
    }
    // after a valid request: that one is answered first
    errors.length = 0;
    const { text } = await exchange(port, [GET('/ok') + 'GET /two HTTP/2.0\r\nHost: t\r\n\r\n']);
    assert.deepEqual(answers(text).map((answer) => answer.slice(0, 12)), ['HTTP/1.1 200', 'HTTP/1.1 400']);
    assert.deepEqual(seen.map((req) => req.url), ['/ok']);
  } finally {
    await stop(server);
  }
});

overEach('CONNECT and methods that are not HTTP\'s are refused (no tunnels on this server), after the answers before them', async ({ serve, exchange }) => {
  const { seen, handler } = recorder();
  const { server, port, errors } = await serve(handler);
  try {
    const { text, closed } = await exchange(port, [GET('/before') + 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n']);
    assert.deepEqual(errors, ['ERR_HTTP_METHOD_NOT_SUPPORTED']);
    assert.deepEqual(answers(text).map((answer) => answer.slice(0, 12)), ['HTTP/1.1 200', 'HTTP/1.1 400']);
    assert.ok(closed);
    errors.length = 0;
    await exchange(port, ['DESCRIBE / RTSP/1.0\r\nCSeq: 1\r\n\r\n']);
    assert.equal(errors.length, 1, 'an RTSP request is refused too');
    assert.deepEqual(seen.map((req) => req.url), ['/before']);
  } finally {
    await stop(server);
  }
});

overEach('the default field limit is 101: a head with 101 fields passes, one more is refused', async ({ serve, exchange }) => {
  assert.equal(DEFAULT_MAX_HEADER_FIELDS, 101);
  const { seen, handler } = recorder();
  const { server, port, errors } = await serve(handler);
  try {
    const ok = await exchange(port, [GET('/at-limit', fields(100))]);
    assert.match(ok.text, /^HTTP\/1\.1 200 /);
    assert.equal((seen[0] as (typeof seen)[0]).rawHeaders.length, 202);
    const over = await exchange(port, [GET('/over', fields(101))]);
    assert.match(over.text, /^HTTP\/1\.1 400 Refused\r\nX-Code: ERR_HTTP_TOO_MANY_HEADERS/);
    assert.deepEqual(errors, ['ERR_HTTP_TOO_MANY_HEADERS']);
    assert.deepEqual(seen.map((req) => req.url), ['/at-limit']);
  } finally {
    await stop(server);
  }
});

overEach('a Content-Length past the field limit is never lost: the request is refused, not forwarded without its body', async ({ serve, exchange }) => {
  const { seen, handler } = recorder();
  const { server, port, errors } = await serve(handler);
  try {
    const { text, closed } = await exchange(port, [`POST /late-length HTTP/1.1\r\nHost: t\r\n${fields(1_100)}Content-Length: 5\r\n\r\nhello`]);
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.ok(closed);
    assert.deepEqual(errors, ['ERR_HTTP_TOO_MANY_HEADERS']);
    assert.equal(seen.length, 0);
  } finally {
    await stop(server);
  }
});

overEach('the field limit is a server option, checked on short heads too', async ({ serve, exchange }) => {
  const { seen, handler } = recorder();
  const { server, port, errors } = await serve(handler, undefined, { maxHeaderFields: 5 });
  try {
    const ok = await exchange(port, [GET('/five', fields(4))]);
    assert.match(ok.text, /^HTTP\/1\.1 200 /);
    const over = await exchange(port, [GET('/six', fields(5))]);
    assert.match(over.text, /^HTTP\/1\.1 400 /);
    assert.deepEqual(errors, ['ERR_HTTP_TOO_MANY_HEADERS']);
    assert.deepEqual(seen.map((req) => req.url), ['/five']);
  } finally {
    await stop(server);
  }
});
