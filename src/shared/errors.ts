/**
 * Every error Gatehouse raises carries a stable `code`; callers branch on the code, never on the message.
 * All codes live here, grouped by the part of the system that raises them, and are documented in docs/errors.md.
 *
 * What a client sees is separate from what we log: `publicMessage` is safe to send, `message` is for logs,
 * and neither may contain a token, password, private key or API key value.
 */
export const ErrorCode = {
  // configuration and CLI
  CONFIG_INVALID: 'ERR_CONFIG_INVALID',
  CONFIG_READ: 'ERR_CONFIG_READ',
  USAGE: 'ERR_USAGE',
  PORT_IN_USE: 'ERR_PORT_IN_USE',

  // gatehouse up (the one-command demo)
  UP_DATA_DIR: 'ERR_UP_DATA_DIR',
  UP_DATA_DIR_IN_USE: 'ERR_UP_DATA_DIR_IN_USE',
  UP_DEMO_STATE: 'ERR_UP_DEMO_STATE',
  UP_FOREIGN_DATABASE: 'ERR_UP_FOREIGN_DATABASE',
  UP_GATEWAY_START: 'ERR_UP_GATEWAY_START',
  UP_SELF_CHECK: 'ERR_UP_SELF_CHECK',

  // gateway: JWT authorization
  JWT_MISSING: 'ERR_JWT_MISSING',
  JWT_MALFORMED: 'ERR_JWT_MALFORMED',
  JWT_SIZE: 'ERR_JWT_SIZE',
  JWT_ALG: 'ERR_JWT_ALG',
  JWT_HEADER: 'ERR_JWT_HEADER',
  JWT_KEY: 'ERR_JWT_KEY',
  JWT_SIGNATURE: 'ERR_JWT_SIGNATURE',
  JWT_CLAIM_TYPE: 'ERR_JWT_CLAIM_TYPE',
  JWT_EXPIRED: 'ERR_JWT_EXPIRED',
  JWT_NOT_BEFORE: 'ERR_JWT_NOT_BEFORE',
  JWT_ISSUED_AT: 'ERR_JWT_ISSUED_AT',
  JWT_ISSUER: 'ERR_JWT_ISSUER',
  JWT_AUDIENCE: 'ERR_JWT_AUDIENCE',
  JWT_INSUFFICIENT_SCOPE: 'ERR_JWT_INSUFFICIENT_SCOPE',
  JWT_CLAIM_MISSING: 'ERR_JWT_CLAIM_MISSING',
  JWT_CLAIM_UNSAFE: 'ERR_JWT_CLAIM_UNSAFE',
  JWT_NOT_REGISTERED: 'ERR_JWT_NOT_REGISTERED',
  /** The token's user was revoked at or after the token's iat, or its jti was revoked (gateway revocation feed). */
  JWT_REVOKED: 'ERR_JWT_REVOKED',
  /** The revocation feed is not current and the gateway is configured to fail closed (503). */
  REVOCATION_UNAVAILABLE: 'ERR_REVOCATION_UNAVAILABLE',
  /** A cookie-authenticated unsafe request without Origin or Referer (403, CSRF defence). */
  AUTH_ORIGIN_MISSING: 'ERR_AUTH_ORIGIN_MISSING',
  /** A cookie-authenticated unsafe request from an origin not in allowed_origins (403, CSRF defence). */
  AUTH_ORIGIN_FOREIGN: 'ERR_AUTH_ORIGIN_FOREIGN',
  KEY_UNSAFE: 'ERR_KEY_UNSAFE',
  KEY_FETCH: 'ERR_KEY_FETCH',

  // gateway: sign-in at the gateway (src/gateway/auth/login)
  LOGIN_STATE: 'ERR_LOGIN_STATE',
  LOGIN_IDP: 'ERR_LOGIN_IDP',
  LOGIN_CODE: 'ERR_LOGIN_CODE',
  LOGIN_ID_TOKEN: 'ERR_LOGIN_ID_TOKEN',
  LOGIN_TOKEN: 'ERR_LOGIN_TOKEN',
  LOGIN_REFRESH: 'ERR_LOGIN_REFRESH',
  LOGIN_STORE: 'ERR_LOGIN_STORE',

  // gateway: TLS (certificates, frontends, upstreams)
  TLS_CERTIFICATE: 'ERR_TLS_CERTIFICATE',
  TLS_RELOAD: 'ERR_TLS_RELOAD',
  /** A `.ocsp` response file that does not verify, or an OCSP setting that cannot work (no issuer, no responder URL). */
  TLS_OCSP: 'ERR_TLS_OCSP',

  // gateway: tracing (src/gateway/observe/tracing)
  /** A batch of spans the OTLP collector did not take (unreachable, refused, timed out): logged, the spans are lost. */
  TRACE_EXPORT: 'ERR_TRACE_EXPORT',

  // gateway: the HTTP/1.1 server for plain frontends (src/gateway/http1); each is a 'clientError'
  HTTP_VERSION_NOT_SUPPORTED: 'ERR_HTTP_VERSION_NOT_SUPPORTED',
  HTTP_TOO_MANY_HEADERS: 'ERR_HTTP_TOO_MANY_HEADERS',
  HTTP_BAD_UPGRADE: 'ERR_HTTP_BAD_UPGRADE',
  HTTP_METHOD_NOT_SUPPORTED: 'ERR_HTTP_METHOD_NOT_SUPPORTED',
  /** Transfer-Encoding repeated, empty, a malformed list, or on HTTP/1.0: 400. */
  HTTP_BAD_TRANSFER_ENCODING: 'ERR_HTTP_BAD_TRANSFER_ENCODING',
  /** A transfer coding other than one `chunked`: 501. */
  HTTP_TRANSFER_CODING_NOT_IMPLEMENTED: 'ERR_HTTP_TRANSFER_CODING_NOT_IMPLEMENTED',

  // gateway: the HTTP/1.1 client to upstream servers (src/gateway/upstream)
  UPSTREAM_CONNECT_TIMEOUT: 'ERR_UPSTREAM_CONNECT_TIMEOUT',
  UPSTREAM_QUEUE_TIMEOUT: 'ERR_UPSTREAM_QUEUE_TIMEOUT',
  UPSTREAM_RESPONSE_TIMEOUT: 'ERR_UPSTREAM_RESPONSE_TIMEOUT',
  UPSTREAM_BODY_TIMEOUT: 'ERR_UPSTREAM_BODY_TIMEOUT',
  UPSTREAM_CLOSED: 'ERR_UPSTREAM_CLOSED',
  UPSTREAM_BAD_RESPONSE: 'ERR_UPSTREAM_BAD_RESPONSE',
  UPSTREAM_BAD_REQUEST: 'ERR_UPSTREAM_BAD_REQUEST',
  UPSTREAM_ABORTED: 'ERR_UPSTREAM_ABORTED',
  UPSTREAM_POOL_CLOSED: 'ERR_UPSTREAM_POOL_CLOSED',
  REQUEST_BODY_TOO_LARGE: 'ERR_REQUEST_BODY_TOO_LARGE',

  // identity provider
  IDP_STORAGE: 'ERR_IDP_STORAGE',
  IDP_VALIDATION: 'ERR_IDP_VALIDATION',
  IDP_NOT_FOUND: 'ERR_IDP_NOT_FOUND',
  IDP_UNAUTHORIZED: 'ERR_IDP_UNAUTHORIZED',
  IDP_DATABASE_URL: 'ERR_IDP_DATABASE_URL',
  IDP_MIGRATION: 'ERR_IDP_MIGRATION',
  IDP_KICKSTART: 'ERR_IDP_KICKSTART',
  IDP_DUPLICATE: 'ERR_IDP_DUPLICATE',
  IDP_MAIL: 'ERR_IDP_MAIL',
  // identity provider: admin console
  IDP_ADMIN_SETUP: 'ERR_IDP_ADMIN_SETUP',

  // OAuth 2.0 / OpenID Connect (src/idp/oauth)
  OAUTH_ERROR: 'ERR_OAUTH',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class GatehouseError extends Error {
  readonly code: ErrorCode;
  /** Safe to show to a client or a user; defaults to the log message. */
  readonly publicMessage: string;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; publicMessage?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    this.publicMessage = options?.publicMessage ?? message;
  }
}

export function isGatehouseError(value: unknown, code?: ErrorCode): value is GatehouseError {
  return value instanceof GatehouseError && (code === undefined || value.code === code);
}
