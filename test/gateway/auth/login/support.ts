/** Shared set-up for the sign-in-at-the-gateway tests: a free port, cookie keys, a gateway config with `login:`, cookie helpers. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A port that was free a moment ago (the IdP must know the callback URL before the gateway listens). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export function cookieKey(): Buffer {
  return randomBytes(32);
}

let envCounter = 0;
/** Puts a secret into a fresh environment variable and returns its name (config reads secrets from env or file only). */
export function secretEnv(value: string): string {
  const name = `GATEHOUSE_LOGIN_TEST_${process.pid}_${++envCounter}`;
  process.env[name] = value;
  return name;
}

export interface LoginGatewayOptions {
  port: number;
  issuer: string;
  audience: string | string[];
  clientId: string;
  clientSecret: string;
  keys: Buffer[];
  upstream: string;
  /** Host name the browser uses for the gateway (another cookie host than the IdP's 127.0.0.1). */
  host?: string;
  login?: Record<string, unknown>;
  policy?: Record<string, unknown>;
  /** Routes of the frontend (default: none; everything goes to `app` under the policy). */
  routes?: unknown[];
}

export function loginGatewayConfig(o: LoginGatewayOptions): Record<string, unknown> {
  const host = o.host ?? 'localhost';
  return {
    auth: {
      web: {
        issuer: o.issuer,
        audience: o.audience,
        keys: { discovery: true },
        forward: { headers: { 'X-User': 'sub' } },
        ...o.policy,
        login: {
          client_id: o.clientId,
          client_secret: { env: secretEnv(o.clientSecret) },
          redirect_uri: `http://${host}:${o.port}/_gatehouse/callback`,
          cookie: { keys: { env: secretEnv(o.keys.map((k) => k.toString('base64url')).join(',')) } },
          ...o.login,
        },
      },
    },
    frontends: { web: { bind: `127.0.0.1:${o.port}`, default_backend: 'app', auth: 'web', ...(o.routes === undefined ? {} : { routes: o.routes }) } },
    backends: { app: { servers: { a: { address: o.upstream } } } },
  };
}

export interface Answer {
  status: number;
  location: string | undefined;
  setCookie: string[];
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * A GET to the gateway with undici's `request` (fetch() would send its own `Sec-Fetch-Mode: cors`, so it
 * could never look like a navigation), redirects not followed.
 */
export async function get(url: string | URL, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await request(url, { headers });
  const text = await response.body.text();
  const raw = response.headers['set-cookie'];
  const location = response.headers.location;
  return { status: response.statusCode, location: typeof location === 'string' ? location : undefined, setCookie: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw], headers: response.headers, text };
}

/** Set-Cookie lines as name → value (an empty value: cleared). */
export function setCookies(lines: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const [pair] = line.split(';');
    const eq = (pair as string).indexOf('=');
    out.set((pair as string).slice(0, eq), (pair as string).slice(eq + 1));
  }
  return out;
}

export function cookieHeader(cookies: ReadonlyArray<{ name: string; value: string }>): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

export const NAVIGATE = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' } as const;

export interface SignedIn {
  /** The callback URL the IdP sent the browser to (code and state). */
  callback: string;
  /** The state cookie the gateway set on the challenge (name=value). */
  stateCookie: string;
  /** The session cookies the callback set, as a Cookie header value. */
  session: string;
  /** The callback's redirect (the return path). */
  location: string;
}

/**
 * Signs in through the gateway without a browser: the navigation's redirect, the Gatehouse IdP's login
 * form (plain HTTP, `login` does it), then the callback with the state cookie.
 */
export async function signIn(gatewayUrl: string, path: string, login: (authorize: Record<string, string>) => Promise<string | null>): Promise<SignedIn> {
  const challenge = await get(`${gatewayUrl}${path}`, NAVIGATE);
  if (challenge.status !== 302) throw new Error(`challenge: ${challenge.status}`);
  const authorize = new URL(challenge.location as string);
  const state = [...setCookies(challenge.setCookie)].find(([name]) => name.includes('_state_'));
  if (state === undefined) throw new Error('no state cookie');
  const stateCookie = `${state[0]}=${state[1]}`;
  const callback = await login(Object.fromEntries(authorize.searchParams));
  if (callback === null) throw new Error('the IdP did not redirect');
  const done = await get(callback, { ...NAVIGATE, cookie: stateCookie });
  if (done.status !== 302) throw new Error(`callback: ${done.status} ${done.text}`);
  const session = [...setCookies(done.setCookie)].filter(([name, value]) => !name.includes('_state_') && value !== '').map(([n, v]) => `${n}=${v}`).join('; ');
  return { callback, stateCookie, session, location: done.location as string };
}
