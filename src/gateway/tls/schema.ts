/**
 * Config shapes for TLS: a frontend's `tls:` (certificates, protocol floor, ciphers, HTTP/2, client
 * certificates, HSTS), a plain frontend's `redirect_https:`, and a backend's `tls:` (upstream servers
 * over TLS, verified by default). Paths are resolved against the config file's directory when loaded.
 */
import { z } from 'zod';
import { createSecureContext } from 'node:tls';
import { parseDuration } from '../../shared/duration.js';
import { TLS_DEFAULTS as D } from './defaults.js';

const path = z.string({ error: 'expected a file path' }).min(1, 'expected a file path');

/** OpenSSL refuses a list that matches no cipher; asking it is the only exact check. */
function knownCiphers(list: string): boolean {
  try {
    createSecureContext({ ciphers: list });
    return true;
  } catch {
    return false;
  }
}

const certificatePair = z.strictObject({ cert: path, key: path });

const headerName = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, 'expected a header name of letters, digits and -')
  .transform((h) => h.toLowerCase());

const seconds = z.union([z.string(), z.number()], { error: 'expected a duration like 365d' }).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration like 365d' });
    return z.NEVER;
  }
  return Math.floor(ms / 1000);
});

const milliseconds = (min: number) =>
  z.union([z.string(), z.number()], { error: 'expected a duration like 1h' }).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < min) {
      ctx.addIssue({ code: 'custom', message: min > 0 ? 'expected a duration above 0, like 1h' : 'expected a duration like 1h' });
      return z.NEVER;
    }
    return ms;
  });

/**
 * Session resumption for every TLS frontend (top-level `tls_sessions:`): tickets whose keys the primary
 * makes, rotates and sends to every worker (./ticket-keys.ts), and how long a session resumes.
 */
export const tlsSessionsSchema = z.strictObject({
  tickets: z.boolean().default(true),
  /** A new ticket key this often. */
  ticket_rotation: milliseconds(1).prefault(D.sessions.ticket_rotation),
  /** A replaced key still decrypts (and re-issues) tickets this long; then its tickets need a full handshake. */
  ticket_overlap: milliseconds(0).prefault(D.sessions.ticket_overlap),
  /** How long after its handshake a session can be resumed (Node's sessionTimeout; the ticket lifetime hint). */
  session_timeout: milliseconds(1000).prefault(D.sessions.session_timeout),
  /** Sessions kept per worker for session-ID resumption, copied to every worker; 0: none (tickets only). */
  session_cache: z.number({ error: 'expected a number of sessions' }).int().min(0).max(1_000_000).default(D.sessions.session_cache),
});

export const hstsSchema = z.strictObject({
  max_age: seconds.prefault(D.hsts.max_age),
  include_subdomains: z.boolean().default(false),
  preload: z.boolean().default(false),
});

export const clientCertificatesSchema = z.strictObject({
  /** CA certificates (PEM) that client certificates must chain to. */
  ca: path,
  mode: z.enum(['required', 'optional'], { error: 'expected required or optional' }).default('required'),
  /** When set, the verified client certificate's subject goes to the upstream in this header. */
  subject_header: headerName.optional(),
});

/**
 * OCSP stapling for every certificate of the frontend: `file` staples `<crt>.ocsp` beside each certificate
 * (HAProxy's convention: a certificate without one is served without a staple), `auto` fetches from the
 * certificate's OCSP responder and refreshes (HAProxy's `ocsp-update on`), starting from `<crt>.ocsp` if
 * present. Every response is verified before it is stapled (./ocsp/verify.ts).
 */
