/**
 * Config of rate limits (`rate_limits:`) and of the Redis server they may share (`redis:`). A frontend
 * or route names a limit with `rate_limit: <name>` (HAProxy users: a stick table tracking
 * `sc_http_req_rate`, with `http-request deny deny_status 429`).
 */
import { z } from 'zod';
import { durationField, hostPortField } from '../config/fields.js';
import { parseLimitKey } from './key.js';

const duration = (min: number, max: number, what: string) => durationField('expected a duration like 100ms, 1s, 1m', { min, max, what });

export const rateLimitSchema = z.strictObject({
  /** Requests admitted per `period` for each key. */
  requests: z.number().int().min(1).max(1_000_000_000),
  period: duration(1_000, 86_400_000, 'from 1s to 24h'),
  key: z
    .string({ error: 'expected source, header(<name>) or subject' })
    .transform((text, ctx) => {
      const key = parseLimitKey(text);
      if (key === undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected source, header(<name>) or subject' });
        return z.NEVER;
      }
      return key;
    })
    .default({ kind: 'source' }),
  /** `local`: counted in this process (one worker); `redis`: shared by every worker and instance using the same Redis. */
  store: z.enum(['local', 'redis'], { error: 'expected local or redis' }).default('local'),
  /** When Redis cannot answer in time: `allow` the request (default) or `deny` it with 503. */
  on_store_error: z.enum(['allow', 'deny'], { error: 'expected allow or deny' }).default('allow'),
  /** RateLimit-Limit, -Remaining and -Reset on every response of a limited request (and on the 429). */
  headers: z.boolean().default(false),
  /** Local store: most keys tracked at once; beyond it the least recently seen key is forgotten. */
  max_keys: z.number().int().min(1).max(10_000_000).default(100_000),
});

export const redisSchema = z.strictObject({
  address: hostPortField(false),
  db: z.number().int().min(0).max(255).default(0),
  username: z.string().min(1).optional(),
  /** From the environment or a file, never inline (it would end up in backups and diffs of the config). */
  password: z
    .strictObject({ env: z.string().min(1).optional(), file: z.string().min(1).optional() })
    .refine((p) => (p.env === undefined) !== (p.file === undefined), 'give exactly one of env, file')
    .optional(),
  /** Prefix of every key the gateway writes, so several gateways (or other apps) can share a Redis. */
  key_prefix: z.string().max(64).regex(/^[!-~]*$/, 'expected visible ASCII without spaces').default('gatehouse:'),
  /** How long a request waits for Redis before `on_store_error` applies. */
  timeout: duration(1, 10_000, 'from 1ms to 10s').default(100),
});

export type RateLimitConfig = z.output<typeof rateLimitSchema>;
export type RedisConfig = z.output<typeof redisSchema>;

/** `rate_limit:` on a frontend or route: a limit's name, or false for none (a route opting out of its frontend's). */
export const rateLimitRefSchema = z.union([z.string(), z.literal(false)], { error: 'expected a rate limit name, or false' });
