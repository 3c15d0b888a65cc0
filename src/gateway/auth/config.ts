/**
 * The config schema of one auth policy (one entry of the config's `auth:` map). Validated once at load by
 * the gateway's config loader; every problem carries its key path. Defaults live in ./defaults.ts.
 */
import { HTTP_TOKEN } from '../../shared/http-token.js';
import { z } from 'zod';
import { parseDuration } from '../../shared/duration.js';
import { DEFAULTS } from './defaults.js';
import { originOf } from './sources/origin-check.js';
import { loginSchema } from './login/config.js';

export const ASYMMETRIC_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA',
] as const;
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export const ALGORITHMS = [...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

const duration = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 30s, 5m, 1h' });
      return z.NEVER;
    }
    return ms;
  });

const nonEmpty = z.string().min(1);
const stringOrList = z.union([nonEmpty, z.array(nonEmpty).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v));
const headerName = z.string().regex(HTTP_TOKEN, 'expected an HTTP header name');
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'expected an http(s) URL');

const jwkObject = z.record(z.string(), z.unknown());

/**
 * `header`, or `{ cookie: <name> }` (e.g. FusionAuth's hosted-backend cookie `app.at`). Kept in this form
 * (no transform): createAuthPolicy parses an already-parsed config again, so every field must be idempotent.
 */
const tokenSource = z.union([z.literal('header'), z.strictObject({ cookie: z.string().regex(HTTP_TOKEN, 'expected a cookie name such as app.at') })], {
  error: 'expected header or { cookie: <name> }',
});

