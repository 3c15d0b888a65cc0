/**
 * A generation is everything built from one config load: auth policies, backends (servers, pools,
 * balancers, health checks) and each frontend's compiled route table. Reload builds a new generation,
 * swaps it in, and closes the old one once its in-flight requests are done.
 */
import { createAuthPolicy, type AuthPolicy, type AuthPolicyConfig, type AuthPolicyContext, type RouteRequirements } from '../auth/index.js';
import { createBalancer, hashOn, type Balancer, type HashOn } from '../balance/index.js';
import { ipInRanges, type AuthRef, type Cidr, type GatewayConfig, type RouteConfig } from '../config/index.js';
import { compileHeaderRules, type HeaderRules } from '../forward/header-rules.js';
import { compileOrderedRules, type OrderedHeaderRule } from '../forward/ordered-header-rules.js';
import { clientHeaderScreen, DroppedHeaders, requestHeaderRules, type RequestHeaderRules } from '../forward/client-headers.js';
import type { RequestIdConfig } from '../forward/request-id.js';
import type { RequestHeaderRuleConfig } from '../config/match-schema.js';
import { compileCors, type CorsPolicy } from '../forward/cors.js';
import { compileCompression, type CompressionPolicy } from '../forward/compression.js';
import type { RouteAnswer } from '../listen/route-answer.js';
import { loadErrorPages, type ErrorPages } from '../listen/error-pages.js';
import { compileSourceRules, type SourceRules } from '../listen/source-rules.js';
import { ActiveChecker, backendServers, inheritHealth, type AdminState, type PassiveDown, type ServerAdminState, type ServerHealth, type UpstreamServer } from '../health/index.js';
import type { AccessLog, GatewayMetrics, ServerSnapshot, TargetMetrics } from '../observe/index.js';
import { noTracing, type Tracing } from '../observe/tracing/tracing.js';
import { admissionGuard, compileMatch, Router, type RouteSpec } from '../route/index.js';
import { LocalStore, RateLimiter, RedisStore, SharedRedis } from '../limit/index.js';
import { RevocationFeed } from '../auth/revocation/index.js';
import { limitLayoutProblems, limitsInUse } from '../limit/usage.js';
import type { Logger } from '../../shared/logger.js';
import { hstsHeaderValue, redirectPort } from '../tls/https-redirect.js';

export interface BackendRuntime {
  readonly name: string;
  readonly servers: readonly UpstreamServer[];
  readonly balancer: Balancer;
  /** What the balancer hashes (`balance: source | uri | hdr(name)`), else undefined. */
  readonly hashOn: HashOn | undefined;
  readonly retries: number;
  /** `retry_on`: statuses that send a retryable request to another server, and whether a response timeout does. */
  readonly retryStatuses: ReadonlySet<number>;
  readonly retryOnResponseTimeout: boolean;
}

export interface RouteTarget {
  readonly frontend: string;
  /** `routes[2]` or `default`, for the access log. */
  readonly label: string;
  readonly backend: BackendRuntime;
  readonly policy: AuthPolicy | undefined;
  readonly requirements: RouteRequirements | undefined;
  readonly metrics: TargetMetrics;
  /** The route's `rewrite_prefix`: `from` (its path_prefix) becomes `to` upstream. */
  readonly rewrite: { readonly from: string; readonly to: string } | undefined;
  /** Header rules of the frontend and the route, compiled, with the client header screen (forward/client-headers.ts). */
  readonly requestHeaders: RequestHeaderRules;
  /** `request_header_rules` of the frontend, then of the backend, compiled (undefined: none). */
  readonly orderedRequestHeaders: readonly OrderedHeaderRule[] | undefined;
  /** Response header rules of the frontend and the route, compiled (undefined: none). */
  readonly responseHeaders: HeaderRules | undefined;
  /** Largest request body in bytes (the route's `max_body_size`, else `limits.max_body_size`); undefined: no limit. */
  readonly maxBodyBytes: number | undefined;
  /** Source address rules of the route or its frontend (undefined: every address may pass). */
  readonly source: SourceRules | undefined;
  /** CORS of the route or its frontend (undefined: none). */
  readonly cors: CorsPolicy | undefined;
  /** The route's or its frontend's rate limit (undefined: none). */
  readonly rateLimit: RateLimiter | undefined;
  /** Response compression of the route or its frontend (undefined: none). */
  readonly compression: CompressionPolicy | undefined;
}

