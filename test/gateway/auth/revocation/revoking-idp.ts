/**
 * The real identity provider (in this process, real sockets, SQLite) set up for revocation tests: an
 * RS256 application whose tokens a gateway policy checks through the IdP's JWKS, users registered to it,
 * and revocations appended to Redis under a prefix of the test's own.
 */
import { randomUUID } from 'node:crypto';
import { REDIS_URL } from '../../../support/services.js';
import { startTestIdp, type TestIdp } from '../../../idp/support.js';

export const PASSWORD = 'revocation-password-1';

export interface RevokingIdp {
  readonly idp: TestIdp;
  readonly prefix: string;
  readonly applicationId: string;
  /** The RS256 key that signs the application's access tokens. */
  readonly keyId: string;
  /** Creates a registered user; returns its id. */
  user(email: string): Promise<string>;
  /** POST /api/login: the access token, refresh token and user id. */
  login(email: string): Promise<{ token: string; refreshToken: string; userId: string }>;
  /** The gateway's `auth:` policy for this application. */
  readonly policy: Record<string, unknown>;
  /** Top-level `redis:` and `revocation:` of the gateway config (JSON is YAML too: processes get it as text). */
  gatewayTop(onUnavailable?: 'allow' | 'deny', redisAddress?: string): Record<string, unknown>;
}

export async function startRevokingIdp(webhooks: readonly string[] = []): Promise<RevokingIdp> {
  const prefix = `gatehouse-test-${randomUUID()}:`;
  const idp = await startTestIdp({ revocation: { redis: REDIS_URL, keyPrefix: prefix, webhooks } });
  const key = (await idp.api('POST', '/api/key/generate', { key: { algorithm: 'RS256', name: 'gateway', length: 2048 } })).body.key;
  const application = (await idp.api('POST', '/api/application', {
    application: {
      name: 'Behind the gateway',
      jwtConfiguration: { enabled: true, accessTokenKeyId: key.id, idTokenKeyId: key.id, timeToLiveInSeconds: 3600, refreshTokenTimeToLiveInMinutes: 600 },
      loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true },
    },
  })).body.application;
  const issuer = (await idp.api('GET', '/api/tenant')).body.tenants[0].issuer as string;
  return {
    idp,
    prefix,
    applicationId: application.id,
    keyId: key.id,
    async user(email) {
      const created = await idp.api('POST', '/api/user/registration', { user: { email, password: PASSWORD }, registration: { applicationId: application.id } });
      if (created.status !== 200) throw new Error(`user ${email}: ${created.status} ${created.text}`);
      return created.body.user.id as string;
    },
    async login(email) {
      const answer = await idp.api('POST', '/api/login', { loginId: email, password: PASSWORD, applicationId: application.id });
      if (answer.status !== 200) throw new Error(`login ${email}: ${answer.status} ${answer.text}`);
      return { token: answer.body.token, refreshToken: answer.body.refreshToken, userId: answer.body.user.id };
    },
    policy: { issuer, audience: application.id, keys: { jwks: `${idp.url}/.well-known/jwks.json` } },
    gatewayTop(onUnavailable = 'allow', redisAddress = new URL(REDIS_URL).host) {
      return { redis: { address: redisAddress, key_prefix: prefix, timeout: '200ms' }, revocation: { on_unavailable: onUnavailable } };
    },
  };
}
