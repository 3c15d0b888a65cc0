/**
 * The seed's walkthrough, FusionAuth side: a kickstart sets up what the admin UI steps do (tenant issuer,
 * application with JWT enabled and generated RS256 keys, an API key allowed to POST /api/login, a user
 * registered to the application), then the seed's exact curl call runs over a real socket and the token
 * is compared, header and claims, with the seed's example token.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { importSPKI, jwtVerify } from 'jose';
import { requireExecutable } from '../../support/services.js';
import { decodeJwt, startTestIdp, type TestIdp } from '../support.js';

const KICKSTART = fileURLToPath(new URL('../../../../test/idp/seed-kickstart.json', import.meta.url));
const SEED_TOKEN =
  'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImhDUjA4X3daR2s0OUFlYUFmRDY5ZmJKWmRGTSJ9.eyJhdWQiOiI2M2I3M2Y3Ni03NDAwLTQ4N2QtYjEyMi01NzA1Yjg0OGRhODAiLCJleHAiOjE2NzMzNjYyMDQsImlhdCI6MTY3MzM2MjYwNCwiaXNzIjoiaHR0cHM6Ly9mdXNpb25hdXRoLnJpdHphLmNvIiwic3ViIjoiMzk2MzAwMGYtNjg2ZC00MTY5LWI2MjgtOWM5YzQ1MzRiNzgwIiwianRpIjoiZDk3ZGIyZWYtZjExNS00ZDIxLWFlOTQtMDIyN2RmMGU4YzI5IiwiYXV0aGVudGljYXRpb25UeXBlIjoiUEFTU1dPUkQiLCJlbWFpbCI6ImJvYkBhd3MuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsInByZWZlcnJlZF91c2VybmFtZSI6ImJvYmF3cyIsImFwcGxpY2F0aW9uSWQiOiI2M2I3M2Y3Ni03NDAwLTQ4N2QtYjEyMi01NzA1Yjg0OGRhODAiLCJyb2xlcyI6W10sImF1dGhfdGltZSI6MTY3MzM2MjYwNCwidGlkIjoiZjAwNGMxZmUtNDg0Yi05MDJjLWQ3Y2EtYmRiYzQ2NGRhMGI3In0.m7gzXhNLToPNVE1p5Vo2pLgP6WBcPNfS_zZJnJ81mdEgi6-orViz-tU8j0L8wva0-8KlMdy54cq_XjnDnYJ0aX90O4ZE_QVU5NuDDfzXH14wQtKQoIIydsB6ZvQoBt8JNFUHJb9ANLCGnfn6FVQKqPIzye18Gx_7wYSVokw3eLNFyzrq9dwOD5Q8V9gvZmXV2pTokQAtA7qFaadb2dIeFlSEB7wamKiZLXILjeWAeMbbvAAMQZWFh46UJjwr06QTd8PxQmRwDWWznJy1Vs8EAgZA4vkRSWnn3IbiaCtOaL1ANuEex6il7q32ahxj0Ncm9wn0DbDsQE9NB0CCNTSIhA';
const APPLICATION_ID = '63b73f76-7400-487d-b122-5705b848da80';
const API_KEY = 'seed-login-key-0123456789abcdef';

let idp: TestIdp;
before(async () => {
  idp = await startTestIdp({ kickstart: KICKSTART });
});
after(() => idp.close());

const execFileAsync = promisify(execFile);

/** Runs curl as a child process (asynchronously: the server answers from this same process). */
async function seedCurl(curl: string, url: string, apiKey: string, loginId: string, password: string): Promise<{ status: number; body: string }> {
  const { stdout: out } = await execFileAsync(
    curl,
    [
      '--silent',
      '--location',
      '--request', 'POST', `${url}/api/login`,
      '--header', `Authorization: ${apiKey}`,
      '--header', 'Content-Type: application/json',
      '--data-raw', `  {\n    "loginId": "${loginId}",\n    "password": "${password}",\n    "applicationId": "${APPLICATION_ID}",\n    "noJWT" : false\n}`,
      '--write-out', '\n%{http_code}',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  const cut = out.lastIndexOf('\n');
  return { status: Number(out.slice(cut + 1)), body: out.slice(0, cut) };
}

test("the seed's curl POST /api/login answers 200 with a token shaped like the seed's example", async (t) => {
  const curl = requireExecutable(t, 'curl');
  if (curl === false) return;
  const { status, body } = await seedCurl(curl, idp.url, API_KEY, 'bob@aws.com', 'password123');
  assert.equal(status, 200);
  const response = JSON.parse(body) as { token: string; tokenExpirationInstant: number; user: Record<string, unknown> };
  const ours = decodeJwt(response.token);
  const seed = decodeJwt(SEED_TOKEN);
  assert.deepEqual(Object.keys(ours.header), Object.keys(seed.header));
  assert.equal(ours.header.alg, 'RS256');
  assert.equal(ours.header.typ, 'JWT');
  assert.equal((ours.header.kid as string).length, (seed.header.kid as string).length);
  assert.deepEqual(Object.keys(ours.payload), Object.keys(seed.payload));
  for (const claim of ['aud', 'iss', 'authenticationType', 'email', 'email_verified', 'preferred_username', 'applicationId', 'roles']) {
    assert.deepEqual(ours.payload[claim], seed.payload[claim], claim);
  }
  assert.equal((ours.payload.exp as number) - (ours.payload.iat as number), (seed.payload.exp as number) - (seed.payload.iat as number));
  assert.equal(Math.floor(response.tokenExpirationInstant / 1000), ours.payload.exp);
  assert.equal(ours.payload.auth_time, ours.payload.iat);
  assert.equal(response.user.email, 'bob@aws.com');
  assert.equal(response.user.password, undefined);
  assert.equal(response.user.passwordHash, undefined);

  // The seed copies the public key of "Access token signing key generated for application <name>" into
  // HAProxy's pubkey.pem; that PEM verifies the token.
  const keys = (await idp.api('GET', '/api/key', undefined, { authorization: 'seed-admin-key-0123456789abcdef' })).body.keys as { name: string; publicKey: string; kid: string }[];
  const accessKey = keys.find((k) => k.name === 'Access token signing key generated for application HAProxy');
  assert.ok(accessKey);
  assert.equal(accessKey.kid, ours.header.kid);
  const { payload } = await jwtVerify(response.token, await importSPKI(accessKey.publicKey, 'RS256'), { issuer: 'https://fusionauth.ritza.co', audience: APPLICATION_ID });
  assert.equal(payload.tid, ours.payload.tid);
});

test('the seed call with a wrong password, an unknown user, or a bad key gets the reference statuses and empty bodies', async (t) => {
  const curl = requireExecutable(t, 'curl');
  if (curl === false) return;
  assert.deepEqual(await seedCurl(curl, idp.url, API_KEY, 'bob@aws.com', 'wrong-password'), { status: 404, body: '' });
  assert.deepEqual(await seedCurl(curl, idp.url, API_KEY, 'nobody@aws.com', 'password123'), { status: 404, body: '' });
  assert.deepEqual(await seedCurl(curl, idp.url, 'not-the-key-0123456789', 'bob@aws.com', 'password123'), { status: 401, body: '' });
});

test('a kickstart registration with roles puts them in the token', async (t) => {
  const curl = requireExecutable(t, 'curl');
  if (curl === false) return;
  const { status, body } = await seedCurl(curl, idp.url, API_KEY, 'alice@aws.com', 'password456');
  assert.equal(status, 200);
  assert.deepEqual(decodeJwt((JSON.parse(body) as { token: string }).token).payload.roles, ['viewer']);
});

test('the login-only key can do nothing else', async () => {
  const response = await idp.api('GET', '/api/user?email=bob@aws.com', undefined, { authorization: API_KEY });
  assert.equal(response.status, 401);
  assert.equal(response.text, '');
});
