/**
 * The demo as a FusionAuth Kickstart document: the same JSON a FusionAuth user would put in
 * kickstart.json, doing what the seed does by hand in the admin screens. The identity provider applies it
 * once, to a fresh database; on later starts the database already holds it and it is ignored.
 *
 *   Tenants → Your Tenant → Issuer            PATCH /api/tenant/#{FUSIONAUTH_TENANT_ID}
 *   Applications → Add, JWT tab enabled       POST  /api/application/#{applicationId} (RS256 keys generated)
 *   Settings → API Keys → POST /api/login     apiKeys[1] with permissions.endpoints
 *   Users → Add user + Registrations → Add    POST  /api/user/registration/#{userId}
 */
import type { DemoState } from './demo-state.js';

export const DEMO_APPLICATION_NAME = 'Gatehouse demo';
/** The seed's token lifetime (FusionAuth's default): one hour. */
export const DEMO_TOKEN_TTL_SECONDS = 3600;

export interface KickstartDocument {
  readonly variables: Readonly<Record<string, string>>;
  readonly apiKeys: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly requests: ReadonlyArray<{ readonly method: string; readonly url: string; readonly body?: unknown }>;
}

export function buildDemoKickstart(state: DemoState): KickstartDocument {
  return {
    variables: {
      issuer: state.issuer,
      applicationId: state.applicationId,
      userId: state.userId,
      loginId: state.loginId,
      password: state.password,
      adminApiKey: state.adminApiKey,
      apiKey: state.apiKey,
    },
    apiKeys: [
      { key: '#{adminApiKey}', description: 'Gatehouse demo: unrestricted key (kickstart and scripts)' },
      {
        key: '#{apiKey}',
        description: 'Gatehouse demo: the seed key, POST /api/login only',
        permissions: { endpoints: { '/api/login': ['POST'] } },
      },
    ],
    requests: [
      {
        method: 'PATCH',
        url: '/api/tenant/#{FUSIONAUTH_TENANT_ID}',
        body: { tenant: { issuer: '#{issuer}' } },
      },
      {
        method: 'POST',
        url: '/api/application/#{applicationId}',
        body: {
          application: {
            name: DEMO_APPLICATION_NAME,
            roles: [{ name: 'user', isDefault: true }, { name: 'admin' }],
            jwtConfiguration: { enabled: true, timeToLiveInSeconds: DEMO_TOKEN_TTL_SECONDS, refreshTokenTimeToLiveInMinutes: 43_200 },
            loginConfiguration: { requireAuthentication: true, generateRefreshTokens: false },
          },
        },
      },
      {
        method: 'POST',
        url: '/api/user/registration/#{userId}',
        body: {
          user: { email: '#{loginId}', username: 'demo', password: '#{password}', firstName: 'Demo', lastName: 'User' },
          registration: { applicationId: '#{applicationId}', roles: ['user'] },
          skipVerification: true,
        },
      },
    ],
  };
}