/** A route that answers itself (`redirect`, `return`) instead of proxying to a backend. */
export interface AnswerTarget {
  readonly frontend: string;
  readonly label: string;
  readonly answer: RouteAnswer;
  readonly source: SourceRules | undefined;
}

export interface FrontendRuntime {
  readonly name: string;
  readonly router: Router<RouteTarget | AnswerTarget>;
  readonly generation: Generation;
  readonly maxUrlLength: number;
  /** Metrics for requests refused before routing (400, 404, 414). */
  readonly unroutedMetrics: TargetMetrics;
  /** TLS frontend (X-Forwarded-Proto https). */
  readonly tls: boolean;
  /** Strict-Transport-Security value for a TLS frontend's responses. */
  readonly hsts: string | undefined;
  /** The https port a plain frontend redirects every request to. */
  readonly redirectHttpsPort: number | undefined;
  /** Header carrying the verified client certificate's subject (mTLS). */
  readonly clientSubjectHeader: string | undefined;
  /** `error_pages`: bodies for the gateway's own answers, by status (undefined: the plain-text defaults). */
  readonly errorPages: ErrorPages | undefined;
  /** `request_id`: the header an ID goes in (undefined: no request IDs). */
  readonly requestId: RequestIdConfig | undefined;
  /** `keep_alive: false`: each HTTP/1.x response closes its connection. */
  readonly keepAlive: boolean;
}

export type AuthPolicyFactory = (name: string, config: AuthPolicyConfig, context: AuthPolicyContext) => Promise<AuthPolicy>;

export interface GenerationContext {
  /** Builds each named policy of the config's `auth:` map; defaults to JWT authorization's createAuthPolicy. */
  readonly createPolicy?: AuthPolicyFactory;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly accessLog: AccessLog;
  /** The config's `tracing:` (createTracing); absent: `noTracing`. The generation shuts it down when it closes. */
  readonly tracing?: Tracing;
  /**
   * Run the active health checks here (default). A cluster worker passes false: the primary checks
   * each server once for all workers and sends the verdicts (`applyHealth`).
   */
  readonly activeChecks?: boolean;
  /** Cluster worker: a server this worker's passive checks took out, to tell the other workers. */
  readonly onPassiveDown?: (down: PassiveDown) => void;
}

export class Generation {
  readonly config: GatewayConfig;
  readonly context: GenerationContext;
  readonly frontends = new Map<string, FrontendRuntime>();
  readonly backends = new Map<string, BackendRuntime>();
  readonly policies: ReadonlyMap<string, AuthPolicy>;
  /** Rate limits in use, by name, and the Redis connection they share (if any uses `store: redis`). */
  readonly limiters: ReadonlyMap<string, RateLimiter>;
  private readonly redis: SharedRedis | undefined;
  readonly trustedProxies: readonly Cidr[];
  /** Spans of this generation's requests (`noTracing` without `tracing:`). */
  readonly tracing: Tracing;
  /** Active checkers by backend name. */
  private readonly checkers = new Map<string, ActiveChecker>();
  /** Requests and tunnels that started on this generation and have not finished yet. */
  active = 0;

  /** The revocation feed of `revocation:` (its list is shared by every policy of this generation). */
  private readonly revocationFeed: RevocationFeed | undefined;

