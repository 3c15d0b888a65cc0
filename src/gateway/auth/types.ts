/**
 * The contract between the gateway's request path and JWT authorization.
 *
 * The gateway builds one `AuthPolicy` per named entry of the config's `auth:` map (once, at load and on
 * every reload), and calls `authorize()` for each request whose frontend or route names that policy,
 * before balancing and forwarding. The auth side owns everything behind this interface: token
 * extraction, keys (PEM, JWKS, discovery), verification, claim rules, the verified-token cache and the
 * deny response.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface AuthRequest {
  readonly method: string;
  /** The normalised path the route matched on (no query string). */
  readonly path: string;
  /** The request target as received (path and query), for sign-in at the gateway (callback query, return path). */
  readonly url?: string;
  readonly headers: IncomingHttpHeaders;
}

/** Per-route requirements layered on top of a policy (route config `auth: { policy, roles, scopes }`). */
export interface RouteRequirements {
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
}

export interface AuthAllow {
  readonly ok: true;
  /** Headers to set on the upstream request (claims forwarded as headers). */
  readonly setHeaders: ReadonlyArray<readonly [name: string, value: string]>;
  /** Lower-case header names to remove from the upstream request (client-sent copies, optionally Authorization). */
  readonly removeHeaders: readonly string[];
  /** Subject, for the access log. */
  readonly subject?: string;
  /** Headers added to the client's response (sign-in at the gateway: the refreshed session's Set-Cookie). */
  readonly responseHeaders?: ReadonlyArray<readonly [name: string, value: string]>;
}

export interface AuthDeny {
  readonly ok: false;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Set-Cookie lines of the answer (sign-in at the gateway: state and session cookies). */
  readonly setCookies?: readonly string[];
  readonly body: string;
  /** Reason for logs and metrics (MALFORMED, ALG, SIG, KEY, EXP, ISS, AUD, ...); never sent to the client. */
  readonly reason: string;
  /** The reason's stable error code (ERR_JWT_EXPIRED, ...; src/shared/errors.ts), when the policy sets one. */
  readonly code?: string;
}

export type AuthDecision = AuthAllow | AuthDeny;

export interface AuthPolicy {
  readonly name: string;
  /**
   * Upstream header names this policy can set from a token (claims forwarded as headers), lower case. The
   * gateway removes client copies of every name any policy lists on every route of every frontend,
   * whether the route is authorized or not (jwt-attacks I11).
   */
  readonly forwardedHeaders?: readonly string[];
  /** Synchronous when the answer is known without I/O (the common, cached case); a Promise otherwise. */
  authorize(request: AuthRequest, requirements?: RouteRequirements): AuthDecision | Promise<AuthDecision>;
  /** Stops background key refreshes. */
  close(): void;
}
