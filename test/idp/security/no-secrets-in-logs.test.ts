/**
 * No password, token, refresh token, API key value, client secret or private key reaches a log line,
 * across successes, failures, validation errors and a server error. The log output is captured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIdp } from '../support.js';

test('log lines never contain secrets', async () => {
  const idp = await startTestIdp();
  const secrets: string[] = [idp.adminKey];
  try {
    const password = 'Sup3r-secret-passw0rd';
    secrets.push(password);
    const app = (await idp.api('POST', '/api/application', {
      application: { name: 'Logs', jwtConfiguration: { enabled: true }, loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true } },
    })).body.application;
    secrets.push(app.oauthConfiguration.clientSecret);
    const created = await idp.api('POST', '/api/user/registration', { user: { email: 'log@example.com', password }, registration: { applicationId: app.id } });
    secrets.push(created.body.token, created.body.refreshToken);
    const apiKey = (await idp.api('POST', '/api/api-key', { apiKey: { permissions: { endpoints: { '/api/login': ['POST'] } } } })).body.apiKey.key;
    secrets.push(apiKey);
    const login = await idp.api('POST', '/api/login', { loginId: 'log@example.com', password, applicationId: app.id }, { authorization: apiKey });
    secrets.push(login.body.token, login.body.refreshToken);
    await idp.api('POST', '/api/login', { loginId: 'log@example.com', password: `${password}-wrong`, applicationId: app.id }, { authorization: apiKey });
    secrets.push(`${password}-wrong`);
    const refreshed = await idp.api('POST', '/api/jwt/refresh', { refreshToken: login.body.refreshToken });
    secrets.push(refreshed.body.token);
    await idp.api('GET', '/api/jwt/validate', undefined, { authorization: `Bearer ${refreshed.body.token}` });
    await idp.api('DELETE', `/api/jwt/refresh?token=${encodeURIComponent(login.body.refreshToken)}`);
    await idp.api('POST', '/api/user', { user: { email: 'bad', password: 'short' } });
    await idp.api('POST', '/api/login', `{"loginId": "x", "password": "${password}"`, { 'content-type': 'application/json' });
    const secretKey = 'hmac-secret-value-0123456789abcdef';
    secrets.push(Buffer.from(secretKey).toString('base64'));
    await idp.api('POST', '/api/key/import', { key: { name: 'hmac', algorithm: 'HS256', secret: Buffer.from(secretKey).toString('base64') } });
    const pair = (await idp.api('POST', '/api/key/generate', { key: { name: 'pair', algorithm: 'ES256' } })).body.key;
    assert.ok(pair.id);
    // a server-side failure: the tenant signs with a key that has no private key → 500, logged
    const { publicKey } = (await import('node:crypto')).generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const publicOnly = (await idp.api('POST', '/api/key/import', { key: { name: 'public only', publicKey: publicKey.export({ type: 'spki', format: 'pem' }) } })).body.key;
    const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id;
    await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { jwtConfiguration: { accessTokenKeyId: publicOnly.id } } });
    const failed = await idp.api('POST', '/api/login', { loginId: 'log@example.com', password }, { authorization: apiKey });
    assert.equal(failed.status, 500);
    assert.equal(failed.text, '');
    assert.ok(idp.logLines.some((l) => l.includes('"msg":"request failed"') && l.includes('no private key')));
    assert.ok(idp.logLines.length >= 10, 'requests were logged');
    const log = idp.logLines.join('\n');
    for (const secret of secrets) {
      assert.ok(typeof secret === 'string' && secret.length >= 8);
      assert.ok(!log.includes(secret), `a secret of length ${secret.length} appeared in the log`);
    }
    assert.doesNotMatch(log, /PRIVATE KEY/);
    assert.doesNotMatch(log, /\$argon2id\$/);
    assert.match(log, /"route":"\/api\/login","status":404/);
  } finally {
    await idp.close();
  }
});
