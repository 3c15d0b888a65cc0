/**
 * OAuth 2.0 errors (RFC 6749 §5.2) with FusionAuth's `error_reason` alongside: `{error, error_description,
 * error_reason}`. The token, introspect and userinfo endpoints answer them as JSON; the authorize endpoint
 * sends them back to a registered redirect URI, or shows an error page when the redirect URI is not trusted.
 */
import type { FastifyReply } from 'fastify';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'login_required'
  | 'server_error'
  | 'change_password_required'
  | 'two_factor_required'
  | 'unsupported_token_type';

export class OAuthError extends GatehouseError {
  constructor(
    readonly error: OAuthErrorCode,
    readonly reason: string,
    readonly description: string,
    /** 400 by default; invalid_client is 401. */
    readonly status: number = error === 'invalid_client' ? 401 : 400,
    /** Extra members of the JSON body (`change_password_id`...). */
    readonly extra: Record<string, string> = {},
  ) {
    super(ErrorCode.OAUTH_ERROR, `${error} (${reason}): ${description}`);
  }

  body(): Record<string, string> {
    return { error: this.error, error_description: this.description, error_reason: this.reason, ...this.extra };
  }
}

export function oauthError(error: OAuthErrorCode, reason: string, description: string, status?: number): never {
  throw new OAuthError(error, reason, description, status);
}

export function invalidRequest(reason: string, description: string): never {
  return oauthError('invalid_request', reason, description);
}

/** The JSON answer of an OAuthError; `basic` adds `WWW-Authenticate: Basic` to a 401 (RFC 6749 §5.2). */
export function sendOAuthError(reply: FastifyReply, error: OAuthError, basic = false): FastifyReply {
  if (error.status === 401 && error.error === 'invalid_client' && basic) void reply.header('www-authenticate', 'Basic realm="gatehouse"');
  return reply.code(error.status).header('cache-control', 'no-store').header('pragma', 'no-cache').send(error.body());
}
