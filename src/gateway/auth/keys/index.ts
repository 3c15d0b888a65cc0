/** Key sources for an auth policy. */
export { KeySet, MAX_CANDIDATES, SELECT_ALG, SELECT_KEY, SELECT_UNKNOWN_KID, dropDuplicateKids } from './key-set.js';
export type { SelectFailure } from './key-set.js';
export { keyFromJwk } from './jwk.js';
export type { JwkResult } from './jwk.js';
export { classifyPublicKey, algorithmsFor, MIN_RSA_BITS } from './key-safety.js';
export { loadPemFiles, loadInlineJwks, loadSecret } from './local.js';
export { RemoteJwks } from './remote-jwks.js';
export type { RemoteJwksOptions } from './remote-jwks.js';
export { discoverJwksUri, discoveryUrl } from './discovery.js';
export { fetchJson, cacheLifetimeMs } from './http-json.js';
