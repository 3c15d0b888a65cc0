/**
 * The gateway: listen → route → authorize (./auth) → balance → forward.
 * This is the module's public surface; everything else is internal.
 */
export { loadGatewayConfig, parseGatewayConfig, GATEWAY_DEFAULTS, type GatewayConfig } from './config/index.js';
export { startGateway, runCluster, type StartGatewayOptions, type RunningGateway, type BoundAddress, type ClusterOptions, type AuthPolicyFactory } from './runtime/index.js';
export { renderStatsPage, escapeHtml, type StatsSnapshot } from './admin/index.js';
export { normalizePath } from './route/index.js';
