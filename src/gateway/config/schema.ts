/**
 * The gateway config schema (zod). Shapes follow HAProxy's vocabulary: frontends bind and route,
 * backends balance over servers and check them. Defaults come from ./defaults.ts.
 * Cross-references (backend names, auth policy names) are checked in ./load.ts.
 */
import { z } from 'zod';
import { authPolicySchema } from '../auth/index.js';
import { isHashBalance } from '../balance/hash-key.js';
import { forbiddenRuleHeader, REQUEST_RULE_FORBIDDEN, RESPONSE_RULE_FORBIDDEN } from '../forward/header-rules.js';
import { MAX_ERROR_PAGE_BYTES } from '../listen/error-pages.js';
import { DEFAULT_TYPES as DEFAULT_COMPRESSION_TYPES } from '../forward/compression.js';
import { rateLimitRefSchema, rateLimitSchema, redisSchema } from '../limit/schema.js';
import { revocationSchema } from '../auth/revocation/schema.js';
import { normalizePath } from '../route/normalize-path.js';
import { cidr, matchSchema, requestHeaderRuleListSchema, ruleHeaderName, ruleHeaderValue } from './match-schema.js';
import { durationField, hostPortField } from './fields.js';
import { GATEWAY_DEFAULTS as D } from './defaults.js';
import { tracingSchema } from '../observe/tracing/schema.js';
import { backendTlsSchema, frontendTlsSchema, redirectHttpsSchema, tlsSessionsSchema } from '../tls/schema.js';

const duration = durationField('expected a duration like 500ms, 2s, 1m');

const positiveDuration = duration.refine((ms) => ms > 0, { message: 'expected a duration above 0' });

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a name of letters, digits, _ . - (at most 64)');

const httpMethod = z
  .string()
  .regex(/^[A-Za-z]{1,20}$/, 'expected an HTTP method such as GET')
  .transform((m) => m.toUpperCase());

export const authRefSchema = z.union(
  [
    z.string(),
    z.literal(false),
    z.strictObject({
      policy: z.string(),
      roles: z.array(z.string()).optional(),
      scopes: z.array(z.string()).optional(),
    }),
  ],
  { error: 'expected a policy name, false (no auth), or { policy, roles, scopes }' },
);

const hostPattern = z
  .string()
  .regex(/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.?$/, 'expected a host name, optionally starting with *.')
  .transform((h) => h.toLowerCase().replace(/\.$/, ''));

const normalisedPath = z
  .string()
  .regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/, 'expected a path starting with / (no query string)')
  .refine((p) => !/(^|\/)\.\.?(\/|$)/.test(p) && !p.includes('//'), 'expected a normalised path (no . or .. segments, no //)')
  // a request path is normalised before routing: a prefix that is not (`/%70rivate`, `/private.`) would match nothing
  .refine((p) => normalizePath(p) === p, 'expected a path as the gateway normalises requests (unreserved characters not %-encoded, other escapes upper-case, nothing refused by docs/security.md)');

/** A size in bytes: an integer, or a string with a binary unit: 512k, 10m, 1g (also 10MB, 10MiB). */
const byteSize = z
  .union([z.number().int().min(0), z.string().regex(/^\d+\s*([kmg]i?b?|b)?$/i, 'expected a size like 1048576, 512k, 10m or 1g')], { error: 'expected a size like 1048576, 512k, 10m or 1g' })
  .transform((value) => {
    if (typeof value === 'number') return value;
    const [, digits, unit] = /^(\d+)\s*([kmg]?)/i.exec(value) as RegExpExecArray;
    return Number(digits) * 1024 ** ' kmg'.indexOf((unit as string).toLowerCase() || ' ');
  });

/** Source address rules (listen/source-rules.ts). */
const addressList = z.array(cidr).min(1, 'expected at least one address or range');

/** A redirect target: an absolute http(s) URL or a path; no control characters or spaces. */
const absoluteOrPath = z.string().regex(/^(https?:\/\/[!-~]+|\/[!-~]*)$/, 'expected an http(s) URL or a path starting with /');


