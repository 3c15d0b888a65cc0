/**
 * The benchmarks' tokens: RS256, shaped as FusionAuth issues them for the seed's application (~700
 * bytes), signed in libuv's thread pool so thousands are ready in seconds. Used by bench/jwt.ts and
 * bench/auth-path.ts.
 */
import { sign, type KeyObject } from 'node:crypto';
import { SEED_AUDIENCE, SEED_ISSUER } from '../../test/gateway/auth/e2e/seed-setup.js';

export const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function signAsync(input: string, key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => sign('sha256', Buffer.from(input), key, (error, sig) => (error ? reject(error) : resolve(`${input}.${sig.toString('base64url')}`))));
}

/** `count` valid tokens; `tag` makes sub and jti unique per set; `extra` adds or overrides claims. */
export async function makeTokens(count: number, key: KeyObject, tag: string, extra: Record<string, unknown> = {}, parallel = 16): Promise<string[]> {
  const nowS = Math.floor(Date.now() / 1000);
  const header = b64u({ alg: 'RS256', typ: 'JWT', kid: 'hCR08_wZGk49AeaAfD69fbJZdFM' });
  const out: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const claims = {
        aud: SEED_AUDIENCE, exp: nowS + 4 * 3600, iat: nowS, iss: SEED_ISSUER, sub: `${tag}-${i}`, jti: `${tag}-${i}-${Math.random().toString(36).slice(2)}`,
        authenticationType: 'PASSWORD', email: `user${i}@example.com`, email_verified: true, applicationId: SEED_AUDIENCE, roles: [], ...extra,
      };
      out[i] = await signAsync(`${header}.${b64u(claims)}`, key);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}
