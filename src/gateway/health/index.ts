export { UpstreamServer, ADMIN_STATES, type AdminState, type PassiveDown, type PoolSettings, type ServerStateListener } from './upstream-server.js';
export { ActiveChecker } from './active-check.js';
export { backendServers, inheritHealth } from './backend-servers.js';
export { SharedHealthChecks, type ServerHealth, type ServerAdminState } from './shared-checks.js';
