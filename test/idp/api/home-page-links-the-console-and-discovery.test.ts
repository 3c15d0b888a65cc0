/**
 * http://localhost:9011/ is not an empty 404: a page with links to the admin console, the discovery
 * document and the JWKS (each link answers), naming the docs; other unknown paths stay FusionAuth's empty 404.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp } from '../support.js';

test('GET / is a page linking the console, discovery and the JWKS, each of which answers', async (t) => {
  const idp = await startTestIdp();
  t.after(() => idp.close());
  const response = await fetch(`${idp.url}/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.equal(response.headers.get('x-frame-options'), 'DENY');
  const text = await response.text();
  assert.match(text, /<title>Gatehouse identity provider<\/title>/);
  assert.match(text, /docs\/idp\.md/);
  const links = [...text.matchAll(/href="(\/[^"]*)"/g)].map((m) => m[1]!);
  for (const path of ['/admin/', '/.well-known/openid-configuration', '/.well-known/jwks.json']) assert.ok(links.includes(path), `links ${path}`);
  for (const path of links) {
    const answer = await fetch(`${idp.url}${path}`, { redirect: 'manual' });
    assert.ok(answer.status === 200 || (answer.status === 303 && answer.headers.get('location')?.startsWith('/admin/login')), `${path} answers (${answer.status})`);
  }
  assert.equal((await fetch(`${idp.url}/?x=1`)).status, 200);
  const head = await fetch(`${idp.url}/`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  const unknown = await fetch(`${idp.url}/nothing-here`);
  assert.equal(unknown.status, 404);
  assert.equal(await unknown.text(), '');
});
