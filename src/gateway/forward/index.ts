export { Exchange } from './exchange.js';
export { forward } from './dispatch.js';
export { upstreamRequestHeaders, clientResponseHeaders, clientAddress } from './headers.js';
export { hasRequestBody, retryBudget, isConnectionFailure, isQueueTimeout, upstreamErrorStatus } from './retry-policy.js';
