/**
 * The config schema of a policy's `login:` block: sign-in at the gateway (OIDC Authorization Code + PKCE)
 * for browsers. Secrets (client secret, cookie keys) come only from the environment or a file.
 */
import { z } from 'zod';
import { parseDuration } from '../../../shared/duration.js';

const nonEmpty = z.string().min(1);
const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'expected an http(s) URL');
const secretSource = z
  .strictObject({ env: nonEmpty.optional(), file: nonEmpty.optional() })
  .refine((s) => (s.env === undefined) !== (s.file === undefined), { message: 'give exactly one of env, file' });
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 30s, 5m, 1h' });
    return z.NEVER;
  }
  return ms;
});
const localPath = z.string().regex(/^\/(?![/\\])[^\s?#]*$/, 'expected a path on this gateway, such as /_gatehouse/logout');
const cookieName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected letters, digits, _ or -');

export const loginSchema = z.strictObject({
  /** The IdP's issuer URL (OIDC discovery at <issuer>/.well-known/openid-configuration); default: the policy's first issuer. */
  issuer: httpUrl.optional(),
  client_id: nonEmpty,
  client_secret: secretSource,
  /** The absolute callback URL registered at the IdP; its path is answered by the gateway on routes using this policy. */
  redirect_uri: httpUrl,
  scopes: z.array(nonEmpty).min(1).default(['openid', 'offline_access']),
  logout_path: localPath.default('/_gatehouse/logout'),
  /** Where the IdP sends the browser after RP-initiated logout (absolute, registered at the IdP); default: the redirect URI's origin + "/". */
  post_logout_redirect_uri: httpUrl.optional(),
  /** Refresh the access token when it expires within this time. */
  refresh_before: duration.default(60_000),
  /** How long a sign-in may take (state cookie lifetime). */
  state_ttl: duration.default(600_000),
  timeout: duration.default(5_000),
  /** Where the tokens live: in the sealed cookie (default), or in Redis with only a pointer in the cookie. */
  store: z
    .union([
      z.literal('cookie'),
      z.strictObject({
        redis: z.strictObject({
          address: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port'),
          db: z.number().int().min(0).max(15).default(0),
          username: nonEmpty.optional(),
          password: secretSource.optional(),
          key_prefix: z.string().default('gatehouse:login:'),
          timeout: duration.default(1_000),
        }),
      }),
    ])
    .default('cookie'),
  cookie: z.strictObject({
    name: cookieName.default('gatehouse_session'),
    /** 32-byte AES-256-GCM keys, base64url, separated by commas or whitespace; the first encrypts, all decrypt. */
    keys: secretSource,
    /** Session lifetime (the cookie's Max-Age and an expiry sealed inside it). */
    max_age: duration.default(12 * 3_600_000),
    /** `auto`: Secure when redirect_uri is https. */
    secure: z.union([z.literal('auto'), z.boolean()]).default('auto'),
  }),
});

export type LoginConfig = z.output<typeof loginSchema>;