function headerRulesSchema(forbidden: readonly string[], what: string) {
  const message = `a ${what} rule cannot set or remove framing, hop-by-hop or X-Forwarded headers`;
  return z
    .strictObject({
      set: z.record(ruleHeaderName, ruleHeaderValue).default({}),
      /** Added as one more copy, the client's (or server's) copies kept (HAProxy's `add-header`). */
      add: z.record(ruleHeaderName, ruleHeaderValue).default({}),
      remove: z.array(ruleHeaderName.refine((n) => !forbiddenRuleHeader(n, forbidden), message)).default([]),
    })
    .superRefine((rules, ctx) => {
      // checked here rather than on the record's key, so the problem is reported with the header's name
      for (const key of ['set', 'add'] as const) {
        for (const header of Object.keys(rules[key])) if (forbiddenRuleHeader(header, forbidden)) ctx.addIssue({ code: 'custom', path: [key, header], message });
      }
    });
}
const requestHeaderRules = headerRulesSchema(REQUEST_RULE_FORBIDDEN, 'request header');
const responseHeaderRules = headerRulesSchema(RESPONSE_RULE_FORBIDDEN, 'response header');

/** CORS for browsers (forward/cors.ts), on a frontend or a route. */
const corsSchema = z
  .strictObject({
    origins: z
      .array(z.string().regex(/^(\*|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?)$/, 'expected *, or an origin like https://app.example.com or https://*.example.com'))
      .min(1),
    methods: z.array(httpMethod).min(1).default(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']),
    headers: z.array(ruleHeaderName).default(['Authorization', 'Content-Type']),
    expose_headers: z.array(ruleHeaderName).default([]),
    credentials: z.boolean().default(false),
    max_age: duration.default(600_000),
  })
  .refine((c) => !(c.credentials && c.origins.includes('*')), { path: ['credentials'], message: 'credentials cannot be allowed for any origin (*): list the origins' });

/** Response compression (forward/compression.ts), on a frontend or a route. */
const compressionSchema = z.strictObject({
  algorithms: z.array(z.enum(['br', 'gzip', 'deflate'], { error: 'expected br, gzip or deflate' })).min(1).default(['gzip']),
  types: z
    .array(z.string().regex(/^[a-z0-9!#$&^_.+-]+\/([a-z0-9!#$&^_.+-]+|\*)$/i, 'expected a media type like application/json or a family like text/*').transform((t) => t.toLowerCase()))
    .min(1)
    .default(DEFAULT_COMPRESSION_TYPES),
  min_size: byteSize.default(1024),
  offload: z.boolean().default(false),
});

export const routeSchema = z
  .strictObject({
    host: z.union([hostPattern, z.array(hostPattern).min(1)]).optional(),
    path_prefix: normalisedPath.optional(),
    methods: z.array(httpMethod).min(1).optional(),
    /** Further conditions, all of which must hold (HAProxy's ACLs: `!`, `||`, path, headers, source; route/conditions.ts). */
    match: matchSchema.optional(),
    backend: name.optional(),
    /** Answer with a redirect instead of proxying (HAProxy's `http-request redirect`). */
    redirect: z
      .strictObject({
        location: absoluteOrPath.optional(),
        prefix: absoluteOrPath.optional(),
        code: z.union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)], { error: 'expected 301, 302, 303, 307 or 308' }).default(302),
      })
      .refine((r) => (r.location === undefined) !== (r.prefix === undefined), 'give exactly one of location, prefix')
      .optional(),
    /** Answer with a fixed response instead of proxying (HAProxy's `http-request return`). */
    return: z
      .strictObject({
        status: z.number().int().min(200).max(599).default(200),
        content_type: ruleHeaderValue.default('text/plain; charset=utf-8'),
        body: z.string().max(65_536).default(''),
        headers: z.record(ruleHeaderName, ruleHeaderValue).default({}),
      })
      .superRefine((answer, ctx) => {
        for (const header of Object.keys(answer.headers)) {
          if (forbiddenRuleHeader(header, RESPONSE_RULE_FORBIDDEN) || header.toLowerCase() === 'content-type') {
            ctx.addIssue({ code: 'custom', path: ['headers', header], message: 'framing headers are set by the gateway, and the type by content_type' });
          }
        }
      })
      .optional(),
    /** Answer with the stats page (HAProxy's `stats enable`/`stats uri` in a proxying frontend). */
    stats: z.literal(true, { error: 'expected true' }).optional(),
    auth: authRefSchema.optional(),
    /** Replaces the part of the path `path_prefix` matched before the request goes upstream (`/` strips it). */
    rewrite_prefix: normalisedPath.optional(),
    request_headers: requestHeaderRules.optional(),
    response_headers: responseHeaderRules.optional(),
    /** Overrides `limits.max_body_size` for this route. */
    max_body_size: byteSize.optional(),
    allow_from: addressList.optional(),
    deny_from: addressList.optional(),
    /** Replaces the frontend's cors block for this route. */
    cors: corsSchema.optional(),
    /** Replaces the frontend's compression block for this route; false: none. */
    compression: z.union([compressionSchema, z.literal(false)]).optional(),
    /** A limit of `rate_limits` for this route, replacing the frontend's; false: none. */
    rate_limit: rateLimitRefSchema.optional(),
  })
  .superRefine((route, ctx) => {
    const answers = [route.backend, route.redirect, route.return, route.stats].filter((v) => v !== undefined).length;
    if (answers !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'a route needs exactly one of backend, redirect, return, stats' });
    const answering = route.redirect !== undefined || route.return !== undefined || route.stats !== undefined;
    if (answering && route.auth !== undefined && route.auth !== false) {
      ctx.addIssue({ code: 'custom', path: ['auth'], message: 'redirect and return routes answer before authorization (stats routes too): remove auth (or set it to false)' });
    }
    if (answering && route.rate_limit !== undefined && route.rate_limit !== false) {
      ctx.addIssue({ code: 'custom', path: ['rate_limit'], message: 'redirect and return routes answer before rate limits (stats routes too): remove rate_limit (or set it to false)' });
    }
    if (route.rewrite_prefix !== undefined && route.path_prefix === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rewrite_prefix'], message: 'rewrite_prefix needs a path_prefix (the part it replaces)' });
    }
  });

