/**
 * What `gatehouse up` prints once everything answers: where each part runs, and the seed's three commands
 * with the real values filled in (no token → 403, POST /api/login → a JWT, the JWT → 200).
 */
import type { DemoState } from './demo-state.js';

export interface WalkthroughInput {
  readonly state: DemoState;
  readonly database: string;
  readonly files: { readonly demo: string; readonly staticConfig: string; readonly publicKey: string; readonly log: string };
  /** `first`: new data directory; `recreated`: demo.json kept but the database was empty; `reused`. */
  readonly start: 'first' | 'recreated' | 'reused';
  /** True when the parts listen beyond loopback (--host 0.0.0.0 or an interface address). */
  readonly exposed: boolean;
  /** More of the walkthrough (up --tls: the HTTPS commands), printed before the last line. */
  readonly extra?: string;
}

const START_NOTES = {
  first: ' (first start: demo tenant, application, keys and user created)',
  recreated: ' (the database was empty: demo tenant, application and user created again from demo.json, with new signing keys; tokens from before no longer verify)',
  reused: ' (reusing the data directory)',
} as const;

/** The login request body laid out as the seed writes it. */
export function loginBody(state: DemoState): string {
  return `{
    "loginId": "${state.loginId}",
    "password": "${state.password}",
    "applicationId": "${state.applicationId}",
    "noJWT" : false
  }`;
}

export function loginCurl(state: DemoState): string {
  return `curl --location --request POST '${state.idpUrl}/api/login' \\
--header 'Authorization: ${state.apiKey}' \\
--header 'Content-Type: application/json' \\
--data-raw '${loginBody(state)}'`;
}

export function renderWalkthrough(input: WalkthroughInput): string {
  const { state, files } = input;
  const issuerNote = state.issuer === state.idpUrl ? '' : ` (issuer kept from the first start: ${state.issuer})`;
  const warning = input.exposed
    ? '\n!!! DEVELOPMENT SET-UP LISTENING BEYOND LOCALHOST: anyone who can reach this machine can use the demo\n!!! credentials below. Use --host 127.0.0.1 unless that is what you want.\n'
    : '';
  return `
Gatehouse is up${START_NOTES[input.start]}.
This is a development set-up: the demo user and API keys below are for trying Gatehouse out.
${warning}
  identity provider  ${state.idpUrl}${issuerNote}
                     database: ${input.database}
  admin console      ${state.idpUrl}/admin   (adminLoginId / adminPassword in ${files.demo})
  echo service       ${state.echoUrl}
  gateway            ${state.gatewayUrl}   the seed's six checks, keys from ${state.jwksUrl}

  demo values        ${files.demo}  (issuer, applicationId, apiKey, loginId, password, gatewayUrl, idpUrl)
  static-key set-up  ${files.staticConfig} + ${files.publicKey}
  logs               ${files.log}

The seed's walkthrough, with your values:

1. Without a token the service is inaccessible: HTTP/1.1 403 Forbidden
   (omit -I to see the message, Missing Authorization HTTP header)

curl -X GET -I ${state.gatewayUrl}

2. Get a JWT for the demo user from the login API:

${loginCurl(state)}

3. Copy the "token" value from the answer and call the service with it: HTTP/1.1 200 OK
   (omit -I to see what the service received, including the claims the gateway forwarded)

curl -I ${state.gatewayUrl} \\
-H 'Authorization: Bearer <TOKEN>'

   Steps 2 and 3 in one go:

TOKEN=$(curl -s -X POST '${state.idpUrl}/api/login' -H 'Authorization: ${state.apiKey}' -H 'Content-Type: application/json' \\
  -d '{"loginId":"${state.loginId}","password":"${state.password}","applicationId":"${state.applicationId}"}' | sed -E 's/.*"token":"([^"]+)".*/\\1/')
curl ${state.gatewayUrl}/hello -H "Authorization: Bearer $TOKEN"
${input.extra ?? ''}
Press Ctrl-C to stop.
`;
}
