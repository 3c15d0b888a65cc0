/**
 * panva's `oidc-provider` (an IdP no one here wrote) on a real port: one confidential client for the
 * gateway, any login accepted by its development login form, JWT access tokens for one resource with a
 * short lifetime, refresh tokens that rotate, RP-initiated logout.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export const API_RESOURCE = 'urn:gatehouse:test-api';

export interface RunningProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  close(): Promise<void>;
}

export interface ProviderOptions {
  port: number;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  accessTokenTtlS: number;
}

export async function startOidcProvider(o: ProviderOptions): Promise<RunningProvider> {
  // untyped package: loaded by a name TypeScript does not resolve
  const name = 'oidc-provider';
  const { default: Provider } = (await import(name)) as { default: new (issuer: string, config: Record<string, unknown>) => { callback(): (req: unknown, res: unknown) => void } };
  const issuer = `http://127.0.0.1:${o.port}`;
  const clientId = 'gatehouse-gateway';
  const clientSecret = 'a-long-enough-client-secret-for-the-gateway-0123456789';
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: o.redirectUris,
        post_logout_redirect_uris: o.postLogoutRedirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...jwk, kid: 'op-key-1', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['a cookie key for the provider used only in this test'] },
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, email: `${id}@example.org` }) }),
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'api:read'],
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, IdToken: 600, RefreshToken: 3600, AccessToken: o.accessTokenTtlS },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'api:read', audience: API_RESOURCE, accessTokenTTL: o.accessTokenTtlS, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
  });
  const server: Server = createServer(provider.callback() as Parameters<typeof createServer>[0]);
  await new Promise<void>((r) => server.listen(o.port, '127.0.0.1', r));
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
