/**
 * Builds the sign-in layer of a policy with `login:`: reads the secrets (env or file), discovers the
 * IdP's endpoints, builds the id_token check (a JWT policy with the IdP's keys by discovery, audience =
 * client id) and wraps the policy's own JWT pipeline. Every problem names its key path.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCode, GatehouseError } from '../../../shared/errors.js';
import type { AuthLogger } from '../logging.js';
import type { AuthPolicy } from '../types.js';
import type { LoginConfig } from './config.js';
import { LoginPolicy } from './login-policy.js';
import { discoverEndpoints, LoginProblem, OidcClient } from './oidc-client.js';
import { CookieSealer, parseCookieKeys } from './sealed-cookie.js';
import { CookieStore, RedisSessionStore, type SessionStore } from './session-store.js';

export interface LoginContext {
  readonly name: string;
  /** The policy's issuers (the login issuer defaults to the first) and algorithms. */
  readonly issuers: readonly string[];
  readonly algorithms: readonly string[];
  readonly stripAuthorization: boolean;
  readonly baseDir: string;
  readonly logger: AuthLogger;
  readonly now: () => number;
  /** Builds the JWT policy that checks id_tokens (createAuthPolicy, passed in to keep the import one-way). */
  readonly buildIdTokenPolicy: (name: string, config: Record<string, unknown>) => Promise<AuthPolicy>;
}

export async function createLoginPolicy(c: LoginConfig, inner: AuthPolicy, ctx: LoginContext): Promise<AuthPolicy> {
  const at = `auth.${ctx.name}.login`;
  const issuer = c.issuer ?? (ctx.issuers[0] as string);
  if (!ctx.issuers.includes(issuer)) throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${at}.issuer: ${issuer} is not one of the policy's issuers (its access tokens would never pass)`);
  const secret = await readSecret(c.client_secret, ctx.baseDir, `${at}.client_secret`);
  const keys = parseCookieKeys(await readSecret(c.cookie.keys, ctx.baseDir, `${at}.cookie.keys`));
  if (typeof keys === 'string') throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${at}.cookie.keys: ${keys}`);
  const redirect = new URL(c.redirect_uri);
  if (redirect.pathname === c.logout_path) throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${at}.logout_path: must differ from the redirect_uri's path`);
  let endpoints;
  try {
    endpoints = await discoverEndpoints(issuer, c.timeout);
  } catch (error) {
    throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${at}.issuer: ${(error as LoginProblem).message}`);
  }
  const idTokens = await ctx.buildIdTokenPolicy(`${ctx.name}.login`, {
    issuer,
    audience: c.client_id,
    algorithms: ctx.algorithms,
    keys: { discovery: issuer },
    cache: false,
  });
  const sealer = new CookieSealer(keys);
  let store: SessionStore;
  try {
    store = await buildStore(c, sealer, ctx, at);
  } catch (error) {
    idTokens.close();
    throw error;
  }
  const policy = new LoginPolicy({
    name: ctx.name,
    inner,
    idTokens,
    client: new OidcClient(endpoints, c.client_id, secret, c.redirect_uri, c.scopes, c.timeout, ctx.now),
    sealer,
    store,
    cookieName: c.cookie.name,
    secure: c.cookie.secure === 'auto' ? redirect.protocol === 'https:' : c.cookie.secure,
    callbackPath: redirect.pathname,
    logoutPath: c.logout_path,
    postLogoutRedirectUri: c.post_logout_redirect_uri ?? `${redirect.origin}/`,
    refreshBeforeMs: c.refresh_before,
    stateTtlMs: c.state_ttl,
    sessionMs: c.cookie.max_age,
    stripAuthorization: ctx.stripAuthorization,
    logger: ctx.logger,
    now: ctx.now,
  });
  ctx.logger.info({ policy: ctx.name, issuer, callback: redirect.pathname, logout: c.logout_path, endSession: endpoints.endSession !== undefined, keys: keys.length, store: c.store === 'cookie' ? 'cookie' : 'redis' }, 'auth: sign-in at the gateway ready');
  return policy;
}

async function buildStore(c: LoginConfig, sealer: CookieSealer, ctx: LoginContext, at: string): Promise<SessionStore> {
  if (c.store === 'cookie') return new CookieStore();
  const r = c.store.redis;
  const colon = r.address.lastIndexOf(':');
  const store = new RedisSessionStore(
    {
      host: r.address.slice(0, colon),
      port: Number(r.address.slice(colon + 1)),
      db: r.db,
      username: r.username,
      password: r.password === undefined ? undefined : await readSecret(r.password, ctx.baseDir, `${at}.store.redis.password`),
      keyPrefix: r.key_prefix,
      timeoutMs: r.timeout,
    },
    sealer,
    ctx.logger,
  );
  try {
    await store.connect();
  } catch (error) {
    store.close();
    throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${at}.store.redis: cannot connect to ${r.address} (${(error as Error & { code?: string }).code ?? (error as Error).name})`);
  }
  return store;
}

async function readSecret(source: { env?: string | undefined; file?: string | undefined }, baseDir: string, path: string): Promise<string> {
  if (source.env !== undefined) {
    const value = process.env[source.env];
    if (value === undefined || value === '') throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${path}.env: environment variable ${source.env} is not set`);
    return value;
  }
  const file = isAbsolute(source.file as string) ? (source.file as string) : resolve(baseDir, source.file as string);
  try {
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    throw new GatehouseError(ErrorCode.CONFIG_READ, `${path}.file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
