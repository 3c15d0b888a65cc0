/**
 * Admin console sessions and CSRF live in the database, so two identity provider instances on one
 * PostgreSQL database, with every request alternating between them (a round-robin balancer), behave as
 * one: the sign-in form served by A is posted to B, the session works on both, a form served by B is
 * posted to A, the flash message set by one is shown by the other, and signing out on one ends the
 * session on both. Before: sessions were per process; B refused A's session and A's forms got 403 on B.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp } from '../support.js';
import { postgresSchema } from '../engines.js';
import { cookieOf, csrfOf, postForm, startConsoleIdp, ADMIN } from './support.js';

test('two instances on PostgreSQL, requests alternating: one console session', async (t) => {
  const db = await postgresSchema(t, 'gatehouse_console');
  if (db === undefined) return;
  const a = await startConsoleIdp({ database: db.database });
  const b = await startTestIdp({ database: db.database, passwordHashing: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
  try {
    const instances = [a.url, b.url];
    let turn = 0;
    const next = () => instances[turn++ % 2]!;
    const get = (path: string, cookie: string) => fetch(`${next()}${path}`, { redirect: 'manual', headers: { cookie: `gatehouse_admin=${cookie}` } });

    const form = await fetch(`${next()}/admin/login`, { redirect: 'manual' }); // A
    const preCookie = cookieOf(form)!;
    const signedIn = await postForm(`${next()}/admin/login`, { _csrf: csrfOf(await form.text()), loginId: ADMIN.loginId, password: ADMIN.password }, preCookie); // B
    assert.equal(signedIn.status, 303, 'the sign-in form served by A is accepted by B');
    const cookie = cookieOf(signedIn)!;

    const home = await get('/admin/', cookie); // A
    assert.equal(home.status, 200, 'the session started on B works on A');
    const users = await get('/admin/users/new', cookie); // B
    assert.equal(users.status, 200);
    const csrf = csrfOf(await users.text());
    const added = await postForm(`${next()}/admin/users`, { _csrf: csrf, tenantId: '', email: 'round-robin@example.com', password: 'round-robin-1' }, cookie); // A
    assert.equal(added.status, 303, 'a form served by B is accepted by A');
    const shown = await get(added.headers.get('location')!.replace(/^https?:\/\/[^/]+/, ''), cookie); // B
    assert.equal(shown.status, 200);
    assert.match(await shown.text(), /Added user round-robin@example\.com\./, 'the flash set on A is shown by B');

    const out = await postForm(`${next()}/admin/logout`, { _csrf: csrf }, cookie); // A
    assert.equal(out.status, 303);
    const after = await get('/admin/', cookie); // B
    assert.equal(after.status, 303, 'signed out on A is signed out on B');
    assert.match(after.headers.get('location') ?? '', /^\/admin\/login/);
  } finally {
    await b.close();
    await a.close();
    await db.drop();
  }
});
