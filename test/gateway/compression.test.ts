/**
 * Response compression (`compression` on a frontend or route): negotiation of Accept-Encoding against
 * the configured algorithms, what is and is not compressed, the rewritten headers, a large streamed body
 * through zlib with backpressure, and `offload`. Bodies are checked by decompressing them with node:zlib.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { request } from 'undici';
import { compileCompression, negotiate } from '../../src/gateway/forward/compression.js';
import { configProblems } from './support/config-problems.js';
import { startInProcess } from './support/in-process.js';
import { startUpstream } from './support/upstream.js';

const json = JSON.stringify({ items: Array.from({ length: 400 }, (_, i) => ({ id: i, name: `item number ${i}`, tags: ['a', 'b', 'c'] })) });
const big = Buffer.from(Array.from({ length: 60_000 }, (_, i) => `line ${i} of a long streamed text body\n`).join(''));
let lastAcceptEncoding: string | undefined;
const app = await startUpstream('app', (req, res) => {
  lastAcceptEncoding = req.headers['accept-encoding'];
  const url = req.url ?? '/';
  if (url === '/json') res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), etag: '"v1"', vary: 'Origin', 'accept-ranges': 'bytes' }).end(json);
  else if (url === '/small') res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
  else if (url === '/png') res.writeHead(200, { 'content-type': 'image/png' }).end(randomBytes(4096));
  else if (url === '/encoded') res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end('not really gzip, and must pass untouched');
  else if (url === '/no-transform') res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'public, no-transform' }).end('x'.repeat(5000));
  else if (url === '/created') res.writeHead(404, { 'content-type': 'text/plain' }).end('y'.repeat(5000));
  else if (url === '/stream') {
    // chunked, in pieces, without a length: streamed through the compressor
    res.writeHead(200, { 'content-type': 'text/plain' });
    let offset = 0;
    const next = () => {
      if (offset >= big.length) return res.end();
      const piece = big.subarray(offset, offset + 65_536);
      offset += piece.length;
      if (res.write(piece)) setImmediate(next);
      else res.once('drain', next);
    };
    next();
  } else return false;
  return true;
});
after(() => app.close());

const get = async (url: string, headers: Record<string, string> = {}, method = 'GET') => {
  const res = await request(url, { headers, method });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
};

test('negotiation: the first configured algorithm the client accepts with q > 0; * covers the rest; identity alone gets nothing', () => {
  const policy = compileCompression({ algorithms: ['br', 'gzip'], types: ['text/*'], min_size: 0, offload: false }, undefined)!;
  assert.equal(negotiate(policy, 'gzip, deflate, br'), 'br', 'the gateway’s order of preference');
  assert.equal(negotiate(policy, 'gzip;q=0.5, br;q=0'), 'gzip', 'br refused with q=0');
  assert.equal(negotiate(policy, 'identity'), undefined);
  assert.equal(negotiate(policy, 'deflate'), undefined, 'not a configured algorithm');
  assert.equal(negotiate(policy, '*;q=0.1'), 'br');
  assert.equal(negotiate(policy, 'br;q=0, *'), 'gzip', 'listed at q=0 beats *');
  assert.equal(negotiate(policy, 'x-gzip'), 'gzip');
  assert.equal(negotiate(policy, 'GZIP;Q=1'), 'gzip', 'case-insensitive');
  assert.equal(negotiate(policy, 'gzip;q=abc'), undefined, 'an unreadable q is q=0');
  assert.equal(negotiate(policy, undefined), undefined);
  assert.equal(compileCompression({ algorithms: ['gzip'], types: ['text/*'], min_size: 0, offload: false }, false), undefined, 'a route turns it off');
});

test('compressed: gzip and br bodies decompress to the upstream’s; Content-Length goes, Content-Encoding and Vary come, the ETag turns weak', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', compression: { algorithms: ['br', 'gzip', 'deflate'] } } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const br = await get(`${gw.url}/json`, { 'accept-encoding': 'gzip, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['content-length'], undefined);
    assert.equal(br.headers.vary, 'Origin, Accept-Encoding');
    assert.equal(br.headers.etag, 'W/"v1"', 'a strong validator would promise the uncompressed bytes');
    assert.equal(br.headers['accept-ranges'], undefined);
    assert.equal(brotliDecompressSync(br.body).toString(), json);
    assert.ok(br.body.length < Buffer.byteLength(json) / 4, `compressed to ${br.body.length} of ${Buffer.byteLength(json)} bytes`);
    const gzip = await get(`${gw.url}/json`, { 'accept-encoding': 'gzip' });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gzip.body).toString(), json);
    const deflate = await get(`${gw.url}/json`, { 'accept-encoding': 'deflate' });
    assert.equal(deflate.headers['content-encoding'], 'deflate');
    assert.equal(inflateSync(deflate.body).toString(), json);
    const plain = await get(`${gw.url}/json`);
    assert.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: as the upstream sent it');
    assert.equal(plain.headers['content-length'], String(Buffer.byteLength(json)));
    assert.equal(plain.headers.etag, '"v1"');
    assert.equal(plain.body.toString(), json);
    assert.equal(lastAcceptEncoding, undefined, 'without offload the client’s Accept-Encoding (none here) is what the upstream sees');
    await get(`${gw.url}/json`, { 'accept-encoding': 'br' });
    assert.equal(lastAcceptEncoding, 'br', 'without offload the upstream sees the client’s Accept-Encoding');
    const log = gw.logs.find((l) => l.path === '/json' && l.status === 200);
    assert.ok(log !== undefined && (log.bytes as number) < Buffer.byteLength(json), 'the access log counts the bytes sent to the client');
  } finally {
    await gw.close();
  }
});

test('not compressed: small, unlisted type, already encoded, no-transform, not 200–203, HEAD; a route can turn it off', async () => {
  const gw = await startInProcess({
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        compression: { types: ['application/json', 'text/*'], min_size: '1k' },
        routes: [{ path_prefix: '/stream', backend: 'app', compression: false }],
      },
    },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const accept = { 'accept-encoding': 'gzip' };
    for (const path of ['/small', '/png', '/no-transform', '/created', '/stream']) {
      const res = await get(`${gw.url}${path}`, accept);
      assert.equal(res.headers['content-encoding'], undefined, path);
    }
    const encoded = await get(`${gw.url}/encoded`, accept);
    assert.equal(encoded.headers['content-encoding'], 'gzip', 'the upstream’s own encoding is kept');
    assert.equal(encoded.body.toString(), 'not really gzip, and must pass untouched');
    const head = await get(`${gw.url}/json`, accept, 'HEAD');
    assert.equal(head.headers['content-encoding'], undefined);
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(json)), 'HEAD keeps the length of the plain representation');
    assert.equal((await get(`${gw.url}/json`, accept)).headers['content-encoding'], 'gzip', 'text/* and the listed type are compressed');
  } finally {
    await gw.close();
  }
});

test('a 2.4 MB body streamed in pieces through the compressor arrives whole; offload keeps Accept-Encoding from the upstream', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', compression: { algorithms: ['gzip'], offload: true } } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const res = await request(`${gw.url}/stream`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    // read slowly at first: the compressor and the upstream must wait for the client, not buffer without bound
    const chunks: Buffer[] = [];
    let first = true;
    for await (const chunk of res.body) {
      if (first) {
        first = false;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      chunks.push(chunk as Buffer);
    }
    assert.ok(gunzipSync(Buffer.concat(chunks)).equals(big), 'the decompressed body is the upstream’s, byte for byte');
    assert.equal(lastAcceptEncoding, undefined, 'offload: the upstream never saw Accept-Encoding');
  } finally {
    await gw.close();
  }
});

test('a client that leaves in the middle of a compressed body: the exchange ends as 499, compressor and upstream let go', async () => {
  const gw = await startInProcess({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', compression: { algorithms: ['gzip'] } } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  try {
    const controller = new AbortController();
    const leaving = await request(`${gw.url}/stream`, { headers: { 'accept-encoding': 'gzip' }, signal: controller.signal });
    assert.equal(leaving.headers['content-encoding'], 'gzip');
    for await (const _ of leaving.body) {
      controller.abort();
      break;
    }
    const deadline = Date.now() + 3_000;
    while (!gw.logs.some((l) => l.status === 499) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(gw.logs.some((l) => l.status === 499 && l.path === '/stream' && l.error === 'client closed'), 'logged as the client leaving');
  } finally {
    await gw.close();
  }
});

test('compression config problems are reported with their key paths', () => {
  const problems = configProblems({
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        compression: { algorithms: ['zstd'], types: ['json'], min_size: 'big' },
        routes: [{ path_prefix: '/x', backend: 'app', compression: { offload: 'yes' } }],
      },
    },
    backends: { app: { servers: { a: { address: '127.0.0.1:1' } } } },
  });
  assert.match(problems, /frontends\.web\.compression\.algorithms\[0\]: expected br, gzip or deflate/);
  assert.match(problems, /frontends\.web\.compression\.types\[0\]: expected a media type like application\/json or a family like text\/\*/);
  assert.match(problems, /frontends\.web\.compression\.min_size: /);
  assert.match(problems, /frontends\.web\.routes\[0\]\.compression/);
});
