export { UpstreamPool } from './pool.js';
export { probe } from './probe.js';
export { isIdempotent } from './request-head.js';
export type { PoolOptions, UpstreamHandler, UpstreamRequest } from './types.js';
