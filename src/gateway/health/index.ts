export { UpstreamServer, type PoolSettings, type ServerStateListener } from './upstream-server.js';
export { ActiveChecker } from './active-check.js';
