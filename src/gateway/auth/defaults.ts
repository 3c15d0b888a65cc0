/** Every default of JWT authorization, in one place (documented in docs/auth.md). */
export const DEFAULTS = {
  /** Clock skew allowed on exp/nbf/iat. 0, as the seed's HAProxy rules. */
  clockSkewMs: 0,
  /** Tokens longer than this are refused before any split or decode (jwt-attacks A15). */
  maxTokenBytes: 8192,
  /** Cap on a decoded header or payload JSON document, and its nesting depth (A16). */
  maxJsonBytes: 6144,
  maxJsonDepth: 16,
  /** Remote JWKS: cached at least / at most this long, whatever Cache-Control says. */
  keyMinAgeMs: 5 * 60_000,
  keyMaxAgeMs: 24 * 3_600_000,
  /** Unknown kid: at most one refetch per cool-down. Also the retry interval after a failed fetch. */
  keyCooldownMs: 30_000,
  keyFetchTimeoutMs: 5_000,
  /** Largest JWKS / discovery document accepted. */
  maxKeyDocumentBytes: 512 * 1024,
  /** Verified-token cache and negative cache. */
  cacheMaxEntries: 10_000,
  negativeCacheMaxEntries: 10_000,
  negativeCacheTtlMs: 30_000,
} as const;
