/**
 * Issue 15 item 7, through the real gateway with a real JWT policy: auth only on `path_prefix: /private`,
 * `auth: false` on `/public`, an open default backend. Each path below reached an upstream without a
 * token on the main branch before this fix; HAProxy's `path_beg /private` and nginx's `location /private`
 * answer 401 to the first four. Now each is refused (404 for a near miss, 400 for an ambiguous path) and
 * no upstream sees it; with a valid token the aligned paths still go through, normalised.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest } from '../support/raw-http.js';
import { startUpstream, type Echo } from '../support/upstream.js';
import { startPrivatePublicGateway, validBearer } from './private-public-gateway.js';

const upstreams = { private: await startUpstream('private'), public: await startUpstream('public'), open: await startUpstream('open') };
after(() => Promise.all(Object.values(upstreams).map((u) => u.close())));

const gw = await startPrivatePublicGateway({ private: upstreams.private.address, public: upstreams.public.address, open: upstreams.open.address });
after(() => gw.close());

const forwarded = () => upstreams.private.requests + upstreams.public.requests + upstreams.open.requests;

async function send(path: string, bearer?: string): Promise<{ status: number; echo: Echo | undefined; text: string }> {
  const auth = bearer === undefined ? '' : `Authorization: Bearer ${bearer}\r\n`;
  const result = await rawRequest(gw.port, `GET ${path} HTTP/1.1\r\nHost: gw.test\r\n${auth}Connection: close\r\n\r\n`);
  // the echo is one JSON object (the body may be chunked)
  const body = result.text.slice(result.text.indexOf('{'), result.text.lastIndexOf('}') + 1);
  return { status: result.status, echo: result.status === 200 ? (JSON.parse(body) as Echo) : undefined, text: result.text };
}

test('near misses of the /private prefix do not reach the open default backend', async () => {
  for (const path of ['/private.json', '/private%3bx', '/privatex', '/private-old/secret']) {
    const before = forwarded();
    const { status } = await send(path);
    assert.equal(status, 404, path);
    assert.equal(forwarded(), before, `${path}: no upstream contacted`);
  }
});

test('a trailing dot or space on /private is refused with 400, not forwarded as /private./x', async () => {
  for (const path of ['/private%2e/x', '/private./x', '/private%20/x', '/private%20']) {
    const before = forwarded();
    assert.equal((await send(path)).status, 400, path);
    assert.equal(forwarded(), before, `${path}: no upstream contacted`);
  }
});

test('/public/..;/private and double-encoded dots are refused, not forwarded to the auth: false route', async () => {
  for (const path of ['/public/..;/private', '/public/..;x/private/data', '/public/%252e%252e/private', '/public/%252E%252E%252Fprivate', '/public/..%3b/private']) {
    const before = forwarded();
    const refused = await send(path);
    assert.equal(refused.status, 400, path);
    assert.match(refused.text, /the request path is malformed or ambiguous/, `${path}: the answer says why`);
    assert.equal(forwarded(), before, `${path}: no upstream contacted`);
  }
});

test('with a valid token, /private paths go through normalised; /public and the default stay open', async () => {
  const jwt = validBearer();
  assert.equal((await send('/private/a')).status, 401);
  const ok = await send('/public/../private/%61', jwt);
  assert.equal(ok.echo?.server, 'private');
  assert.equal(ok.echo?.url, '/private/a');
  assert.equal((await send('/private;jsessionid=1/x', jwt)).echo?.server, 'private');
  assert.equal((await send('/public/x')).echo?.server, 'public');
  assert.equal((await send('/publicity')).echo?.server, 'open');
  assert.equal((await send('/other/x')).echo?.url, '/other/x');
});
