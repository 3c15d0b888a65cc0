/** Revocation at the gateway: the config of `revocation:`, the feed that reads the IdP's stream, and the list policies consult. */
export { revocationSchema, type RevocationConfig } from './schema.js';
export { RevocationFeed } from './stream-feed.js';
export { RevocationList, NOT_REVOKED, REVOKED, UNAVAILABLE, type RevocationVerdict } from './revocation-list.js';
