export { rateLimitSchema, rateLimitRefSchema, redisSchema, type RateLimitConfig, type RedisConfig } from './schema.js';
export { RATE_LIMIT_HEADERS, RateLimiter, type LimitVerdict, type LimiterMetrics, type RateLimitHeaders } from './limiter.js';
export { LocalStore } from './local-store.js';
export { RedisStore } from './redis-store.js';
export { SharedRedis } from './redis-client.js';
export type { RateStore } from './store.js';
export { limitKeyValue, parseLimitKey, type LimitKey } from './key.js';
export { decide, retryAfter, windowOf } from './window.js';
