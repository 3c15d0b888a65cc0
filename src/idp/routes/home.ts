/**
 * `GET /`: what someone who opens the identity provider's address in a browser wants — where the admin
 * console is, the discovery document and the JWKS a gateway reads, and which docs explain the rest —
 * instead of an empty 404. Static HTML with the console's stylesheet and security headers.
 */
import type { FastifyInstance } from 'fastify';
import { html } from '../admin/html.js';
import { SECURITY_HEADERS } from '../admin/plugin.js';

export function homePage(): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse identity provider</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/assets/admin.css">
</head>
<body>
<header class="top"><a class="brand" href="/admin/">Gatehouse</a></header>
<main>
<h1>Gatehouse identity provider</h1>
<p>This server speaks FusionAuth's API. Nothing is served at this address itself; here is where things are:</p>
<ul>
<li><a href="/admin/">Admin console</a>: tenants, applications, keys, API keys and users.</li>
<li><a href="/.well-known/openid-configuration">OpenID discovery document</a> (<code>/.well-known/openid-configuration</code>): the issuer and the JWKS URL.</li>
<li><a href="/.well-known/jwks.json">JSON Web Key Set</a> (<code>/.well-known/jwks.json</code>): the public keys a gateway verifies tokens with.</li>
<li>The JSON API under <code>/api/</code> (an API key in the <code>Authorization</code> header), e.g. <code>POST /api/login</code>.</li>
</ul>
<p>The docs are in the Gatehouse folder: <code>docs/idp.md</code> (this server, the console and the API), <code>docs/auth.md</code> (the gateway's token checks) and <code>README.md</code> (getting started with <code>npm start</code>).</p>
</main>
</body>
</html>`.value;
}

export function registerHomePage(app: FastifyInstance): void {
  const body = homePage();
  app.get('/', { config: { auth: 'none' } }, async (_request, reply) => reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(body));
}