  constructor(config: GatewayConfig, context: GenerationContext, policies: ReadonlyMap<string, AuthPolicy>, limits: { limiters: ReadonlyMap<string, RateLimiter>; redis: SharedRedis | undefined } = { limiters: new Map(), redis: undefined }, revocationFeed?: RevocationFeed) {
    this.config = config;
    this.revocationFeed = revocationFeed;
    this.context = context;
    this.policies = policies;
    this.limiters = limits.limiters;
    this.redis = limits.redis;
    this.trustedProxies = config.trusted_proxies;
    this.tracing = context.tracing ?? noTracing;
    const { logger, metrics } = context;
    for (const [name, backend] of Object.entries(config.backends)) {
      const servers = backendServers(config, name, logger, noop);
      if (context.onPassiveDown !== undefined) for (const server of servers) server.onPassiveDown = context.onPassiveDown;
      const balancer = createBalancer(backend.balance, servers, { isBackup: (server) => backend.servers[server.name]?.backup === true, allBackups: backend.all_backups });
      this.backends.set(name, {
        name,
        servers,
        balancer,
        hashOn: hashOn(backend.balance),
        retries: backend.retries,
        retryStatuses: new Set(backend.retry_on.filter((r): r is 500 | 502 | 503 | 504 => typeof r === 'number')),
        retryOnResponseTimeout: backend.retry_on.includes('response-timeout'),
      });
      if (backend.check !== undefined && context.activeChecks !== false) this.checkers.set(name, new ActiveChecker(backend.check, servers));
    }
    // client copies of every header any policy forwards are removed on every route of every frontend
    const screen = clientHeaderScreen(config, policies);
    for (const [name, frontend] of Object.entries(config.frontends)) {
      const dropped = new DroppedHeaders(name, logger, metrics.registry);
      const target = (backendName: string, label: string, ref: AuthRef | undefined, route?: RouteConfig): RouteTarget => {
        const effective = ref === undefined ? frontend.auth : ref;
        const limit = route?.rate_limit === undefined ? frontend.rate_limit : route.rate_limit;
        const policyName = effective === undefined || effective === false ? undefined : typeof effective === 'string' ? effective : effective.policy;
        const requirements = effective !== undefined && effective !== false && typeof effective !== 'string' ? { roles: effective.roles, scopes: effective.scopes } : undefined;
        return {
          frontend: name,
          label,
          backend: this.backends.get(backendName) as BackendRuntime,
          policy: policyName === undefined ? undefined : policies.get(policyName),
          requirements,
          metrics: metrics.target(name, backendName),
          rewrite: route?.rewrite_prefix === undefined || route.path_prefix === undefined ? undefined : { from: route.path_prefix, to: route.rewrite_prefix },
          requestHeaders: requestHeaderRules(compileHeaderRules(frontend.request_headers, route?.request_headers), screen, dropped),
          orderedRequestHeaders: ordered(frontend.request_header_rules, config.backends[backendName]?.request_header_rules),
          responseHeaders: compileHeaderRules(frontend.response_headers, route?.response_headers),
          maxBodyBytes: route?.max_body_size ?? config.limits.max_body_size,
          source: compileSourceRules(frontend, route),
          cors: compileCors(frontend.cors, route?.cors),
          rateLimit: limit === undefined || limit === false ? undefined : this.limiters.get(limit),
          compression: compileCompression(frontend.compression, route?.compression),
        };
      };
      const answer = (route: RouteConfig, label: string): AnswerTarget => ({
        frontend: name,
        label,
        answer: route.stats === true
          ? { kind: 'stats', status: 200 }
          : route.redirect !== undefined
          ? { kind: 'redirect', status: route.redirect.code, location: route.redirect.location, prefix: route.redirect.prefix }
          : { kind: 'return', status: route.return!.status, contentType: route.return!.content_type, body: route.return!.body, headers: Object.entries(route.return!.headers) },
        source: compileSourceRules(frontend, route),
      });
      const specs: RouteSpec<RouteTarget | AnswerTarget>[] = frontend.routes.map((route, i) => {
        const routed = route.backend === undefined ? answer(route, `routes[${i}]`) : target(route.backend, `routes[${i}]`, route.auth, route);
        return { host: route.host, path_prefix: route.path_prefix, methods: route.methods, when: route.match === undefined ? undefined : compileMatch(route.match), target: routed, guard: admissionGuard(routed) };
      });
      const fallback = frontend.default_backend === undefined ? undefined : target(frontend.default_backend, 'default', undefined);
      this.frontends.set(name, {
        name,
        router: new Router(specs, fallback, fallback === undefined ? undefined : admissionGuard(fallback)),
        generation: this,
        maxUrlLength: config.limits.max_url_length,
        unroutedMetrics: metrics.target(name, ''),
        tls: frontend.tls !== undefined,
        hsts: hstsHeaderValue(frontend.tls?.hsts),
        redirectHttpsPort: frontend.redirect_https === undefined ? undefined : redirectPort(frontend.redirect_https),
        clientSubjectHeader: frontend.tls?.client_certificates?.subject_header,
        errorPages: loadErrorPages(name, frontend.error_pages, config.baseDir),
        keepAlive: frontend.keep_alive,
        requestId: frontend.request_id === undefined ? undefined : { header: frontend.request_id.header, lower: frontend.request_id.header.toLowerCase(), trustClient: frontend.request_id.trust_client },
      });
    }
  }

