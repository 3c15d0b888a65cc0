/** TLS defaults (docs/configuration.md documents each). */

/**
 * Mozilla's "intermediate" list: TLS 1.3 suites, then ECDHE with AEAD ciphers only for TLS 1.2 (no CBC,
 * no RSA key exchange, no DHE, which would need DH parameters).
 */
export const MODERN_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export const TLS_DEFAULTS = {
  min_version: 'TLSv1.2' as const,
  ciphers: MODERN_CIPHERS,
  /** One year, what hstspreload.org asks for. */
  hsts: { max_age: '365d' },
  /** Like HAProxy's default of a key per hour and 20,000 cached sessions; sessions resume for 2 hours (Node's own default is 5 minutes). */
  sessions: { ticket_rotation: '1h', ticket_overlap: '1h', session_timeout: '2h', session_cache: 20_000 },
  /**
   * OCSP stapling off unless asked for; auto mode's timings: HAProxy's tune.ssl.ocsp-update.mindelay and
   * maxdelay are 5 minutes and 1 hour.
   */
  ocsp: { mode: 'off' as const, timeout: '10s', min_refresh: '5m', max_refresh: '1h', retry: '30s' },
} as const;
