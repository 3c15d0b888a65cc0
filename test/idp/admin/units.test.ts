/** The console's small parts alone: escaping, form parsing, sessions with a frozen clock, cookies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, escapeHtml } from '../../../src/idp/admin/html.js';
import { inWords } from '../../../src/idp/admin/components.js';
import { parseForm } from '../../../src/idp/admin/plugin.js';
import { SessionStore, csrfMatches, sessionCookie } from '../../../src/idp/admin/session.js';
import { safeNext } from '../../../src/idp/admin/sign-in.js';

test('html escapes every interpolation, in text and in attributes', () => {
  const evil = `<script>alert("1")</script>' onmouseover='x' \`y\` &amp;`;
  const out = html`<p title="${evil}">${evil}</p>`.value;
  assert.ok(!out.includes('<script>'));
  assert.ok(!/title="[^"]*"[^>]*onmouseover/.test(out), 'no attribute break-out');
  assert.equal(escapeHtml(`<>&"'\``), '&lt;&gt;&amp;&quot;&#39;&#96;');
  assert.equal(html`${['<a>', html`<b>`, null, undefined, false, 0]}`.value, '&lt;a&gt;<b>0');
});

test('forms: repeated names become lists, + and %-escapes decode', () => {
  assert.deepEqual(parseForm('a=1&a=2&a=3&b=x+y&c=%3Cs%3E&d='), { a: ['1', '2', '3'], b: 'x y', c: '<s>', d: '' });
  assert.deepEqual(parseForm(''), {});
});

test('sessions: idle timeout, absolute lifetime, bound, per-user logout', () => {
  let now = 1_000_000;
  const store = new SessionStore(() => now);
  const s = store.create({ userId: 'u1', loginId: 'a@b' });
  assert.equal(store.get(s.id)?.userId, 'u1');
  now += 29 * 60_000;
  assert.ok(store.get(s.id), 'used within 30 minutes');
  now += 29 * 60_000;
  assert.ok(store.get(s.id), 'idle time counts from the last use');
  now += 31 * 60_000;
  assert.equal(store.get(s.id), undefined, 'idle for 31 minutes');
  const long = store.create({ userId: 'u2', loginId: 'c@d' });
  for (let i = 0; i < 26; i++) {
    now += 29 * 60_000;
    if (i < 24) assert.ok(store.get(long.id), `still alive after ${(i + 1) * 29} minutes`);
  }
  assert.equal(store.get(long.id), undefined, 'gone after 12 hours however active');
  const a = store.create({ userId: 'u3', loginId: 'x' });
  const b = store.create({ userId: 'u3', loginId: 'x' });
  const c = store.create({ userId: 'u4', loginId: 'y' });
  store.destroyUser('u3');
  assert.equal(store.get(a.id), undefined);
  assert.equal(store.get(b.id), undefined);
  assert.ok(store.get(c.id));
  assert.equal(store.get(undefined), undefined);
  assert.equal(store.get('x'.repeat(5000)), undefined);
  assert.notEqual(a.id, b.id);
  assert.notEqual(a.csrf, a.id);
  assert.ok(csrfMatches(c, c.csrf));
  assert.ok(!csrfMatches(c, a.csrf));
  assert.ok(!csrfMatches(c, ['x']));
  assert.ok(!csrfMatches(c, ''));
});

test('sessions are bounded: the oldest goes first', () => {
  const store = new SessionStore(() => 0);
  const first = store.create();
  for (let i = 0; i < 10_000; i++) store.create();
  assert.equal(store.get(first.id), undefined);
});

test('cookies', () => {
  assert.match(sessionCookie('v', true), /^gatehouse_admin=v; Path=\/admin; HttpOnly; SameSite=Strict; Secure$/);
  assert.doesNotMatch(sessionCookie('v', false), /Secure/);
});

test('next: only console paths', () => {
  for (const bad of ['//evil', 'https://evil', '/adminx', '/admin//x', '/admin/\\evil', '/other', '', 5, undefined]) assert.equal(safeNext(bad), '/admin/', String(bad));
  for (const good of ['/admin', '/admin/', '/admin/users?q=a', '/admin/applications/1/edit']) assert.equal(safeNext(good), good);
});

test('API messages next to their field name the field by its label', () => {
  assert.equal(inWords('The [tenant.issuer] property must be a string.', 'Issuer'), 'Issuer must be a string.');
  assert.equal(inWords('You must specify the [user.email] property.', 'Email'), 'You must specify Email.');
  assert.equal(inWords('A User with email = [x] already exists.', 'Email'), 'A User with email = [x] already exists.');
});
