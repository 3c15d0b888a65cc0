/**
 * Which client request headers may reach an upstream, decided once per config generation and kept as
 * one lookup per route (`RequestHeaderRules.skip`), so the per-request loop in headers.ts does one map
 * read per header name:
 *
 * - hop-by-hop and X-Forwarded-* headers (re-added by the gateway where needed);
 * - every header the gateway itself sets from authorization — every claim header of every auth policy
 *   and every frontend's client-certificate subject header — on every route of every frontend, with auth
 *   or without (jwt-attacks I11: a backend trusts `X-User-Id`; a client copy on an `auth: false` route
 *   must not reach it);
 * - the route's and frontend's `request_headers` names.
 *
 * Names are compared normalised: lower case with `_` read as `-`, the way CGI, WSGI and PHP stacks read
 * them (`X_User_Id` is their `HTTP_X_USER_ID`, as is `X-User-Id`). A client header whose name holds `_`
 * is dropped unless `limits.underscores_in_headers` (nginx's `underscores_in_headers off`); when allowed,
 * it still never reaches an upstream if its normalised name is one of the above. Drops of `_` names and of
 * client copies of claim headers are logged at debug (the name, never the value) and counted in
 * `gatehouse_request_headers_dropped_total{frontend,reason}`.
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../shared/logger.js';
import type { AuthPolicy } from '../auth/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { HeaderRules } from './header-rules.js';

/** Why a client header never goes upstream: a hop-by-hop or gateway-owned header, a claim header, a header rule. */
export const SKIP_HOP = 1;
export const SKIP_CLAIM = 2;
export const SKIP_RULE = 3;
export type SkipKind = typeof SKIP_HOP | typeof SKIP_CLAIM | typeof SKIP_RULE;

/** Lower-case names never copied from the client to the upstream (re-added in headers.ts where needed). */
const HOP_AND_FORWARDED = [
  'connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'http2-settings',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded',
];

const UNDERSCORES = /_/g;

/** A header name as CGI-style stacks read it: lower case, `_` as `-`. */
export function normaliseHeaderName(name: string): string {
  const lower = name.toLowerCase();
  return lower.includes('_') ? lower.replace(UNDERSCORES, '-') : lower;
}

const METRIC = 'gatehouse_request_headers_dropped_total';

/** Counts and logs (debug: the name, never the value) client headers dropped by name, for one frontend. */
export class DroppedHeaders {
  private readonly underscoreCount: { inc(): void } | undefined;
  private readonly claimCount: { inc(): void } | undefined;

  constructor(private readonly frontend: string, private readonly logger: Logger | undefined, registry: Registry | undefined) {
    const counter = registry === undefined ? undefined : droppedCounter(registry);
    this.underscoreCount = counter?.labels(frontend, 'underscore');
    this.claimCount = counter?.labels(frontend, 'forwarded_claim');
  }

  underscore(name: string): void {
    this.underscoreCount?.inc();
    this.log(name, 'underscore');
  }

  claim(name: string): void {
    this.claimCount?.inc();
    this.log(name, 'forwarded_claim');
  }

  private log(header: string, reason: string): void {
    if (this.logger?.isLevelEnabled('debug') === true) this.logger.debug({ frontend: this.frontend, header, reason }, 'client request header dropped');
  }
}

/** One counter per registry, shared by every generation (a reload builds new DroppedHeaders on the same counter). */
function droppedCounter(registry: Registry): Counter<'frontend' | 'reason'> {
  const existing = registry.getSingleMetric(METRIC) as Counter<'frontend' | 'reason'> | undefined;
  return existing ?? new Counter({
    name: METRIC,
    help: 'Client request headers dropped by name: `_` in the name (limits.underscores_in_headers off), or a copy of a header the gateway sets from authorization',
    labelNames: ['frontend', 'reason'],
    registers: [registry],
  });
}

/** The compiled header rules of a route plus how client headers are screened (see the file comment). */
export interface RequestHeaderRules extends HeaderRules {
  /** Normalised name → why a client copy is not forwarded. */
  readonly skip: ReadonlyMap<string, SkipKind>;
  /** `limits.underscores_in_headers`. */
  readonly underscores: boolean;
  readonly dropped: DroppedHeaders;
}

/** Per generation: the names the gateway sets from authorization, and the underscore setting. */
export interface ClientHeaderScreen {
  readonly base: ReadonlyMap<string, SkipKind>;
  readonly underscores: boolean;
}

const NO_RULES: HeaderRules = Object.freeze({ drop: Object.freeze([]) as readonly string[], set: Object.freeze([]) as ReadonlyArray<readonly [string, string]> });

/**
 * Every header name any policy forwards (from the config and from each built policy) and every frontend's
 * client-certificate subject header, with the hop-by-hop names: the part of the lookup every route shares.
 */
export function clientHeaderScreen(config: GatewayConfig, policies: ReadonlyMap<string, AuthPolicy>): ClientHeaderScreen {
  const base = new Map<string, SkipKind>();
  for (const name of HOP_AND_FORWARDED) base.set(name, SKIP_HOP);
  const claim = (name: string) => {
    const key = normaliseHeaderName(name);
    if (!base.has(key)) base.set(key, SKIP_CLAIM);
  };
  for (const policy of Object.values(config.auth)) for (const name of Object.keys(policy.forward.headers)) claim(name);
  for (const policy of policies.values()) for (const name of policy.forwardedHeaders ?? []) claim(name);
  for (const frontend of Object.values(config.frontends)) {
    const subject = frontend.tls?.client_certificates?.subject_header;
    if (subject !== undefined) claim(subject);
  }
  return { base, underscores: config.limits.underscores_in_headers };
}

/** A route's lookup: the shared one plus its own `request_headers` names (the same object when it has none). */
export function requestHeaderRules(rules: HeaderRules | undefined, screen: ClientHeaderScreen, dropped: DroppedHeaders): RequestHeaderRules {
  let skip = screen.base;
  if (rules !== undefined && rules.drop.length > 0) {
    const own = new Map(screen.base);
    for (const name of rules.drop) {
      const key = normaliseHeaderName(name);
      if (!own.has(key)) own.set(key, SKIP_RULE);
    }
    skip = own;
  }
  const { drop, set } = rules ?? NO_RULES;
  return { drop, set, skip, underscores: screen.underscores, dropped };
}

/** For a caller without a generation (none today): hop-by-hop names only, `_` names dropped, nothing counted. */
export const DEFAULT_REQUEST_HEADER_RULES: RequestHeaderRules = Object.freeze(
  requestHeaderRules(undefined, { base: new Map(HOP_AND_FORWARDED.map((n) => [n, SKIP_HOP] as const)), underscores: false }, new DroppedHeaders('', undefined, undefined)),
);
