/**
 * Counters in Redis, shared by every worker and every gateway instance that uses the same Redis and
 * key prefix. One script per request reads both windows' counts and counts the request if the limit
 * admits it, atomically, on Redis's clock (so instances whose clocks differ still agree on windows).
 * Keys are `<prefix>rl:<limit>:<key>:<window>` and expire after two periods.
 *
 * A plain (non-cluster) Redis: the window keys are built inside the script.
 */
import type { Redis } from 'ioredis';
import type { RateStore } from './store.js';
import { decide, type WindowVerdict } from './window.js';

const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local requests = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local index = math.floor(now / period)
local elapsed = now - index * period
local key = KEYS[1] .. ':' .. string.format('%d', index)
local current = tonumber(redis.call('GET', key) or '0')
local previous = tonumber(redis.call('GET', KEYS[1] .. ':' .. string.format('%d', index - 1)) or '0')
if previous * ((period - elapsed) / period) + current + 1 <= requests then
  redis.call('INCR', key)
  redis.call('PEXPIRE', key, period * 2)
  return {1, current, previous, elapsed}
end
return {0, current, previous, elapsed}
`;

type HitCommand = (key: string, requests: number, period: number) => Promise<[number, number, number, number]>;

const COMMAND = 'gatehouseRateHit';

export class RedisStore implements RateStore {
  private readonly command: HitCommand;
  private readonly prefix: string;

  constructor(
    client: Redis,
    keyPrefix: string,
    limitName: string,
    private readonly requests: number,
    private readonly period: number,
  ) {
    const commands = client as unknown as Record<string, HitCommand | undefined>;
    if (commands[COMMAND] === undefined) client.defineCommand(COMMAND, { numberOfKeys: 1, lua: SCRIPT });
    this.command = (commands[COMMAND] as HitCommand).bind(client);
    this.prefix = `${keyPrefix}rl:${limitName}:`;
  }

  async hit(key: string): Promise<WindowVerdict> {
    const [allowed, current, previous, elapsed] = await this.command(this.prefix + key, this.requests, this.period);
    // the same arithmetic in double precision on both sides, so Redis's decision and this one agree;
    // Redis's counted the request, so it is the one that stands
    const verdict = decide({ previous, current }, elapsed, this.period, this.requests);
    if ((allowed === 1) === verdict.allowed) return verdict;
    return { ...verdict, allowed: allowed === 1, retryAfterMs: allowed === 1 ? 0 : 1_000 };
  }
}