export const ocspSchema = z.strictObject({
  mode: z.enum(['off', 'file', 'auto'], { error: 'expected off, file or auto' }).default(D.ocsp.mode),
  /** The issuer's certificate (PEM), when neither the certificate file's chain nor `<crt>.issuer` has it. */
  issuer: path.optional(),
  /** auto: ask this responder instead of the certificate's Authority Information Access URL. */
  responder: z.string().regex(/^https?:\/\/[^\s]+$/i, 'expected an http:// or https:// URL').optional(),
  /** auto: how long one request to the responder may take. */
  timeout: milliseconds(1).prefault(D.ocsp.timeout),
  /** auto: refresh at half of a response's validity, but not sooner than this after the last fetch… */
  min_refresh: milliseconds(1000).prefault(D.ocsp.min_refresh),
  /** …nor later than this. */
  max_refresh: milliseconds(1000).prefault(D.ocsp.max_refresh),
  /** auto: the first retry after a failed fetch; each further failure doubles it, up to max_refresh. */
  retry: milliseconds(1000).prefault(D.ocsp.retry),
}, { error: 'expected { mode, issuer, responder, timeout, min_refresh, max_refresh, retry }' })
  .superRefine((v, ctx) => {
    if (v.min_refresh > v.max_refresh) ctx.addIssue({ code: 'custom', path: ['min_refresh'], message: 'expected min_refresh no longer than max_refresh' });
  });

export const frontendTlsSchema = z
  .strictObject({
    cert: path.optional(),
    key: path.optional(),
    /** More certificates; the client's SNI name picks one by its DNS names; the first one is the default. */
    certificates: z.array(certificatePair).default([]),
    min_version: z.enum(['TLSv1.2', 'TLSv1.3'], { error: 'expected TLSv1.2 or TLSv1.3' }).default(D.min_version),
    ciphers: z
      .string()
      .regex(/^[A-Za-z0-9_:+!@=.-]+$/, 'expected an OpenSSL cipher list')
      .refine(knownCiphers, 'OpenSSL knows none of these ciphers')
      .default(D.ciphers),
    http2: z.boolean().default(true),
    client_certificates: clientCertificatesSchema.optional(),
    /** `true` or `{ max_age, include_subdomains, preload }`; `false`/absent: no HSTS. */
    hsts: z.preprocess((v) => (v === false ? undefined : v === true ? {} : v), hstsSchema.optional()),
    /** `off` (default), `file`, `auto`, or the object. */
    ocsp: z.preprocess((v) => (typeof v === 'string' ? { mode: v } : v), ocspSchema).prefault({}),
  })
  .superRefine((v, ctx) => {
    if ((v.cert === undefined) !== (v.key === undefined)) {
      ctx.addIssue({ code: 'custom', path: [v.cert === undefined ? 'cert' : 'key'], message: 'expected cert and key together' });
    }
    if (v.cert === undefined && v.certificates.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'expected cert and key (or a list of certificates)' });
    }
  });

export const redirectHttpsSchema = z.union(
  [z.literal(true), z.strictObject({ port: z.number().int().min(1).max(65_535).optional() })],
  { error: 'expected true or { port }' },
);

/** `true` (verify against Node's roots) or the object; preprocessed so problems keep their key paths. */
export const backendTlsSchema = z.preprocess(
  (v) => (v === true ? {} : v),
  z.strictObject({
    /** CA certificates (PEM) the servers' certificates must chain to; default: Node's bundled roots. */
    ca: path.optional(),
    /** false turns verification off (an explicit opt-out; logged as a warning at load). */
    verify: z.boolean().default(true),
    /** The name to send as SNI and to check the certificate against (default: the server's host). */
    servername: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'expected a host name').optional(),
  }, { error: 'expected true or { ca, verify, servername }' }),
);

export type FrontendTlsConfig = z.output<typeof frontendTlsSchema>;
export type BackendTlsConfig = z.output<typeof backendTlsSchema>;
export type RedirectHttpsConfig = z.output<typeof redirectHttpsSchema>;
export type TlsSessionsConfig = z.output<typeof tlsSessionsSchema>;
export type HstsConfig = z.output<typeof hstsSchema>;
export type OcspConfig = z.output<typeof ocspSchema>;
