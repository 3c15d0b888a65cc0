import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, policy, token, reasonOf, validClaims, asDeny } from './support.js';

test('a valid RS256 token is allowed and its subject reported', async () => {
  const p = await policy();
  const d = await decide(p, `Bearer ${token()}`);
  assert.equal(d.ok, true);
  assert.equal(d.ok && d.subject, 'user-1');
  p.close();
});

test('standards mode: a bad signature is 401 invalid_token with a JSON body', async () => {
  const p = await policy();
  const t = token();
  const bad = t.slice(0, -4) + (t.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const d = asDeny(await decide(p, `Bearer ${bad}`));
  assert.equal(d.status, 401);
  assert.match(d.headers['www-authenticate'] ?? '', /^Bearer error="invalid_token", error_description="[^"]+"$/);
  assert.equal(JSON.parse(d.body).error, 'invalid_token');
  assert.equal(d.reason, 'SIG');
  p.close();
});

test('an expired token is EXP', async () => {
  const p = await policy();
  assert.equal(await reasonOf(p, token({ claims: validClaims({ exp: 1 }) })), 'EXP');
  p.close();
});
