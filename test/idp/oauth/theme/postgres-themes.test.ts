/**
 * Themes on PostgreSQL (migration 0007_themes on both databases): a theme is stored, its name is unique
 * (`[duplicate]theme.name` from the database's constraint), and the tenant's login page is drawn in it.
 * Runs in a schema of its own, dropped afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onPostgresSchema } from '../support.js';

test('a theme is stored on PostgreSQL and draws the login page', (t) =>
  onPostgresSchema(t, 'gatehouse_theme', async (fx) => {
    const created = await fx.idp.api('POST', '/api/theme', { theme: { name: 'Harbour', variables: { pageBackgroundColor: '#003049', logoImageURL: 'https://cdn.harbour.example/logo.png' } } });
    assert.equal(created.status, 200, created.text);
    const again = await fx.idp.api('POST', '/api/theme', { theme: { name: 'Harbour' } });
    assert.equal(again.body.fieldErrors['theme.name'][0].code, '[duplicate]theme.name');
    assert.equal((await fx.idp.api('PATCH', `/api/tenant/${fx.tenantId}`, { tenant: { themeId: created.body.theme.id } })).status, 200);
    const q = new URLSearchParams({ client_id: fx.web.id, redirect_uri: fx.web.redirect, response_type: 'code', code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' });
    const page = await fetch(`${fx.idp.url}/oauth2/authorize?${q}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy')!, /img-src https:\/\/cdn\.harbour\.example\/logo\.png;/);
    const html = await page.text();
    assert.match(html, /background:#003049/);
    assert.match(html, /<img src="https:\/\/cdn\.harbour\.example\/logo\.png" alt="Web shop">/);
  }));
