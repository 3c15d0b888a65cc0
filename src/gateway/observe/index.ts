export { GatewayMetrics, type ServerSnapshot } from './metrics.js';
export { TargetMetrics, LATENCY_BUCKETS } from './request-metrics.js';
export { createAccessLog, noAccessLog, type AccessLog, type AccessRecord } from './access-log.js';
export { BatchedLineWriter } from './line-writer.js';
export { startLoopStats, LOOP_STATS_ENV, type LoopStats, type LoopWindow } from './loop-stats.js';
