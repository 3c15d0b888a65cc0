/**
 * Compatibility proof: the identity provider driven only through the official @fusionauth/typescript-client.
 * Every call resolves or rejects as it would against FusionAuth, and every token verifies with jose
 * against the published JWKS.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, importSPKI, jwtVerify, type JSONWebKeySet } from 'jose';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { decodeJwt, startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
let admin: FusionAuthClient;

before(async () => {
  idp = await startTestIdp();
  admin = new FusionAuthClient(idp.adminKey, idp.url);
});
after(() => idp.close());

/** The ClientResponse a rejected call carries. */
async function rejection(promise: Promise<unknown>): Promise<{ statusCode: number; exception: any }> {
  try {
    await promise;
  } catch (error) {
    return error as { statusCode: number; exception: any };
  }
  assert.fail('the call resolved but should have rejected');
}

test('the whole FusionAuth flow through the official TypeScript client', async () => {
  // tenant
  const tenantResponse = await admin.createTenant(null as unknown as string, { tenant: { name: 'Compat', issuer: 'https://compat.example' } });
  assert.equal(tenantResponse.statusCode, 200);
  const tenantId = tenantResponse.response.tenant!.id!;
  assert.equal((await admin.retrieveTenant(tenantId)).response.tenant!.issuer, 'https://compat.example');
  assert.ok((await admin.retrieveTenants()).response.tenants!.some((t) => t.id === tenantId));
  const client = new FusionAuthClient(idp.adminKey, idp.url, tenantId);

  // key
  const generated = await client.generateKey(null as unknown as string, { key: { algorithm: 'ES256' as never, name: 'compat es256' } });
  assert.equal(generated.response.key!.kid!.length, 27);
  assert.equal((generated.response.key as Record<string, unknown>).privateKey, undefined);
  assert.match(generated.response.key!.certificate!, /BEGIN CERTIFICATE/);
  const dup = await rejection(client.generateKey(null as unknown as string, { key: { algorithm: 'ES256' as never, name: 'compat es256' } }));
  assert.equal(dup.statusCode, 400);
  assert.equal(dup.exception.fieldErrors['key.name'][0].code, '[duplicate]key.name');

  // application, with JWT keys generated
  const appResponse = await client.createApplication(null as unknown as string, {
    application: {
      name: 'Compat app',
      jwtConfiguration: { enabled: true, timeToLiveInSeconds: 600, refreshTokenTimeToLiveInMinutes: 60 },
      loginConfiguration: { allowTokenRefresh: true, generateRefreshTokens: true, requireAuthentication: true },
      roles: [{ name: 'admin' }, { name: 'user', isDefault: true }],
    },
  });
  const application = appResponse.response.application!;
  assert.equal(application.oauthConfiguration!.clientId, application.id);
  assert.ok(application.oauthConfiguration!.clientSecret!.length >= 40);
  const accessKey = (await client.retrieveKey(application.jwtConfiguration!.accessTokenKeyId!)).response.key!;
  assert.equal(accessKey.name, 'Access token signing key generated for application Compat app');
  assert.equal(accessKey.algorithm, 'RS256');
  const idKey = (await client.retrieveKey(application.jwtConfiguration!.idTokenKeyId!)).response.key!;
  assert.equal(idKey.name, 'Id token signing key generated for application Compat app');
  assert.ok((await client.retrieveKeys()).response.keys!.every((k) => (k as Record<string, unknown>).privateKey === undefined && (k as Record<string, unknown>).secret === undefined));

  // API key allowed only to POST /api/login
  const apiKeyResponse = await client.createAPIKey(null as unknown as string, { apiKey: { permissions: { endpoints: { '/api/login': ['POST'] } }, tenantId } });
  const loginKey = apiKeyResponse.response.apiKey!.key!;
  assert.equal(apiKeyResponse.response.apiKey!.keyManager, false);
  const login = new FusionAuthClient(loginKey, idp.url);
  const notPermitted = await rejection(login.retrieveTenants());
  assert.equal(notPermitted.statusCode, 401);
  assert.equal(notPermitted.exception, undefined);

  // user and registration
  const userResponse = await client.createUser(null as unknown as string, { user: { email: 'Bob@Example.com', username: 'bobaws', password: 'correct horse battery', firstName: 'Bob' } });
  const userId = userResponse.response.user!.id!;
  assert.equal(userResponse.response.user!.email, 'bob@example.com');
  assert.equal((userResponse.response.user as Record<string, unknown>).password, undefined);
  const duplicate = await rejection(client.createUser(null as unknown as string, { user: { email: 'bob@example.com', password: 'another password' } }));
  assert.equal(duplicate.statusCode, 400);
  assert.equal(duplicate.exception.fieldErrors['user.email'][0].code, '[duplicate]user.email');
  const registration = await client.register(userId, { registration: { applicationId: application.id!, roles: ['admin'] } });
  assert.deepEqual(registration.response.registration!.roles, ['admin']);
  assert.equal((await client.retrieveUserByEmail('bob@example.com')).response.user!.id, userId);
  assert.equal((await client.retrieveRegistration(userId, application.id!)).response.registration!.applicationId, application.id);
  assert.equal((await rejection(client.retrieveUser('00000000-0000-4000-8000-000000000000'))).statusCode, 404);

  // combined create
  const combined = await client.register(null as unknown as string, {
    user: { email: 'carol@example.com', password: 'carols password' },
    registration: { applicationId: application.id! },
  });
  assert.deepEqual(combined.response.registration!.roles, ['user']);
  assert.equal(decodeJwt(combined.response.token!).payload.authenticationType, 'REGISTRATION');

  // login
  const loggedIn = await login.login({ loginId: 'bob@example.com', password: 'correct horse battery', applicationId: application.id! });
  assert.equal(loggedIn.statusCode, 200);
  const token = loggedIn.response.token!;
  assert.equal((loggedIn.response.user as Record<string, unknown>).password, undefined);
  assert.ok(loggedIn.response.refreshToken);
  const wrong = await rejection(login.login({ loginId: 'bob@example.com', password: 'wrong password', applicationId: application.id! }));
  assert.equal(wrong.statusCode, 404);
  assert.equal(wrong.exception, undefined);

  // JWKS and public keys
  const jwks = (await admin.retrieveJsonWebKeySet()).response as unknown as JSONWebKeySet;
  assert.ok(jwks.keys.every((k) => k.kty !== 'oct'));
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: 'https://compat.example', audience: application.id! });
  assert.equal(protectedHeader.kid, accessKey.kid);
  assert.deepEqual(payload.roles, ['admin']);
  assert.equal(payload.sid, loggedIn.response.refreshTokenId);
  const publicKeys = (await admin.retrieveJWTPublicKeys()).response.publicKeys!;
  assert.equal(publicKeys[accessKey.kid!], accessKey.publicKey);
  const byKid = (await admin.retrieveJWTPublicKey(accessKey.kid!)).response.publicKey!;
  await jwtVerify(token, await importSPKI(byKid, 'RS256'));
  const byApp = (await admin.retrieveJWTPublicKeyByApplicationId(application.id!)).response.publicKey!;
  assert.equal(byApp, accessKey.publicKey);
  const discovery = (await admin.retrieveOpenIdConfiguration()).response;
  assert.equal(discovery.jwks_uri, `${idp.url}/.well-known/jwks.json`);

  // validate
  const validated = await admin.validateJWT(token);
  assert.equal(validated.response.jwt!.sub, userId);
  assert.equal((await rejection(admin.validateJWT(`${token.slice(0, -4)}AAAA`))).statusCode, 401);

  // refresh
  const refreshed = await admin.exchangeRefreshTokenForJWT({ refreshToken: loggedIn.response.refreshToken! });
  const refreshedClaims = (await jwtVerify(refreshed.response.token!, createLocalJWKSet(jwks))).payload;
  assert.equal(refreshedClaims.authenticationType, 'REFRESH_TOKEN');
  assert.equal(refreshedClaims.auth_time, payload.auth_time);
  assert.equal(refreshed.response.refreshTokenId, loggedIn.response.refreshTokenId);
  const listed = (await client.retrieveRefreshTokens(userId)).response.refreshTokens!;
  const listedToken = listed.find((t) => t.id === loggedIn.response.refreshTokenId)!;
  assert.ok(listedToken !== undefined);
  // FusionAuth's fields: data, metaData.device (with lastAccessedInstant) and metaData.scopes
  assert.deepEqual(listedToken.data, {});
  assert.equal(typeof listedToken.metaData!.device!.lastAccessedInstant, 'number');
  assert.ok(Array.isArray(listedToken.metaData!.scopes));
  assert.equal(listedToken.applicationId, application.id);
  assert.equal(typeof listedToken.startInstant, 'number');
  assert.equal((await client.retrieveRefreshTokenById(loggedIn.response.refreshTokenId!)).response.refreshToken!.userId, userId);

  // revoke
  await client.revokeRefreshTokenByToken(loggedIn.response.refreshToken!);
  const revoked = await rejection(admin.exchangeRefreshTokenForJWT({ refreshToken: loggedIn.response.refreshToken! }));
  assert.equal(revoked.statusCode, 400);
  assert.equal(revoked.exception.fieldErrors.refreshToken[0].code, '[invalid]refreshToken');
  const second = await login.login({ loginId: 'bobaws', password: 'correct horse battery', applicationId: application.id! });
  await client.revokeRefreshTokensByUserId(userId);
  assert.equal((await rejection(admin.exchangeRefreshTokenForJWT({ refreshToken: second.response.refreshToken! }))).statusCode, 400);
  const third = await login.login({ loginId: 'bobaws', password: 'correct horse battery', applicationId: application.id! });
  await client.revokeRefreshToken(null as unknown as string, userId, application.id!);
  assert.equal((await rejection(admin.exchangeRefreshTokenForJWT({ refreshToken: third.response.refreshToken! }))).statusCode, 400);

  // logout revokes
  const fourth = await login.login({ loginId: 'bobaws', password: 'correct horse battery', applicationId: application.id! });
  assert.equal((await admin.logout(false, fourth.response.refreshToken!)).statusCode, 200);
  assert.equal((await rejection(admin.exchangeRefreshTokenForJWT({ refreshToken: fourth.response.refreshToken! }))).statusCode, 400);

  // updates and deletes
  const patched = await client.patchUser(userId, { user: { lastName: 'Builder' } });
  assert.equal(patched.response.user!.lastName, 'Builder');
  assert.equal((await login.login({ loginId: 'bobaws', password: 'correct horse battery', applicationId: application.id! })).statusCode, 200);
  assert.equal((await client.deleteUser(userId)).statusCode, 200);
  assert.equal((await rejection(client.retrieveUser(userId))).statusCode, 404);
  assert.equal((await client.deleteApplication(application.id!)).statusCode, 200);
  assert.equal((await rejection(client.retrieveApplication(application.id!))).statusCode, 404);
  assert.equal((await client.deleteAPIKey(apiKeyResponse.response.apiKey!.id!)).statusCode, 200);
  assert.equal((await rejection(login.login({ loginId: 'carol@example.com', password: 'carols password' }))).statusCode, 401);
});
