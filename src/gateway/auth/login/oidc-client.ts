/**
 * The gateway as an OIDC relying party: the IdP's endpoints from discovery (read once when the policy is
 * built; a reload reads them again), the authorization URL (code, PKCE S256, state, nonce), the code
 * exchange and the refresh at the token endpoint (client_secret_basic), the RP-initiated logout URL.
 * Errors name the step and the IdP's `error` code, never a code, token or secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import { discoveryUrl } from '../keys/discovery.js';
import { fetchJson } from '../keys/http-json.js';

export interface OidcEndpoints {
  readonly issuer: string;
  readonly authorization: string;
  readonly token: string;
  readonly endSession: string | undefined;
}

export interface TokenSet {
  readonly accessToken: string;
  readonly idToken: string | undefined;
  readonly refreshToken: string | undefined;
  /** Epoch ms when the access token expires (from expires_in; else from its `exp`). */
  readonly expiresAt: number;
}

export class LoginProblem extends Error {
  constructor(readonly step: string, message: string) {
    super(`${step}: ${message}`);
  }
}

export async function discoverEndpoints(issuer: string, timeoutMs: number): Promise<OidcEndpoints> {
  let value: unknown;
  try {
    value = (await fetchJson(discoveryUrl(issuer), timeoutMs)).value;
  } catch (error) {
    throw new LoginProblem('discovery', (error as Error).message);
  }
  const doc = value as Record<string, unknown> | null;
  if (doc === null || typeof doc !== 'object') throw new LoginProblem('discovery', 'not a JSON object');
  if (doc.issuer !== issuer) throw new LoginProblem('discovery', `the document names issuer ${JSON.stringify(doc.issuer)}, not ${issuer}`);
  const url = (key: string, required: boolean): string | undefined => {
    const v = doc[key];
    if (typeof v === 'string' && /^https?:\/\//.test(v)) return v;
    if (required) throw new LoginProblem('discovery', `no http(s) ${key}`);
    return undefined;
  };
  return { issuer, authorization: url('authorization_endpoint', true)!, token: url('token_endpoint', true)!, endSession: url('end_session_endpoint', false) };
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export class OidcClient {
  constructor(
    readonly endpoints: OidcEndpoints,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly redirectUri: string,
    private readonly scopes: readonly string[],
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {}

  authorizationUrl(state: string, nonce: string, verifier: string): string {
    const url = new URL(this.endpoints.authorization);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.clientId);
    url.searchParams.set('redirect_uri', this.redirectUri);
    url.searchParams.set('scope', this.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('nonce', nonce);
    url.searchParams.set('code_challenge', pkceChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.href;
  }

  endSessionUrl(idToken: string | undefined, postLogoutRedirectUri: string): string | undefined {
    if (this.endpoints.endSession === undefined) return undefined;
    const url = new URL(this.endpoints.endSession);
    if (idToken !== undefined) url.searchParams.set('id_token_hint', idToken);
    url.searchParams.set('client_id', this.clientId);
    url.searchParams.set('post_logout_redirect_uri', postLogoutRedirectUri);
    return url.href;
  }

  exchangeCode(code: string, verifier: string): Promise<TokenSet> {
    return this.tokenRequest('code exchange', { grant_type: 'authorization_code', code, redirect_uri: this.redirectUri, code_verifier: verifier });
  }

  refresh(refreshToken: string): Promise<TokenSet> {
    return this.tokenRequest('refresh', { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async tokenRequest(step: string, form: Record<string, string>): Promise<TokenSet> {
    const basic = Buffer.from(`${encodeURIComponent(this.clientId)}:${encodeURIComponent(this.clientSecret)}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(this.endpoints.token, {
        method: 'POST',
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
      });
    } catch (error) {
      throw new LoginProblem(step, `token endpoint unreachable (${(error as Error).name})`);
    }
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new LoginProblem(step, `HTTP ${response.status}, not JSON`);
    }
    if (response.status !== 200) throw new LoginProblem(step, `HTTP ${response.status} ${typeof body.error === 'string' ? body.error.slice(0, 64) : ''}`.trim());
    if (typeof body.access_token !== 'string' || body.access_token === '') throw new LoginProblem(step, 'no access_token');
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : expFromJwt(body.access_token);
    return {
      accessToken: body.access_token,
      idToken: typeof body.id_token === 'string' ? body.id_token : undefined,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
      expiresAt: this.now() + (expiresIn ?? 300) * 1000,
    };
  }
}

function expFromJwt(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp - Math.floor(Date.now() / 1000) : undefined;
  } catch {
    return undefined;
  }
}
