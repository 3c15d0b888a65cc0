export { Exchange } from './exchange.js';
export { Tunnel } from './tunnel.js';
export { upstreamRequestHeaders, clientResponseHeaders, clientAddress } from './headers.js';
export { hasRequestBody, retryBudget, isConnectionFailure, isQueueTimeout, upstreamErrorStatus } from './retry-policy.js';