export const frontendSchema = z.strictObject({
  bind: hostPortField(true),
  default_backend: name.optional(),
  auth: authRefSchema.optional(),
  routes: z.array(routeSchema).default([]),
  /** Header rules for every request of this frontend; a route's own apply after them. */
  request_headers: requestHeaderRules.optional(),
  /** Ordered rules, each applied when its `match` holds, after `request_headers` and the route's. */
  request_header_rules: requestHeaderRuleListSchema.optional(),
  response_headers: responseHeaderRules.optional(),
  /** Bodies for the gateway's own 4xx/5xx answers (HAProxy's `errorfile`), by status. */
  error_pages: z
    .record(
      z.string(),
      z
        .strictObject({
          file: z.string().min(1).optional(),
          body: z.string().max(MAX_ERROR_PAGE_BYTES).optional(),
          content_type: ruleHeaderValue.default('text/html; charset=utf-8'),
        })
        .refine((page) => (page.file === undefined) !== (page.body === undefined), 'give exactly one of file, body'),
    )
    .superRefine((pages, ctx) => {
      for (const status of Object.keys(pages)) {
        if (!/^[45]\d\d$/.test(status)) ctx.addIssue({ code: 'custom', path: [status], message: 'expected a 4xx or 5xx status' });
      }
    })
    .optional(),
  /** A request ID on every proxied request: upstream, in the response and in the access log. */
  request_id: z
    .union([
      z.literal(true),
      z.strictObject({
        header: ruleHeaderName.default('X-Request-Id'),
        /** Keep a well-formed ID the client sent (else make one). */
        trust_client: z.boolean().default(true),
      }),
    ])
    .transform((value) => (value === true ? { header: 'X-Request-Id', trust_client: true } : value))
    .optional(),
  /** CORS for every route of this frontend; a route's own block replaces it. */
  cors: corsSchema.optional(),
  /** Compression of proxied responses for every route of this frontend; a route's own block replaces it. */
  compression: compressionSchema.optional(),
  /** A limit of `rate_limits` for every proxied request of this frontend; a route's own replaces it. */
  rate_limit: rateLimitRefSchema.optional(),
  /** Source address rules for every request of this frontend; a route's own lists replace these. */
  allow_from: addressList.optional(),
  deny_from: addressList.optional(),
  /** HTTPS frontend: certificates, HTTP/2, client certificates, HSTS (src/gateway/tls). */
  tls: frontendTlsSchema.optional(),
  /** Plain-HTTP frontend answering every request with a 308 to https. */
  redirect_https: redirectHttpsSchema.optional(),
  /** Client connections open at once, per worker; one more is closed as it is accepted (HAProxy's frontend `maxconn`). */
  max_connections: z.number().int().min(1).max(1_000_000).optional(),
  /** false: every HTTP/1.x response closes its client connection (HAProxy's `option httpclose`). */
  keep_alive: z.boolean().default(true),
  /** Which HTTP/1.1 server a plain frontend runs: the gateway's own (llhttp, faster) or node:http's. */
  server: z.enum(['gatehouse', 'node']).default('gatehouse'),
});

