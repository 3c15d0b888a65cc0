/**
 * The frontend item 7 of issue 15 describes, run in-process with the real JWT policy: `/private` needs a
 * JWT (auth support's RSA key), `/public` is `auth: false`, everything else goes to an open default
 * backend. Backends are named `private`, `public` and `open`.
 */
import { startInProcess, type InProcessGateway } from '../support/in-process.js';
import { AUDIENCE, ISSUER, rsaKey, token, validClaims } from '../auth/support.js';

export function startPrivatePublicGateway(addresses: { private: string; public: string; open: string }): Promise<InProcessGateway> {
  return startJwtGateway(
    [
      { path_prefix: '/private', backend: 'private', auth: 'jwt' },
      { path_prefix: '/public', backend: 'public', auth: false },
    ],
    addresses,
  );
}

/** A frontend with these routes, the policy `jwt`, and the default backend `open`; one backend per address. */
export function startJwtGateway(routes: ReadonlyArray<Record<string, unknown>>, addresses: Record<string, string>): Promise<InProcessGateway> {
  return startInProcess({
    auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk } } },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'open', routes } },
    backends: Object.fromEntries(Object.entries(addresses).map(([name, address]) => [name, { servers: { s: { address } } }])),
  });
}

/** A token the gateway accepts for the next ten minutes. */
export function validBearer(): string {
  const nowS = Math.floor(Date.now() / 1000);
  return token({ claims: validClaims({ exp: nowS + 600, iat: nowS }) });
}
