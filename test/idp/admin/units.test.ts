/** The console's small parts alone: escaping, form parsing, sessions (in an SQLite file) with a frozen clock, cookies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, escapeHtml } from '../../../src/idp/admin/html.js';
import { pathInWords, readableErrors, readableMessage } from '../../../src/idp/admin/readable.js';
import { parseForm } from '../../../src/idp/admin/plugin.js';
import { SessionStore, csrfMatches, sessionCookie } from '../../../src/idp/admin/session.js';
import { safeNext } from '../../../src/idp/admin/sign-in.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Storage } from '../../../src/idp/storage/index.js';
import { tempDir } from '../support.js';

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

test('sessions: idle timeout, absolute lifetime, per-user logout; only the id hash is stored', async () => {
  const dir = tempDir();
  const storage = await Storage.open(join(dir, 'sessions.sqlite'));
  try {
    let now = 1_000_000;
    const store = new SessionStore(storage, () => now);
    const s = await store.create({ userId: 'u1', loginId: 'a@b' });
    assert.equal((await store.get(s.id))?.userId, 'u1');
    assert.equal(await storage.adminSessions.get(s.id), undefined, 'the cookie value is not a row id');
    assert.equal(await new SessionStore(storage, () => now).get(s.id).then((x) => x?.csrf), s.csrf, 'another store (instance) on the database sees it');
    now += 29 * 60_000;
    assert.ok(await store.get(s.id), 'used within 30 minutes');
    now += 29 * 60_000;
    assert.ok(await store.get(s.id), 'idle time counts from the last use');
    now += 31 * 60_000;
    assert.equal(await store.get(s.id), undefined, 'idle for 31 minutes');
    const long = await store.create({ userId: 'u2', loginId: 'c@d' });
    for (let i = 0; i < 26; i++) {
      now += 29 * 60_000;
      if (i < 24) assert.ok(await store.get(long.id), `still alive after ${(i + 1) * 29} minutes`);
    }
    assert.equal(await store.get(long.id), undefined, 'gone after 12 hours however active');
    const a = await store.create({ userId: 'u3', loginId: 'x' });
    const b = await store.create({ userId: 'u3', loginId: 'x' });
    const c = await store.create({ userId: 'u4', loginId: 'y' });
    await store.destroyUser('u3');
    assert.equal(await store.get(a.id), undefined);
    assert.equal(await store.get(b.id), undefined);
    assert.ok(await store.get(c.id));
    assert.equal(await store.get(undefined), undefined);
    assert.equal(await store.get('x'.repeat(5000)), undefined);
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.csrf, a.id);
    assert.ok(csrfMatches(c, c.csrf));
    assert.ok(!csrfMatches(c, a.csrf));
    assert.ok(!csrfMatches(c, ['x']));
    assert.ok(!csrfMatches(c, ''));
    const flashy = (await store.get(c.id))!;
    flashy.flash = 'Saved.';
    await store.saveFlash(flashy);
    assert.equal((await new SessionStore(storage, () => now).get(c.id))?.flash, 'Saved.', 'a flash set on one instance is shown by another');
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sessions are bounded: the least recently seen goes first', async () => {
  const dir = tempDir();
  const storage = await Storage.open(join(dir, 'bound.sqlite'));
  try {
    let now = 0;
    const store = new SessionStore(storage, () => now, 5);
    const first = await store.create();
    for (let i = 0; i < 5; i++) {
      now += 1;
      await store.create();
    }
    assert.equal(await store.get(first.id), undefined);
    assert.equal(await storage.adminSessions.count(), 5);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cookies', () => {
  assert.match(sessionCookie('v', true), /^gatehouse_admin=v; Path=\/admin; HttpOnly; SameSite=Strict; Secure$/);
  assert.doesNotMatch(sessionCookie('v', false), /Secure/);
});

test('next: only console paths', () => {
  for (const bad of ['//evil', 'https://evil', '/adminx', '/admin//x', '/admin/\\evil', '/other', '', 5, undefined]) assert.equal(safeNext(bad), '/admin/', String(bad));
  for (const good of ['/admin', '/admin/', '/admin/users?q=a', '/admin/applications/1/edit']) assert.equal(safeNext(good), good);
});

test('API messages read as the form\'s words: labels for paths, plain words for other paths, no brackets', () => {
  assert.equal(readableMessage('The [tenant.issuer] property must be a string.', { 'tenant.issuer': 'Issuer' }), 'Issuer must be a string.');
  assert.equal(readableMessage('You must specify the [user.email] property.', { 'user.email': 'Email' }), 'Email is required.');
  assert.equal(readableMessage('A User with email = [x@example.com] already exists.', { 'user.email': 'Email' }), 'A User with email = "x@example.com" already exists.');
  assert.equal(readableMessage('The [user.password] property is shorter than the minimum of [8] characters.', { 'user.password': 'Password' }), 'Password is shorter than the minimum of 8 characters.');
  assert.equal(readableMessage('The [application.jwtConfiguration.timeToLiveInSeconds] property must be a whole number.'), 'Time to live in seconds must be a whole number.');
  assert.equal(
    readableMessage('You must specify either the [user.email] or [user.username] property. If you are emailing the user you must specify the [user.email].', { 'user.email': 'Email', 'user.username': 'Username' }),
    'You must specify either the Email or Username. If you are emailing the user you must specify the Email.',
  );
  assert.equal(readableMessage('A Tenant with name [Default] already exists.'), 'A Tenant with name "Default" already exists.');
  assert.equal(pathInWords('apiKey.key'), 'key');
  assert.equal(pathInWords('key.publicKey'), 'public key');
  assert.equal(pathInWords('roles[0]'), 'roles');
  const all = readableErrors({ general: ['The key is in use by a tenant or an application and cannot be deleted.'], fields: { 'key.length': ['The [key.length] property must be 2048, 3072 or 4096 for an RSA key.'] } });
  assert.deepEqual(all, ['The key is in use by a tenant or an application and cannot be deleted.', 'Length must be 2048, 3072 or 4096 for an RSA key.']);
  for (const text of all) assert.doesNotMatch(text, /\[|\]/);
});
