export { startGateway, type StartGatewayOptions, type RunningGateway, type BoundAddress } from './gateway.js';
export { Generation, buildGeneration, type RouteTarget, type FrontendRuntime, type BackendRuntime, type AuthPolicyFactory } from './generation.js';
export { runCluster, type ClusterOptions } from './cluster.js';