const statusRange = z
  .union([z.number().int(), z.string().regex(/^\d{3}(-\d{3})?$/)], { error: 'expected a status like 200 or a range like 200-399' })
  .transform((v): [number, number] => {
    if (typeof v === 'number') return [v, v];
    const [lo = '', hi] = v.split('-');
    return [Number(lo), Number(hi ?? lo)];
  })
  .refine(([lo, hi]) => lo >= 100 && hi <= 599 && lo <= hi, 'expected statuses between 100 and 599');

export const checkSchema = z.strictObject({
  method: httpMethod.default(D.check.method),
  path: z.string().regex(/^\/\S*$/, 'expected a path starting with /').default(D.check.path),
  host: z.string().optional(),
  expect_status: statusRange.default(D.check.expect_status),
  interval: positiveDuration.default(D.check.interval),
  timeout: positiveDuration.default(D.check.timeout),
  rise: z.number().int().min(1).max(100).default(D.check.rise),
  fall: z.number().int().min(1).max(100).default(D.check.fall),
});

export const passiveSchema = z.strictObject({
  failures: z.number().int().min(1).max(1000).default(D.passive.failures),
  cooldown: positiveDuration.default(D.passive.cooldown),
  on_5xx: z.boolean().default(D.passive.on_5xx),
});

export const serverSchema = z.strictObject({
  address: hostPortField(false),
  weight: z.number().int().min(1).max(256).default(D.server.weight),
  /** Used only when no other server of the backend is available (HAProxy's `backup`). */
  backup: z.boolean().default(D.server.backup),
  /** The operator's state at start (the admin API changes it at run time): ready, drain or maint. */
  state: z.enum(['ready', 'drain', 'maint'], { error: 'expected ready, drain or maint' }).default(D.server.state),
});

const balanceSchema = z
  .string({ error: 'expected roundrobin, leastconn, random, source, uri or hdr(<header name>)' })
  .refine((value) => ['roundrobin', 'leastconn', 'random'].includes(value) || isHashBalance(value), 'expected roundrobin, leastconn, random, source, uri or hdr(<header name>)');

export const backendSchema = z.strictObject({
  balance: balanceSchema.default(D.backend.balance),
  /** Backups share the traffic by `balance` (HAProxy's `option allbackups`) instead of the first available one taking it. */
  all_backups: z.boolean().default(D.backend.all_backups),
  /** After a server comes back up, its weight ramps from 5 % to full over this long (HAProxy's `slowstart`). */
  slowstart: positiveDuration.optional(),
  check: checkSchema.optional(),
  passive: z.union([z.literal(false), passiveSchema]).prefault({}),
  retries: z.number().int().min(0).max(5).default(D.backend.retries),
  /** Answers that send an idempotent request without a body to another server, as a failed connection does (HAProxy's `retry-on`). */
  retry_on: z
    .array(z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504), z.literal('response-timeout')], { error: 'expected 500, 502, 503, 504 or response-timeout' }))
    .default([]),
  max_connections: z.number().int().min(1).max(65_536).default(D.backend.max_connections),
  timeouts: z
    .strictObject({ connect: positiveDuration.optional(), server: positiveDuration.optional(), queue: positiveDuration.optional() })
    .default({}),
  servers: z.record(name, serverSchema).refine((s) => Object.keys(s).length > 0, 'expected at least one server'),
  /** Ordered request header rules for requests sent to this backend, after the frontend's (HAProxy's backend `http-request set-header|add-header|del-header`). */
  request_header_rules: requestHeaderRuleListSchema.optional(),
  /** The servers speak TLS; verified against `ca` (or Node's roots) unless `verify: false`. */
  tls: backendTlsSchema.optional(),
});

