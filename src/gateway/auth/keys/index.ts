/** Key sources for an auth policy. */
export { KeySet, MAX_CANDIDATES, SELECT_ALG, SELECT_KEY, SELECT_UNKNOWN_KID, dropDuplicateKids } from './key-set.js';
export type { SelectFailure } from './key-set.js';
export { keyFromJwk } from './jwk.js';
export type { JwkResult } from './jwk.js';
export { classifyPublicKey, algorithmsFor, MIN_RSA_BITS } from './key-safety.js';
export { loadPemFiles, loadInlineJwks, loadSecret } from './local.js';
export { RemoteJwks } from './remote-jwks.js';
export type { RemoteJwksOptions } from './remote-jwks.js';
export { DiscoveredJwks, DiscoveryProblem, discoveryUrl, readDiscovery } from './discovery.js';
export type { DiscoveredJwksOptions, DiscoveryDocument, DiscoveryResult } from './discovery.js';
export { Refresher } from './refresher.js';
export type { FetchOutcome, RefresherOptions } from './refresher.js';
export { fetchJson, cacheLifetimeMs } from './http-json.js';
