/**
 * Which limits a config uses, and where: a limit is in use when a frontend or route names it (a
 * route's `rate_limit` replaces its frontend's; false means none).
 */
import type { RateLimitConfig } from './schema.js';

interface UsageConfig {
  readonly rate_limits: Readonly<Record<string, RateLimitConfig>>;
  readonly frontends: Readonly<Record<string, { readonly rate_limit?: string | false; readonly routes: readonly { readonly rate_limit?: string | false; readonly backend?: string }[] }>>;
}

/** Names of the limits in use. */
export function limitsInUse(config: UsageConfig): Set<string> {
  const used = new Set<string>();
  for (const frontend of Object.values(config.frontends)) {
    if (typeof frontend.rate_limit === 'string') used.add(frontend.rate_limit);
    for (const route of frontend.routes) if (typeof route.rate_limit === 'string') used.add(route.rate_limit);
  }
  return used;
}

/**
 * Problems of limits with the process layout: `store: redis` needs `redis:`, and `store: local` counts
 * in one process, so it would let each of several workers admit the whole limit.
 */
export function limitLayoutProblems(config: UsageConfig & { readonly redis?: unknown }, workers: number): string[] {
  const problems: string[] = [];
  for (const name of limitsInUse(config)) {
    const limit = config.rate_limits[name];
    if (limit === undefined) continue;
    if (limit.store === 'redis' && config.redis === undefined) problems.push(`rate_limits.${name}.store: redis needs a redis: section (address, ...)`);
    if (limit.store === 'local' && workers > 1) {
      problems.push(`rate_limits.${name}.store: local counts in each process, so ${workers} workers would admit ${workers}× the limit; use store: redis (or one worker)`);
    }
  }
  return problems;
}
