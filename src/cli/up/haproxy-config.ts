/**
 * The seed's own haproxy.cfg, which `up` writes next to gatehouse.yaml: HAProxy's quickstart layout
 * (defaults, frontend myfrontend, backend webservers) with the seed's http-request lines verbatim, only
 * the issuer, the application id and the path of pubkey.pem filled in. It runs on Gatehouse as it is
 * (`gatehouse gateway --config <data-dir>/haproxy.cfg`, docs/haproxy.md), and on HAProxy 2.6.
 */
import type { DemoState } from './demo-state.js';

export interface HaproxyConfigInput {
  readonly state: DemoState;
  readonly host: string;
  readonly gatewayPort: number;
  readonly echoAddress: string;
  /** Absolute path of pubkey.pem (HAProxy reads a relative one from its working directory). */
  readonly publicKeyPath: string;
  /** The data directory as the user would type it, for the comment on how to run the file. */
  readonly dataDirDisplay: string;
}

export function renderSeedHaproxyConfig(input: HaproxyConfigInput): string {
  const { state } = input;
  const bind = input.host.includes(':') ? `[${input.host}]:${input.gatewayPort}` : `${input.host}:${input.gatewayPort}`;
  return `# The seed's haproxy.cfg, its JWT lines verbatim. Written by \`gatehouse up\`; Gatehouse runs it as it is:
#   npx gatehouse gateway --config ${input.dataDirDisplay}/haproxy.cfg
defaults
  mode http
  timeout client 10s
  timeout connect 5s
  timeout server 10s
  timeout http-request 10s

frontend myfrontend
  bind ${bind}
  http-request deny content-type 'text/html' string 'Missing Authorization HTTP header' unless { req.hdr(authorization) -m found }

  # get header part of the JWT
  http-request set-var(txn.alg) http_auth_bearer,jwt_header_query('$.alg')
  http-request set-var(txn.iss) http_auth_bearer,jwt_payload_query('$.iss')
  http-request set-var(txn.aud) http_auth_bearer,jwt_payload_query('$.aud')

  # get payload part of the JWT
  http-request set-var(txn.exp) http_auth_bearer,jwt_payload_query('$.exp','int')

  # Validate the JWT
  http-request deny content-type 'text/html' string 'Unsupported JWT signing algorithm'  unless { var(txn.alg) -m str RS256 }
  http-request deny content-type 'text/html' string 'Invalid JWT issuer'  unless { var(txn.iss) -m str ${state.issuer} }
  http-request deny content-type 'text/html' string 'Invalid JWT audience'  unless { var(txn.aud) -m str ${state.applicationId} }
  http-request deny content-type 'text/html' string 'Invalid JWT signature'  unless { http_auth_bearer,jwt_verify(txn.alg,"${input.publicKeyPath}") -m int 1 }

  http-request set-var(txn.now) date()
  http-request deny content-type 'text/html' string 'JWT has expired' if { var(txn.exp),sub(txn.now) -m int le 0 }
  default_backend webservers

backend webservers
  server s1 ${input.echoAddress}
`;
}
