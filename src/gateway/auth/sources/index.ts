/** Token sources of a policy (header, cookies) and the CSRF origin check for cookie-carried tokens. */
export { TokenSources, DUPLICATE, type TokenSource } from './token-sources.js';
export { OriginCheck, ORIGIN_OK, ORIGIN_MISSING, ORIGIN_FOREIGN, originOf } from './origin-check.js';
export { findCookie, NO_COOKIE, DUPLICATE_COOKIE, COOKIE_TOO_LONG } from './cookie.js';
