/**
 * Regression (issue 15, item 3): llhttp reports a chunked body's trailer fields through the same callback
 * as the pieces of a long head, and the server used to keep those pieces (and URL parts) across messages.
 * Trailers `X-Injected` and `Authorization` followed by `GET /c/G16-next` made the next request
 * `GET /c/G16/c/G16-next` carrying both fields; behind a proxy that reuses connections, one client's
 * trailer authorized another client's request. Now a head's pieces belong to their message, and trailer
 * fields stay on their own request (`rawTrailers`, not forwarded), over the limit they are refused.
 */
import assert from 'node:assert/strict';
import { GET, answers, recorder, stop, overEach } from './raw-server.js';

const CHUNKED = (path: string, trailers: string) => `POST ${path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n${trailers}\r\n`;
const INJECTED = 'X-Injected: 1\r\nAuthorization: Bearer attacker\r\n';
/** Fields a head needs to come in pieces (llhttp hands over at most 31 at once). */
const MANY = Array.from({ length: 40 }, (_, i) => `X-Field-${i}: ${i}\r\n`).join('');

function names(rawHeaders: readonly string[]): string[] {
  return rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
}

overEach('trailer fields stay on their request: the next request on the connection has exactly its own URL and head', async ({ serve, exchange }) => {
  const { seen, handler } = recorder();
  const { server, port, errors } = await serve(handler);
  try {
    // in one write and in separate writes; the next head short (one piece) and long (in pieces)
    for (const chunks of [[CHUNKED('/c/G16', INJECTED) + GET('/c/G16-next')], [CHUNKED('/c/G16', INJECTED), 50, GET('/c/G16-next')], [CHUNKED('/c/G16', INJECTED) + GET('/c/G16-next', MANY)]]) {
      seen.length = 0;
      const { text } = await exchange(port, chunks);
      assert.deepEqual(seen.map((req) => req.url), ['/c/G16', '/c/G16-next']);
      const [first, next] = seen as [(typeof seen)[0], (typeof seen)[0]];
      assert.deepEqual(first.rawTrailers, ['X-Injected', '1', 'Authorization', 'Bearer attacker']);
      assert.ok(!names(first.rawHeaders).includes('authorization'), 'a trailer is not a header of its own request either');
      assert.ok(!names(next.rawHeaders).includes('x-injected') && !names(next.rawHeaders).includes('authorization'), `next head: ${next.rawHeaders.join(',')}`);
      assert.equal(next.headers.authorization, undefined);
      assert.deepEqual(next.rawTrailers, []);
      assert.deepEqual(answers(text).map((answer) => answer.slice(answer.lastIndexOf('\r\n\r\n') + 4)), ['POST /c/G16', 'GET /c/G16-next']);
    }
    assert.deepEqual(errors, []);
  } finally {
    await stop(server);
  }
});

overEach('after a message with trailers, long heads (delivered in pieces) are still whole and separate', async ({ serve, exchange }) => {
  const { seen, handler } = recorder();
  const { server, port } = await serve(handler);
  try {
    const longTrailers = Array.from({ length: 40 }, (_, i) => `X-T-${i}: ${i}\r\n`).join('');
    await exchange(port, [CHUNKED('/one', longTrailers) + GET('/two', MANY) + GET('/three', 'X-Three: 3\r\n')]);
    assert.deepEqual(seen.map((req) => req.url), ['/one', '/two', '/three']);
    assert.equal((seen[0] as (typeof seen)[0]).rawTrailers.length, 80);
    assert.deepEqual(names((seen[1] as (typeof seen)[0]).rawHeaders), ['host', ...Array.from({ length: 40 }, (_, i) => `x-field-${i}`)]);
    assert.deepEqual(names((seen[2] as (typeof seen)[0]).rawHeaders), ['host', 'x-three']);
  } finally {
    await stop(server);
  }
});

overEach('a trailer section over the field limit is refused after the answers before it, and nothing after it is read', async ({ serve, exchange }) => {
  const { seen, handler } = recorder();
  const { server, port, errors } = await serve(handler, undefined, { maxHeaderFields: 10 });
  try {
    const trailers = Array.from({ length: 11 }, (_, i) => `X-T-${i}: ${i}\r\n`).join('');
    const { text, closed } = await exchange(port, [GET('/before') + CHUNKED('/over', trailers) + GET('/after')]);
    assert.deepEqual(errors, ['ERR_HTTP_TOO_MANY_HEADERS']);
    assert.ok(closed);
    assert.ok(!seen.some((req) => req.url === '/after'), 'the request after the refusal never reaches the handler');
    const parts = answers(text);
    assert.equal(parts.length, 2, text);
    assert.match(parts[0] as string, /^HTTP\/1\.1 200 [\s\S]*GET \/before$/);
    assert.match(parts[1] as string, /^HTTP\/1\.1 400 Refused\r\nX-Code: ERR_HTTP_TOO_MANY_HEADERS/);
  } finally {
    await stop(server);
  }
});
