/** Claims forwarded as upstream headers; client-sent copies removed; Authorization optionally stripped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asDeny, decide, policy, token, validClaims } from './support.js';

const headers = { 'X-User': 'sub', 'X-Roles': 'roles', 'X-Email': 'email', 'X-Tenant': 'org.tenant', 'X-Verified': 'email_verified', 'X-Exp': 'exp' };

test('claims become headers: strings, numbers, booleans, arrays joined with ",", nested paths', async () => {
  const p = await policy({ forward: { headers } });
  const d = await decide(p, `Bearer ${token({ claims: validClaims({ roles: ['admin', 'user'], email: 'bob@example.com', org: { tenant: 't1' }, email_verified: true }) })}`);
  assert.ok(d.ok);
  assert.deepEqual(Object.fromEntries(d.setHeaders), {
    'x-user': 'user-1',
    'x-roles': 'admin,user',
    'x-email': 'bob@example.com',
    'x-tenant': 't1',
    'x-verified': 'true',
    'x-exp': String(validClaims().exp),
  });
  assert.deepEqual([...d.removeHeaders].sort(), Object.keys(headers).map((h) => h.toLowerCase()).sort());
});

test('client-sent copies of forwarded headers are always removed, even when the claim is absent', async () => {
  const p = await policy({ forward: { headers } });
  const d = await decide(p, `Bearer ${token({ claims: validClaims({ sub: undefined }) })}`);
  assert.ok(d.ok);
  assert.equal(d.setHeaders.find(([n]) => n === 'x-user'), undefined);
  assert.ok(d.removeHeaders.includes('x-user'));
});

test('Authorization is stripped only when configured', async () => {
  const keep = await decide(await policy({ forward: { headers } }), `Bearer ${token()}`);
  assert.ok(keep.ok && !keep.removeHeaders.includes('authorization'));
  const strip = await decide(await policy({ forward: { headers: {}, strip_authorization: true } }), `Bearer ${token()}`);
  assert.ok(strip.ok);
  assert.deepEqual(strip.removeHeaders, ['authorization']);
});

test('CR, LF, NUL and non-Latin-1 in a forwarded claim: refused (FORWARD) by default, percent-encoded when configured', async () => {
  const reject = await policy({ forward: { headers } });
  for (const sub of ['a\r\nX-Admin: 1', 'a\nb', 'tab\there', 'del\u007f', 'snow☃', '😀']) {
    const d = asDeny(await decide(reject, `Bearer ${token({ claims: validClaims({ sub }) })}`));
    assert.equal(d.reason, 'FORWARD', JSON.stringify(sub));
    assert.equal(d.status, 401);
  }
  const latin1 = await decide(reject, `Bearer ${token({ claims: validClaims({ sub: 'josé' }) })}`);
  assert.ok(latin1.ok, 'Latin-1 can travel in a header');
  const encode = await policy({ forward: { headers, unsafe_values: 'encode' } });
  const d = await decide(encode, `Bearer ${token({ claims: validClaims({ sub: 'a\r\nX-Admin: 1', roles: ['☃', 'ok'] }) })}`);
  assert.ok(d.ok);
  const sent = Object.fromEntries(d.setHeaders);
  assert.equal(sent['x-user'], 'a%0D%0AX-Admin%3A%201');
  assert.equal(sent['x-roles'], '%E2%98%83%2Cok');
  for (const [, value] of d.setHeaders) assert.match(value, /^[\x20-\x7e]*$/);
});

test('roles (any/all) and scopes (scope string or scp array) per policy and per route', async () => {
  const p = await policy({ roles: ['admin', 'editor'], scopes: ['read'] });
  const tok = (extra: Record<string, unknown>) => `Bearer ${token({ claims: validClaims(extra) })}`;
  assert.ok((await decide(p, tok({ roles: ['editor'], scope: 'read write' }))).ok, 'any role, all scopes');
  assert.ok((await decide(p, tok({ roles: ['admin'], scp: ['read'] }))).ok, 'scp array');
  assert.equal(asDeny(await decide(p, tok({ roles: ['viewer'], scope: 'read' }))).status, 403);
  assert.equal(asDeny(await decide(p, tok({ roles: ['admin'], scope: 'write' }))).status, 403);
  assert.equal(asDeny(await decide(p, tok({ roles: 'admin', scope: 'read' }))).status, 403, 'roles must be an array (FusionAuth)');
  assert.equal(asDeny(await decide(p, tok({ roles: ['admin'], scope: 'read' }), { scopes: ['delete'] })).status, 403, 'route adds a scope');
  assert.ok((await decide(p, tok({ roles: ['admin'], scope: 'read delete' }), { scopes: ['delete'] })).ok);
  const all = await policy({ roles: ['a', 'b'], roles_match: 'all' });
  assert.equal(asDeny(await decide(all, tok({ roles: ['a'] }))).reason, 'SCOPE');
  assert.ok((await decide(all, tok({ roles: ['b', 'a'] }))).ok);
});