export const gatewayConfigSchema = z.strictObject({
  workers: z
    .union([z.literal('auto'), z.number().int().min(1).max(256)], { error: 'expected a number of workers or auto' })
    .default(D.workers),
  /**
   * With several workers, each listens on its own socket (SO_REUSEPORT) and the kernel spreads new
   * connections; false: the primary accepts every connection and hands it to a worker (node:cluster's
   * round robin). HAProxy's `noreuseport` is `false`.
   */
  reuse_port: z.boolean().default(D.reuse_port),
  admin: z
    .strictObject({
      bind: hostPortField(true),
      /** Bearer token for the admin API's changes (server states); from the environment or a file, never inline. */
      token: z
        .strictObject({ env: z.string().min(1).optional(), file: z.string().min(1).optional() })
        .refine((t) => (t.env === undefined) !== (t.file === undefined), 'give exactly one of env, file')
        .optional(),
      /** Where server states set through the admin API are kept across restarts (HAProxy's server-state-file). */
      state_file: z.string().min(1).optional(),
    })
    .optional(),
  access_log: z.boolean().default(D.access_log),
  /** W3C trace context to upstreams and a span per request, exported over OTLP/HTTP (src/gateway/observe/tracing). */
  tracing: tracingSchema.optional(),
  trusted_proxies: z.array(cidr).default([]),
  timeouts: z
    .strictObject({
      connect: positiveDuration.default(D.timeouts.connect),
      server: positiveDuration.default(D.timeouts.server),
      queue: positiveDuration.default(D.timeouts.queue),
      client: positiveDuration.default(D.timeouts.client),
      /** Idle time of a keep-alive client connection between requests (HAProxy's `timeout http-keep-alive`); default: `client`. */
      keep_alive: positiveDuration.optional(),
      http_request: positiveDuration.default(D.timeouts.http_request),
      tunnel: positiveDuration.default(D.timeouts.tunnel),
      drain: duration.default(D.timeouts.drain),
    })
    .prefault({}),
  limits: z
    .strictObject({
      max_header_size: z.number().int().min(1_024).max(1_048_576).default(D.limits.max_header_size),
      max_url_length: z.number().int().min(64).max(1_048_576).default(D.limits.max_url_length),
      /** Largest request body; none by default (a 1 GiB upload streams through). Over it: 413. */
      max_body_size: byteSize.optional(),
      /** Request bodies up to this size are read whole before a server connection is taken (0: stream every body). */
      buffer_request_body: byteSize.default(D.limits.buffer_request_body),
      /** Forward client headers whose name holds `_` (off: dropped, logged at debug, counted; docs/security.md). */
      underscores_in_headers: z.boolean().default(D.limits.underscores_in_headers),
    })
    .prefault({}),
  /** TLS session resumption for every TLS frontend: shared, rotated ticket keys; session lifetime. */
  tls_sessions: tlsSessionsSchema.prefault({}),
  auth: z.record(name, authPolicySchema).default({}),
  /** Named request rate limits (src/gateway/limit), used by frontends and routes with `rate_limit`. */
  rate_limits: z.record(name, rateLimitSchema).default({}),
  /** The Redis that limits with `store: redis` share with every worker and gateway instance. */
  redis: redisSchema.optional(),
  /** The IdP's feed of revoked users and tokens (src/gateway/auth/revocation), read from `redis:`; every policy applies it unless it says `revocation: false`. */
  revocation: revocationSchema.optional(),
  frontends: z.record(name, frontendSchema).refine((f) => Object.keys(f).length > 0, 'expected at least one frontend'),
  backends: z.record(name, backendSchema).default({}),
});

export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type ParsedGatewayConfig = z.output<typeof gatewayConfigSchema>;
export type FrontendConfig = z.output<typeof frontendSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type BackendConfig = z.output<typeof backendSchema>;
export type ServerConfig = z.output<typeof serverSchema>;
export type CheckConfig = z.output<typeof checkSchema>;
export type PassiveConfig = z.output<typeof passiveSchema>;
export type AuthRef = z.output<typeof authRefSchema>;
