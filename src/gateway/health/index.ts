export { UpstreamServer, type PoolSettings, type ServerStateListener } from './upstream-server.js';
export { ActiveChecker } from './active-check.js';
export { backendServers, inheritHealth } from './backend-servers.js';
export { SharedHealthChecks, type ServerHealth } from './shared-checks.js';
