/**
 * A real identity provider for the OAuth tests: the default tenant's issuer set to the server's URL (as
 * openid-client requires), a web application (RS256 keys, Authorization Code with PKCE required, refresh
 * tokens, roles), a registered user, a service (the target of client credentials) and a machine client
 * that the service grants `read`.
 */
import { after, before } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { POSTGRES_URL, requireTcpService } from '../../support/services.js';
import { startTestIdp, type TestIdp } from '../support.js';

export interface OAuthFixture {
  idp: TestIdp;
  tenantId: string;
  web: { id: string; secret: string; redirect: string };
  service: { id: string };
  machine: { id: string; secret: string };
  user: { id: string; email: string; password: string };
  /** A small relying-party server answering the redirect URI. */
  callback: Server;
  close(): Promise<void>;
}

export interface FixtureOptions {
  webOauth?: Record<string, unknown>;
  webJwt?: Record<string, unknown>;
  /** Another database than a fresh SQLite file (a postgres:// URL). */
  database?: string;
  /** The IdP's clock (epoch ms), for expiry tests. */
  now?: () => number;
  /** The IdP's `--public-url`. */
  publicUrl?: string;
}

export async function startOAuthFixture(options: FixtureOptions = {}): Promise<OAuthFixture> {
  const callback = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in'));
  await new Promise<void>((r) => callback.listen(0, '127.0.0.1', r));
  const redirect = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  const idp = await startTestIdp({ ...(options.database === undefined ? {} : { database: options.database }), ...(options.now === undefined ? {} : { now: options.now }), ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }) });
  try {
    const tenants = await idp.api('GET', '/api/tenant');
    const tenantId = tenants.body.tenants[0].id as string;
    const patched = await idp.api('PATCH', `/api/tenant/${tenantId}`, { tenant: { issuer: idp.url } });
    if (patched.status !== 200) throw new Error(`tenant patch: ${patched.status} ${patched.text}`);
    const webId = randomUUID();
    const machineId = randomUUID();
    const serviceId = randomUUID();
    const create = async (id: string, application: Record<string, unknown>) => {
      const r = await idp.api('POST', `/api/application/${id}`, { application });
      if (r.status !== 200) throw new Error(`application create: ${r.status} ${r.text}`);
      return r.body.application as { id: string; oauthConfiguration: { clientSecret: string } };
    };
    const web = await create(webId, {
      name: 'Web shop',
      roles: [{ name: 'viewer' }, { name: 'admin' }],
      jwtConfiguration: { enabled: true, timeToLiveInSeconds: 600, refreshTokenUsagePolicy: 'OneTimeUse', ...options.webJwt },
      oauthConfiguration: {
        authorizedRedirectURLs: [redirect],
        enabledGrants: ['authorization_code', 'refresh_token', 'password'],
        proofKeyForCodeExchangePolicy: 'Required',
        ...options.webOauth,
      },
    });
    await create(serviceId, {
      name: 'Orders service',
      roles: [{ name: 'read' }, { name: 'write' }],
      oauthConfiguration: { entityGrants: [{ recipientEntityId: machineId, permissions: ['read'] }] },
    });
    const machine = await create(machineId, { name: 'Billing job', jwtConfiguration: { enabled: true }, oauthConfiguration: { enabledGrants: ['client_credentials'] } });
    const email = 'ada@example.com';
    const password = 'correct horse battery';
    const registered = await idp.api('POST', '/api/user/registration', {
      user: { email, password, firstName: 'Ada', lastName: 'Lovelace', username: 'ada' },
      registration: { applicationId: webId, roles: ['viewer'] },
    });
    if (registered.status !== 200) throw new Error(`user create: ${registered.status} ${registered.text}`);
    return {
      idp,
      tenantId,
      web: { id: webId, secret: web.oauthConfiguration.clientSecret, redirect },
      service: { id: serviceId },
      machine: { id: machineId, secret: machine.oauthConfiguration.clientSecret },
      user: { id: registered.body.user.id as string, email, password },
      callback,
      async close() {
        await idp.close();
        await new Promise<void>((r) => {
          callback.close(() => r());
          callback.closeAllConnections();
        });
      },
    };
  } catch (error) {
    await idp.close();
    callback.close();
    throw error;
  }
}

/** POSTs a form to the IdP; returns status, headers and parsed JSON (when JSON). */
export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString(), redirect: 'manual' });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export interface FormLogin {
  /** Status of the POST. */
  status: number;
  /** The Set-Cookie headers of the page and of the POST. */
  cookies: string[];
  location: string | null;
  html: string;
}

/**
 * Drives the hosted login page with plain HTTP (for the security tests; the Chromium test uses a real
 * browser): GET the page, take its CSRF cookie and field, POST the credentials.
 */
export async function formLogin(idpUrl: string, authorize: Record<string, string>, loginId: string, password: string, tamper?: (form: URLSearchParams) => void): Promise<FormLogin> {
  const page = await fetch(`${idpUrl}/oauth2/authorize?${new URLSearchParams(authorize).toString()}`, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) return { status: page.status, cookies: page.headers.getSetCookie(), location: page.headers.get('location'), html };
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.append(match[1]!, match[2]!.replace(/&#61;/g, '=').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&'));
  }
  form.set('loginId', loginId);
  form.set('password', password);
  tamper?.(form);
  const posted = await fetch(`${idpUrl}/oauth2/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: form.toString() });
  return { status: posted.status, cookies: [...page.headers.getSetCookie(), ...posted.headers.getSetCookie()], location: posted.headers.get('location'), html: await posted.text() };
}

/** A fresh test IdP (no options) and a callback server on 127.0.0.1 whose URL is a redirect target. */
export async function startIdpWithCallback(): Promise<{ idp: TestIdp; redirect: string; close(): Promise<void> }> {
  const idp = await startTestIdp();
  const callback = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => callback.listen(0, '127.0.0.1', r));
  return {
    idp,
    redirect: `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`,
    async close() {
      await idp.close();
      callback.close();
    },
  };
}

/** Registers this test file's before/after hooks for `startIdpWithCallback`; the fields are set before the first test. */
export function useIdpWithCallback(): { idp: TestIdp; redirect: string } {
  const fixture = {} as { idp: TestIdp; redirect: string; close?: () => Promise<void> };
  before(async () => {
    Object.assign(fixture, await startIdpWithCallback());
  });
  after(() => fixture.close?.());
  return fixture;
}

/**
 * Runs `work` on an OAuth fixture stored in a PostgreSQL schema of its own (`prefix`_pid_random), dropped
 * afterwards. Without PostgreSQL the test skips loudly (fails when CI=true); then `work` does not run.
 */
export async function onPostgresSchema(t: TestContext, prefix: string, work: (fx: OAuthFixture) => Promise<void>): Promise<void> {
  const url = new URL(POSTGRES_URL);
  if (!(await requireTcpService(t, 'PostgreSQL', url.hostname, Number(url.port || 5432)))) return;
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const fx = await startOAuthFixture({ database: `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${schema}` });
  try {
    await work(fx);
  } finally {
    await fx.close();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
