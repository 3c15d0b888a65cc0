export { GatewayMetrics, TargetMetrics, type ServerSnapshot } from './metrics.js';
export { createAccessLog, noAccessLog, type AccessLog, type AccessRecord } from './access-log.js';
