/**
 * For the gateway: the application's gatehouse.yaml policy, ready to copy — what the seed's user types
 * into haproxy.cfg by hand (issuer, audience, key). Two variants: the seed's pubkey.pem, and the JWKS URL
 * (follows key rotation). Strings are JSON-quoted, which YAML reads as double-quoted scalars.
 */
import type { FastifyRequest } from 'fastify';
import { copyable } from '../components.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import type { AdminRequest, Router } from '../router.js';
import type { Application, Tenant } from '../../model/types.js';

/** How to run the policy, as typed after `npm ci` (`gatehouse` is not on the PATH then: npx runs package.json's bin). */
export const RUN_COMMANDS = `npx gatehouse echo --port 9001 &
npx gatehouse gateway --config gatehouse.yaml`;

/** A gateway config name (letters, digits, _ . -) from the application's name. */
export function policyName(app: Application): string {
  const slug = app.name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return slug === '' ? 'app' : slug;
}

export function gatewayPolicyYaml(o: { app: Application; tenant: Tenant; keys: 'file' | 'jwks'; jwksUrl: string }): string {
  const name = policyName(o.app);
  const keys = o.keys === 'file' ? '{ file: ./pubkey.pem }' : `{ jwks: ${JSON.stringify(o.jwksUrl)} }`;
  return `auth:
  ${name}:
    response: seed              # the seed's HAProxy answers: 403 text/html, in its rule order
    algorithms: [RS256]
    issuer: ${JSON.stringify(o.tenant.issuer)}
    audience: ${JSON.stringify(o.app.id)}
    keys: ${keys}
    require_registration: true  # stricter than the seed: only users registered to the application (docs/auth.md)
    forward:
      headers:
        X-User-Id: sub
        X-User-Roles: roles

frontends:
  myfrontend:
    bind: 127.0.0.1:8080
    default_backend: webservers
    auth: ${name}

backends:
  webservers:
    servers:
      app1: { address: 127.0.0.1:9001 }
`;
}

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
}

export function registerGatewayPage(router: Router, find: (r: AdminRequest) => Promise<Application | undefined>): void {
  router.page('/applications/:id/gateway', async (r) => {
    const app = await find(r);
    if (app === undefined) return { redirect: '/admin/applications', flash: 'That application does not exist.' };
    const tenant = (await r.scope.ctx.storage.tenants.get(app.tenantId))!;
    const jwksUrl = `${baseUrl(r.request)}/.well-known/jwks.json`;
    const keyId = app.jwtConfiguration.enabled ? app.jwtConfiguration.accessTokenKeyId : tenant.jwtConfiguration.accessTokenKeyId;
    const key = keyId === undefined ? undefined : await r.scope.ctx.storage.keys.get(keyId);
    return page({
      title: `Gateway policy for ${app.name}`,
      section: 'applications',
      session: r.session,
      body: html`<h1>Gateway policy for <span class="subject">${app.name}</span></h1>
${
  key !== undefined && key.type === 'HMAC'
    ? html`<p class="errors">This application's tokens are signed with the HMAC key <strong>${key.name}</strong>, which has no public key. Enable JWT on the application with an RS256 key for the seed's set-up.</p>`
    : ''
}
<section class="card"><dl class="props">
<dt>Issuer (<code>iss</code>)</dt><dd><code>${tenant.issuer}</code></dd>
<dt>Audience (<code>aud</code>)</dt><dd><code>${app.id}</code></dd>
<dt>Signing key</dt><dd>${key === undefined ? 'none' : html`<a href="/admin/keys/${key.id}">${key.name}</a> (${key.algorithm}, kid <code>${key.kid}</code>)`}</dd>
<dt>JWKS URL</dt><dd><code>${jwksUrl}</code></dd>
</dl></section>
<section class="card"><h2>With pubkey.pem, as the seed</h2>
<p>Save the signing key's public key from <a href="${key === undefined ? '/admin/keys' : `/admin/keys/${key.id}`}">Key Master</a> as <code>pubkey.pem</code> next to <code>gatehouse.yaml</code>, then:</p>
${copyable('gatehouse.yaml (pubkey.pem)', gatewayPolicyYaml({ app, tenant, keys: 'file', jwksUrl }), { multiline: true, id: 'policy-file' })}
</section>
<section class="card"><h2>With the JWKS URL (follows key rotation)</h2>
${copyable('gatehouse.yaml (JWKS)', gatewayPolicyYaml({ app, tenant, keys: 'jwks', jwksUrl }), { multiline: true, id: 'policy-jwks' })}
</section>
<section class="card"><h2>Run it</h2>
<p>Change <code>bind</code> and the server address to yours, then from the Gatehouse folder (after <code>npm ci</code>):</p>
${copyable('Commands', RUN_COMMANDS, { multiline: true, id: 'run-commands' })}
<p>The first line starts the sample echo service on the server address above; leave it out to use your own service. Every key of the policy is explained in <code>docs/auth.md</code>.</p>
</section>`,
    });
  });
}