  /** Cached per connection by the caller: is this client address a trusted proxy? */
  isTrustedProxy(address: string | undefined): boolean {
    return address !== undefined && this.trustedProxies.length > 0 && ipInRanges(address, this.trustedProxies);
  }

  startChecks(): void {
    for (const checker of this.checkers.values()) checker.start();
  }

  stopChecks(): void {
    for (const checker of this.checkers.values()) checker.stop();
  }

  /**
   * Reload, just before the swap: every unchanged server (same backend, name and address) keeps its
   * health from `previous` — a server that was down stays down, one half-way to `fall` stays half-way.
   */
  inheritHealth(previous: Generation): void {
    for (const backend of this.backends.values()) {
      const old = previous.backends.get(backend.name);
      if (old === undefined) continue;
      const checked = this.config.backends[backend.name]?.check !== undefined && previous.config.backends[backend.name]?.check !== undefined;
      const stateChanged = (server: UpstreamServer) =>
        this.config.backends[backend.name]?.servers[server.name]?.state !== previous.config.backends[backend.name]?.servers[server.name]?.state;
      inheritHealth(backend.servers, old.servers, checked, stateChanged);
      const checker = this.checkers.get(backend.name);
      const oldChecker = previous.checkers.get(backend.name);
      if (checker !== undefined && oldChecker !== undefined) checker.inheritCounters(oldChecker);
    }
  }

  /** Reload, just before the swap: a local limit whose counting rules did not change keeps its counters. */
  inheritLimits(previous: Generation): void {
    for (const [name, limiter] of this.limiters) {
      const old = previous.limiters.get(name);
      if (old !== undefined) limiter.adoptCounters(old);
    }
  }

  /** The operator's state for a server (admin API); false when there is no such server. */
  setAdminState(backend: string, server: string, state: AdminState, quiet = false): boolean {
    const target = this.backends.get(backend)?.servers.find((s) => s.name === server);
    target?.setAdminState(state, quiet);
    return target !== undefined;
  }

  /** Every server's operator state (for the server state file). */
  adminStates(): ServerAdminState[] {
    const out: ServerAdminState[] = [];
    for (const backend of this.backends.values()) for (const s of backend.servers) out.push({ backend: backend.name, server: s.name, state: s.adminState });
    return out;
  }

  /** Cluster worker: operator states set through the primary's admin API (logged there, debug here). */
  applyAdminStates(states: readonly ServerAdminState[]): void {
    for (const entry of states) this.setAdminState(entry.backend, entry.server, entry.state, true);
  }

  /** Cluster worker: the primary's active-check verdicts. A state for a server this generation does not have is ignored. */
  applyHealth(states: readonly ServerHealth[]): void {
    for (const state of states) {
      if (this.config.backends[state.backend]?.check === undefined) continue;
      const server = this.backends.get(state.backend)?.servers.find((s) => s.sameServer({ backend: state.backend, name: state.server, host: state.host, port: state.port }));
      server?.setActive(state.up, state.reason, true);
    }
  }

  /** Cluster worker: passive verdicts of other workers. A server this generation does not have is ignored. */
  applyPassiveDowns(downs: readonly PassiveDown[]): void {
    for (const down of downs) {
      const server = this.backends.get(down.backend)?.servers.find((s) => s.sameServer({ backend: down.backend, name: down.server, host: down.host, port: down.port }));
      server?.applyPassiveDown(down.until, down.reason);
    }
  }

  serverSnapshots(): ServerSnapshot[] {
    const out: ServerSnapshot[] = [];
    for (const backend of this.backends.values()) {
      for (const s of backend.servers) out.push({ backend: backend.name, server: s.name, up: s.available, inflight: s.inflight });
    }
    return out;
  }

