/**
 * Before `up` prints the walkthrough it runs it once itself: no token → the seed's 403, the seed's
 * login call → a JWT, the JWT → 200 through the gateway. A failure names the step, so a broken set-up
 * never sits there looking healthy. Nothing secret is put in the error messages.
 */
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { DemoState } from './demo-state.js';

export const MISSING_HEADER_BODY = 'Missing Authorization HTTP header';

function failed(step: string, detail: string): GatehouseError {
  return new GatehouseError(ErrorCode.UP_SELF_CHECK, `self-check failed at "${step}": ${detail}; see the log for details`);
}

async function attempt<T>(step: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    throw failed(step, (error as Error).message);
  }
}

/** The seed's `POST /api/login`; returns the token. */
export async function demoLogin(state: DemoState): Promise<string> {
  const response = await fetch(`${state.idpUrl}/api/login`, {
    method: 'POST',
    headers: { authorization: state.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ loginId: state.loginId, password: state.password, applicationId: state.applicationId, noJWT: false }),
  });
  const text = await response.text();
  if (response.status !== 200) {
    const hint =
      response.status === 401
        ? 'the API key in demo.json is not known to the identity provider'
        : response.status === 404
          ? 'the demo user or password in demo.json is not in the database'
          : `HTTP ${response.status}`;
    throw failed('POST /api/login', `${hint} (is the database from another data directory?)`);
  }
  const token = (JSON.parse(text) as { token?: unknown }).token;
  if (typeof token !== 'string') throw failed('POST /api/login', 'the answer holds no token');
  return token;
}

export async function selfCheck(state: DemoState): Promise<void> {
  await attempt('curl without a token', async () => {
    const response = await fetch(state.gatewayUrl);
    const body = await response.text();
    if (response.status !== 403 || body !== MISSING_HEADER_BODY) {
      throw failed('curl without a token', `expected 403 "${MISSING_HEADER_BODY}", got ${response.status}`);
    }
  });
  const token = await attempt('POST /api/login', () => demoLogin(state));
  await attempt('curl with the bearer token', async () => {
    const response = await fetch(state.gatewayUrl, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    if (response.status !== 200) throw failed('curl with the bearer token', `expected 200, got ${response.status} "${body.slice(0, 80)}"`);
  });
}