/** A serialised origin: scheme, host, optional port; what browsers send in `Origin`. */
const origin = z.string().transform((text, ctx) => {
  const serialised = originOf(text);
  if (serialised === undefined || serialised !== text.toLowerCase()) {
    ctx.addIssue({ code: 'custom', message: `expected an origin such as https://app.example.com (scheme, host, optional port; no path or trailing slash), not ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return serialised;
});

export const keysSchema = z
  .strictObject({
    /** PEM public key(s) or certificate(s): one path or a list; relative paths resolve against the config file. */
    file: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
    /** One inline public JWK. */
    jwk: jwkObject.optional(),
    /** A JWKS URL, or an inline JWK Set `{ keys: [...] }`. */
    jwks: z.union([httpUrl, z.strictObject({ keys: z.array(jwkObject) })]).optional(),
    /** OIDC discovery: `true` uses the (first) configured issuer, or give the issuer URL. */
    discovery: z.union([z.literal(true), httpUrl]).optional(),
    /** HMAC secret for HS256/384/512, only from the environment or a file (never inline in config). */
    secret: z.strictObject({ env: nonEmpty.optional(), file: nonEmpty.optional() }).optional(),
  })
  .refine((k) => [k.file, k.jwk, k.jwks, k.discovery, k.secret].some((v) => v !== undefined), {
    message: 'give at least one of file, jwk, jwks, discovery, secret',
  });

export const authPolicySchema = z.strictObject({
  /** `standards` (RFC 6750: 401/403, WWW-Authenticate, JSON) or `seed` (HAProxy-compatible 403 text/html). */
  response: z.enum(['standards', 'seed']).default('standards'),
  realm: z.string().regex(/^[\x20-\x7e]*$/).refine((s) => !s.includes('"') && !s.includes('\\'), 'no quotes or backslashes').optional(),
  algorithms: z.array(z.enum(ALGORITHMS)).min(1).default(['RS256']),
  issuer: stringOrList,
  audience: stringOrList,
  keys: keysSchema,
  /** Accepted `typ` header values (case-insensitive, "application/" prefix optional); absent = not checked. */
  typ: z.array(nonEmpty).min(1).optional(),
  clock_skew: duration.default(DEFAULTS.clockSkewMs),
  max_lifetime: duration.optional(),
  /** Require `iat` (and check it is not in the future). `iat` is always checked when present. */
  require_iat: z.boolean().default(false),
  required_claims: z.array(nonEmpty).default([]),
  /**
   * FusionAuth: admit only users registered to the audience application. FusionAuth signs a token for an
   * application even when the user is not registered to it (login answers 202), but only a registered
   * user's token carries `applicationId` (and `roles`): the token's `applicationId` must be a string equal
   * to one of the token's own `aud` values that is also one of the policy's audiences, and `roles` must be an
   * array (empty for a registration without roles). See docs/auth.md.
   */
  require_registration: z.boolean().default(false),
  roles: z.array(nonEmpty).default([]),
  roles_match: z.enum(['any', 'all']).default('any'),
  scopes: z.array(nonEmpty).default([]),
  scopes_match: z.enum(['any', 'all']).default('all'),
  max_token_bytes: z.number().int().min(256).max(65_536).default(DEFAULTS.maxTokenBytes),
  /** Where the token comes from, in order; the first source present supplies it (sources/token-sources.ts). */
  token_from: z.array(tokenSource).min(1).prefault(['header']),
  /** Origins whose pages may send unsafe requests (POST, PUT, PATCH, DELETE, ...) authenticated by a cookie. */
  allowed_origins: z.array(origin).min(1).optional(),
  /** Whether the gateway's `revocation:` feed applies to this policy (when the config has one). */
  revocation: z.boolean().default(true),
  forward: z
    .strictObject({
      /** Upstream header name → claim name (dotted path for nested claims). */
      headers: z.record(headerName, nonEmpty).default({}),
      /** What to do with a claim value holding control or non-Latin-1 characters: deny the request, or percent-encode it. */
      unsafe_values: z.enum(['reject', 'encode']).default('reject'),
      strip_authorization: z.boolean().default(false),
    })
    .default({ headers: {}, unsafe_values: 'reject', strip_authorization: false }),
  key_cache: z
    .strictObject({
      min_age: duration.default(DEFAULTS.keyMinAgeMs),
      max_age: duration.default(DEFAULTS.keyMaxAgeMs),
      cooldown: duration.default(DEFAULTS.keyCooldownMs),
      timeout: duration.default(DEFAULTS.keyFetchTimeoutMs),
    })
    .refine((c) => c.min_age <= c.max_age, { message: 'min_age must not exceed max_age' })
    .default({
      min_age: DEFAULTS.keyMinAgeMs,
      max_age: DEFAULTS.keyMaxAgeMs,
      cooldown: DEFAULTS.keyCooldownMs,
      timeout: DEFAULTS.keyFetchTimeoutMs,
    }),
  cache: z
    .union([
      z.literal(false),
      z.strictObject({
        max_entries: z.number().int().min(1).max(10_000_000).default(DEFAULTS.cacheMaxEntries),
        negative_max_entries: z.number().int().min(0).max(10_000_000).default(DEFAULTS.negativeCacheMaxEntries),
        negative_ttl: duration.default(DEFAULTS.negativeCacheTtlMs),
      }),
    ])
    .default({
      max_entries: DEFAULTS.cacheMaxEntries,
      negative_max_entries: DEFAULTS.negativeCacheMaxEntries,
      negative_ttl: DEFAULTS.negativeCacheTtlMs,
    }),
  /** Sign-in at the gateway for browsers (OIDC code + PKCE, sealed session cookie): see docs/auth.md. */
  login: loginSchema.optional(),
}).superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.token_from.forEach((source, i) => {
    const key = source === 'header' ? 'header' : `cookie ${source.cookie}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['token_from', i], message: `${key} is listed twice` });
    seen.add(key);
  });
  const cookies = c.token_from.some((s) => s !== 'header');
  if (cookies && c.allowed_origins === undefined) {
    ctx.addIssue({ code: 'custom', path: ['allowed_origins'], message: 'a cookie in token_from needs allowed_origins: unsafe methods authenticated by a cookie are refused unless Origin (or Referer) is one of them (CSRF)' });
  }
  if (!cookies && c.allowed_origins !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['allowed_origins'], message: 'only used with a cookie in token_from (a header token needs no CSRF check)' });
  }
  const hmac = c.algorithms.some((a) => a.startsWith('HS'));
  const asym = c.algorithms.some((a) => !a.startsWith('HS'));
  if (hmac && c.keys.secret === undefined) {
    ctx.addIssue({ code: 'custom', path: ['algorithms'], message: 'HS256/384/512 need keys.secret (a public key is never used as an HMAC secret)' });
  }
  if (c.keys.secret !== undefined && !hmac) {
    ctx.addIssue({ code: 'custom', path: ['keys', 'secret'], message: 'a secret is only used with HS256/384/512 in algorithms' });
  }
  if (c.keys.secret !== undefined && (c.keys.secret.env === undefined) === (c.keys.secret.file === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['keys', 'secret'], message: 'give exactly one of env, file' });
  }
  if (asym && c.keys.file === undefined && c.keys.jwk === undefined && c.keys.jwks === undefined && c.keys.discovery === undefined) {
    ctx.addIssue({ code: 'custom', path: ['keys'], message: 'asymmetric algorithms need a public key: file, jwk, jwks or discovery' });
  }
});

/** The parsed (defaults applied) config, as the gateway's loader hands it over. */
export type AuthPolicyConfig = z.output<typeof authPolicySchema>;
export type AuthPolicyConfigInput = z.input<typeof authPolicySchema>;
