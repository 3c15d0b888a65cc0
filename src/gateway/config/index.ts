export { checkWorkerLayout, loadGatewayConfig, parseGatewayConfig, formatKeyPath, type GatewayConfig } from './load.js';
export { GATEWAY_DEFAULTS } from './defaults.js';
export { ipInRanges, parseCidr, parseHostPort, type Cidr, type HostPort } from './address.js';
export type { FrontendConfig, RouteConfig, BackendConfig, ServerConfig, CheckConfig, PassiveConfig, AuthRef } from './schema.js';
