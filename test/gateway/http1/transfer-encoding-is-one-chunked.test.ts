/**
 * Regression (differential suite, issue 15). llhttp accepts a Transfer-Encoding whose last coding is
 * `chunked` (`identity, chunked`, `gzip, chunked`, `, chunked`, two fields ending in `chunked`), an empty
 * one, and Transfer-Encoding on HTTP/1.0; the server handed those on and the gateway de-chunked the body and
 * framed it again, losing the other coding. HAProxy (400/422) and nginx (400/501) refuse them. Now the head
 * is refused when it ends: 501 for a coding other than chunked, 400 for a malformed list, a repeated field,
 * an empty value or HTTP/1.0; the connection closes and nothing of the body is read as a request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TE_OK, transferEncodingStatus } from '../../../src/gateway/http1/index.js';
import { GET, answers, recorder, stop, overEach } from './raw-server.js';

const HIDDEN = `0\r\n\r\nGET /hidden HTTP/1.1\r\nHost: t\r\n\r\n`;

/** llhttp refuses some of these itself (HPE_INVALID_TRANSFER_ENCODING) before the head ends. */
const LLHTTP = 'HPE_INVALID_TRANSFER_ENCODING';

const REFUSED: ReadonlyArray<[string, string, string | readonly string[]]> = [
  ['identity first', 'Transfer-Encoding: identity, chunked', 'ERR_HTTP_TRANSFER_CODING_NOT_IMPLEMENTED'],
  ['gzip first', 'Transfer-Encoding: gzip, chunked', 'ERR_HTTP_TRANSFER_CODING_NOT_IMPLEMENTED'],
  ['gzip first, no space', 'Transfer-Encoding: GZIP,chunked', 'ERR_HTTP_TRANSFER_CODING_NOT_IMPLEMENTED'],
  ['leading comma', 'Transfer-Encoding: , chunked', 'ERR_HTTP_BAD_TRANSFER_ENCODING'],
  ['chunked twice', 'Transfer-Encoding: chunked, chunked', LLHTTP],
  ['two fields, chunked last', 'Transfer-Encoding: identity\r\nTransfer-Encoding: chunked', 'ERR_HTTP_BAD_TRANSFER_ENCODING'],
  ['two chunked fields', 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked', LLHTTP],
  // the llhttp of Node 22+ refuses an empty value itself; Node 20's hands it on and the server refuses it
  ['empty value', 'Transfer-Encoding: ', ['ERR_HTTP_BAD_TRANSFER_ENCODING', LLHTTP]],
];

overEach('a Transfer-Encoding other than one chunked coding is refused at the end of its head; nothing of it is handed on', async ({ serve, exchange }) => {
  const { seen, handler } = recorder();
  const { server, port, errors } = await serve(handler);
  try {
    for (const [name, line, code] of REFUSED) {
      errors.length = 0;
      const { text, closed } = await exchange(port, [`POST /te HTTP/1.1\r\nHost: t\r\n${line}\r\n\r\n${HIDDEN}`]);
      const codes = typeof code === 'string' ? [code] : code;
      assert.equal(errors.length, 1, name);
      assert.ok(codes.includes(errors[0] as string), `${name}: ${errors[0]}`);
      assert.equal(answers(text).length, 1, `${name}: one answer`);
      assert.ok(text.startsWith(`HTTP/1.1 400 Refused\r\nX-Code: ${errors[0]}\r\n`), name);
      assert.ok(closed, `${name}: closed`);
    }
    assert.deepEqual(seen.map((req) => req.url), [], 'no request reached the handler, hidden ones included');
  } finally {
    await stop(server);
  }
});

overEach('HTTP/1.0 with Transfer-Encoding is faulty framing (RFC 9112 §6.1): refused, after the answers before it', async ({ serve, exchange }) => {
  const { seen, handler } = recorder();
  const { server, port, errors } = await serve(handler);
  try {
    const { text, closed } = await exchange(port, [GET('/before') + `POST /old HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n${HIDDEN}`]);
    assert.deepEqual(errors, ['ERR_HTTP_BAD_TRANSFER_ENCODING']);
    assert.deepEqual(answers(text).map((answer) => answer.slice(0, 12)), ['HTTP/1.1 200', 'HTTP/1.1 400']);
    assert.ok(closed);
    assert.deepEqual(seen.map((req) => req.url), ['/before']);
  } finally {
    await stop(server);
  }
});

overEach('one chunked coding, in any case and with optional whitespace, still passes with its body', async ({ serve, exchange }) => {
  const bodies: string[] = [];
  const { server, port, errors } = await serve((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (data: string) => (body += data));
    req.on('end', () => {
      bodies.push(body);
      res.end('ok');
    });
  });
  try {
    for (const value of ['chunked', 'CHUNKED', 'cHuNkEd ', ' chunked']) {
      const { text } = await exchange(port, [`POST /te HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:${value}\r\n\r\n5\r\nhello\r\n0\r\n\r\n`]);
      assert.match(text, /^HTTP\/1\.1 200 /, JSON.stringify(value));
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(bodies, ['hello', 'hello', 'hello', 'hello']);
  } finally {
    await stop(server);
  }
});

test('transferEncodingStatus: 501 for an unknown coding, 400 for a malformed list, repeated field or HTTP/1.0', () => {
  const te = (minor: number, ...values: string[]) => transferEncodingStatus(values.flatMap((value) => ['Transfer-Encoding', value]), minor);
  assert.equal(te(1), TE_OK);
  assert.equal(te(0), TE_OK, 'HTTP/1.0 without Transfer-Encoding');
  assert.equal(te(1, 'chunked'), TE_OK);
  assert.equal(te(1, '\tChunked '), TE_OK);
  assert.equal(te(1, 'identity'), 501);
  assert.equal(te(1, 'chunked, identity'), 501);
  assert.equal(te(1, 'chunked;q=1'), 501);
  assert.equal(te(1, 'chunkee'), 501);
  assert.equal(te(1, 'chunked\u00ff'), 501);
  assert.equal(te(1, ''), 400);
  assert.equal(te(1, ' '), 400);
  assert.equal(te(1, 'chunked,'), 400);
  assert.equal(te(1, 'chunked, chunked'), 400);
  assert.equal(te(1, 'chunked', 'chunked'), 400);
  assert.equal(te(0, 'chunked'), 400);
  assert.equal(transferEncodingStatus(['transfer-encoding', 'chunked', 'X-Transfer-Encoding', 'gzip'], 1), TE_OK, 'only the field itself counts');
});
