/**
 * The gateway configs `up` writes to the data directory, as YAML a person can read and reuse:
 *   gatehouse.yaml       the seed's set-up: keys from pubkey.pem (runs with `gatehouse gateway --config`)
 *   gatehouse-jwks.yaml  what `up` runs: the same policy with keys from the identity provider's JWKS
 * Both hold the seed's six checks in `response: seed` mode (HAProxy's 403 text/html bodies), and one
 * stricter than the seed: `require_registration` (docs/auth.md).
 */
import type { DemoState } from './demo-state.js';

export interface GatewayConfigInput {
  readonly state: DemoState;
  readonly host: string;
  readonly gatewayPort: number;
  readonly echoAddress: string;
  readonly workers: number | 'auto';
  /** `file`: ./pubkey.pem next to the config; `jwks`: the identity provider's JWKS URL. */
  readonly keys: 'file' | 'jwks';
  /** The data directory as the user would type it, for the comment on how to run the file. */
  readonly dataDirDisplay: string;
  /** `up --tls`: an HTTPS frontend on this port with tls/localhost.pem (relative to the data directory). */
  readonly httpsPort?: number;
}

/** Claim → upstream header: what the echo service shows under "Claims forwarded by the gateway". */
export const FORWARDED_CLAIMS: Readonly<Record<string, string>> = {
  'X-User-Id': 'sub',
  'X-User-Email': 'email',
  'X-User-Roles': 'roles',
  'X-User-Application-Id': 'applicationId',
};

function quote(value: string): string {
  return JSON.stringify(value);
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function renderGatewayConfig(input: GatewayConfigInput): string {
  const { state } = input;
  const keys =
    input.keys === 'file'
      ? `    keys: { file: ./pubkey.pem }`
      : `    keys: { jwks: ${quote(state.jwksUrl)} }`;
  const forward = Object.entries(FORWARDED_CLAIMS)
    .map(([header, claim]) => `        ${header}: ${claim}`)
    .join('\n');
  const intro =
    input.keys === 'file'
      ? [
          '# The seed\'s set-up in Gatehouse: the six JWT checks with a static public key (pubkey.pem).',
          '# Written by `gatehouse up`. Run it alone from the Gatehouse folder (with the echo service on its port):',
          `#   npx gatehouse echo --port ${input.echoAddress.split(':').pop()} &`,
          `#   npx gatehouse gateway --config ${input.dataDirDisplay}/gatehouse.yaml`,
        ]
      : ['# What `gatehouse up` runs: the seed\'s six checks with keys from the identity provider\'s JWKS.', '# Written by `gatehouse up` on every start.'];
  return `${intro.join('\n')}
workers: ${input.workers}

auth:
  seed:
    # HAProxy's 403 text/html answers, checked in the seed's order
    response: seed
    # 'Unsupported JWT signing algorithm' unless alg is RS256
    algorithms: [RS256]
    # 'Invalid JWT issuer' unless iss is the tenant's Issuer
    issuer: ${quote(state.issuer)}
    # 'Invalid JWT audience' unless aud is the application id
    audience: ${quote(state.applicationId)}
    # 'Invalid JWT signature' unless it verifies with this key; 'JWT has expired' when exp - now <= 0
${keys}
    # stricter than the seed: 'User is not registered to the JWT audience application' unless the token's
    # applicationId claim is the audience (FusionAuth sets it, with roles, only for a registered user)
    require_registration: true
    # claims passed to the service as request headers
    forward:
      headers:
${forward}

frontends:
  myfrontend:
    bind: ${quote(hostPort(input.host, input.gatewayPort))}
    default_backend: webservers
    auth: seed
${input.httpsPort === undefined ? '' : `  myfrontend_tls:
    # HTTPS (HTTP/2 and HTTP/1.1) with the local CA's localhost certificate (made by up --tls)
    bind: ${quote(hostPort(input.host, input.httpsPort))}
    default_backend: webservers
    auth: seed
    tls: { cert: ./tls/localhost.pem, key: ./tls/localhost.key }
`}
backends:
  webservers:
    balance: roundrobin
    check: { path: /health, interval: 2s, rise: 2, fall: 3 }
    servers:
      echo: { address: ${quote(input.echoAddress)} }
`;
}