  /**
   * After a reload swapped this generation out: health checks stop now; pools and policies close once
   * every request that started on this generation has finished (one may still be waiting for an async
   * auth decision, or about to retry on another server), or after `maxWaitMs`.
   */
  async retire(maxWaitMs: number): Promise<void> {
    this.stopChecks();
    const deadline = Date.now() + maxWaitMs;
    while (this.active > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await this.close();
  }

  /** Stops checks at once; pools close after their in-flight requests; then the auth policies close. */
  async close(): Promise<void> {
    this.stopChecks();
    const closing: Promise<void>[] = [];
    for (const backend of this.backends.values()) for (const server of backend.servers) closing.push(server.close());
    await Promise.all(closing);
    for (const policy of this.policies.values()) {
      try {
        policy.close();
      } catch {
        // a policy that fails to close must not stop the others
      }
    }
    await this.redis?.close();
    await this.revocationFeed?.close();
    await shutdownTracing(this.tracing, this.context.logger);
  }
}

/** The spans still queued are exported before the generation is gone; a failure is logged, never thrown. */
async function shutdownTracing(tracing: Tracing, logger: Logger): Promise<void> {
  try {
    await tracing.shutdown();
  } catch (error) {
    logger.warn({ err: { message: (error as Error)?.message } }, 'tracing: the last spans could not be exported');
  }
}

function noop(): void {}

function ordered(...lists: ReadonlyArray<readonly RequestHeaderRuleConfig[] | undefined>): OrderedHeaderRule[] | undefined {
  const rules = lists.flatMap((list) => list ?? []);
  return rules.length === 0 ? undefined : compileOrderedRules(rules);
}

/** How long a start or reload waits for Redis before it goes on (requests then follow `on_store_error`). */
const REDIS_CONNECT_WAIT_MS = 2_000;

/** The rate limits a config uses, with their stores; connects to Redis if one of them needs it. */
async function buildLimiters(config: GatewayConfig, context: GenerationContext): Promise<{ limiters: Map<string, RateLimiter>; redis: SharedRedis | undefined }> {
  // a cluster worker: the primary checked the config's own `workers`, but a reload or --workers may differ
  const workers = Number(process.env.GATEHOUSE_CLUSTER_WORKERS ?? 1);
  const problems = limitLayoutProblems(config, workers);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const used = limitsInUse(config);
  const limiters = new Map<string, RateLimiter>();
  let redis: SharedRedis | undefined;
  for (const name of used) {
    const limit = config.rate_limits[name];
    if (limit === undefined) continue;
    let store: LocalStore | RedisStore;
    if (limit.store === 'redis') {
      redis ??= new SharedRedis(config.redis!, config.baseDir, context.logger);
      store = new RedisStore(redis.client, redis.keyPrefix, name, limit.requests, limit.period);
    } else store = new LocalStore(limit.requests, limit.period, limit.max_keys);
    limiters.set(name, new RateLimiter(name, limit, store, { storeErrors: context.metrics.rateLimitStoreErrors }, context.logger));
  }
  await redis?.connect(REDIS_CONNECT_WAIT_MS);
  return { limiters, redis };
}

/** Builds the auth policies of a config (async: key files, JWKS) and its rate limits, then the generation. */
export async function buildGeneration(config: GatewayConfig, context: GenerationContext): Promise<Generation> {
  const policies = new Map<string, AuthPolicy>();
  // the feed starts reading now and is given until the policies and limits are built to catch up
  const feed = config.revocation === undefined ? undefined : new RevocationFeed(config.revocation, config.redis!, config.baseDir, context.logger);
  try {
    for (const [name, policyConfig] of Object.entries(config.auth)) {
      const policyContext = { baseDir: config.baseDir, logger: context.logger, ...(feed === undefined ? {} : { revocations: feed.list }) };
      policies.set(name, await (context.createPolicy ?? createAuthPolicy)(name, policyConfig, policyContext));
    }
    const limits = await buildLimiters(config, context);
    await feed?.ready(REDIS_CONNECT_WAIT_MS);
    return new Generation(config, context, policies, limits, feed);
  } catch (error) {
    for (const policy of policies.values()) policy.close();
    if (context.tracing !== undefined) await shutdownTracing(context.tracing, context.logger);
    await feed?.close();
    throw error;
  }
}
