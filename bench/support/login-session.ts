/**
 * The bench's sign-in-at-the-gateway case: the seed's policy with `login:` (cookie store), built by
 * createAuthPolicy as the gateway builds it, and one sealed session cookie per bench token, sealed with
 * the module's own CookieSealer and chunked as the callback writes it. Building the login layer reads the
 * IdP's discovery document (and the id_token policy its JWKS), so a local discovery/JWKS server runs in
 * this process for the build; requests carrying a valid session never reach it (no refresh: the access
 * token expires in hours, far beyond refresh_before).
 */
import { randomBytes } from 'node:crypto';
import { createAuthPolicy, type AuthPolicy, type AuthPolicyConfigInput, type AuthRequest } from '../../src/gateway/auth/index.js';
import { parseCookies, writeChunked } from '../../src/gateway/auth/login/cookie-jar.js';
import { CookieSealer } from '../../src/gateway/auth/login/sealed-cookie.js';
import { startJwksServer, type JwksServer } from '../../test/gateway/auth/jwks-server.js';
import { secretEnv } from '../../test/gateway/auth/login/support.js';

const COOKIE = 'gatehouse_session';

export interface LoginSessionCase {
  readonly policy: AuthPolicy;
  /** GET requests with a session cookie (and two other cookies), one per token, no Authorization header. */
  readonly requests: AuthRequest[];
  /** Chunks of the first session cookie (1 while it fits in one cookie). */
  readonly chunks: number;
  /** Requests the discovery/JWKS server answered (build only; the timed loop must add none). */
  readonly idpHits: () => number;
  close(): Promise<void>;
}

export async function loginSessionCase(base: AuthPolicyConfigInput, jwk: Record<string, unknown>, tokens: readonly string[], flat: (s: string) => string): Promise<LoginSessionCase> {
  const idp: JwksServer = await startJwksServer({ keys: [{ ...jwk, kid: 'hCR08_wZGk49AeaAfD69fbJZdFM', alg: 'RS256', use: 'sig' }] });
  const issuer = idp.origin;
  idp.documents.set('/.well-known/openid-configuration', {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    token_endpoint: `${issuer}/oauth2/token`,
    jwks_uri: idp.url,
  });
  const key = randomBytes(32);
  // the access tokens stay the seed's (their issuer first); the login issuer, the local one, is the second
  const config: AuthPolicyConfigInput = {
    ...base,
    issuer: [base.issuer as string, issuer],
    login: {
      issuer,
      client_id: 'bench-client',
      client_secret: { env: secretEnv('bench-client-secret') },
      redirect_uri: 'http://localhost:8080/_gatehouse/callback',
      cookie: { keys: { env: secretEnv(key.toString('base64url')) } },
    },
  } as AuthPolicyConfigInput;
  const policy = await createAuthPolicy('bench-login', config, { baseDir: process.cwd() });
  const sealer = new CookieSealer([key]);
  const now = Date.now();
  let chunks = 0;
  const requests = tokens.map((accessToken, i) => {
    const session = { sid: randomBytes(32).toString('base64url'), accessToken, refreshToken: `refresh-${i}`, idToken: undefined, accessExpires: now + 4 * 3_600_000, ends: now + 12 * 3_600_000 };
    const lines = writeChunked(new Map(), COOKIE, sealer.seal(COOKIE, session), { secure: false });
    if (i === 0) chunks = lines.length;
    const pairs = lines.map((l) => l.split(';')[0] as string);
    return { method: 'GET', path: '/', headers: { cookie: flat(['theme=dark', ...pairs, 'lang=en'].join('; ')), accept: 'application/json' } };
  });
  if (parseCookies(requests[0]?.headers.cookie).size !== 2 + chunks) throw new Error('the session cookie did not parse back');
  return { policy, requests, chunks, idpHits: () => idp.total(), close: () => idp.close() };
}
