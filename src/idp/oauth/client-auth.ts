/**
 * Client authentication at the token and introspect endpoints: HTTP Basic (`client_secret_basic`, the
 * id and secret form-url-encoded then base64'd, RFC 6749 §2.3.1) or `client_id` + `client_secret` in the
 * form (`client_secret_post`); never both. The client is an application; its id is the application id.
 * Secrets are compared in constant time. A failure is 401 `invalid_client` (with `WWW-Authenticate: Basic`
 * when Basic was used).
 */
import type { FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { constantTimeEqual } from '../crypto/secrets.js';
import { isUuid } from '../model/input.js';
import type { Application } from '../model/types.js';
import { OAuthError, invalidRequest } from './errors.js';
import { param, type Params } from './form.js';

export interface ClientAuthentication {
  application: Application;
  /** True when a correct secret was presented. */
  authenticated: boolean;
  /** How the client presented itself. */
  scheme: 'basic' | 'post' | 'none';
}

function basicCredentials(request: FastifyRequest): { id: string; secret: string } | undefined {
  const header = request.headers.authorization;
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'invalid_client_authentication_scheme', 'The Basic credentials are malformed.', 401);
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    throw new OAuthError('invalid_client', 'invalid_client_authentication_scheme', 'The Basic credentials are malformed.', 401);
  }
}

function invalidClient(reason = 'invalid_client_authentication'): never {
  throw new OAuthError('invalid_client', reason, 'The client could not be authenticated.', 401);
}

/** True when the request tried HTTP Basic client authentication (a 401 then carries the Basic challenge). */
export function triedBasic(request: FastifyRequest): boolean {
  return /^basic(\s|$)/i.test(request.headers.authorization ?? '');
}

/** The active application with this client id, or undefined. */
export async function findClient(ctx: IdpContext, clientId: string | undefined): Promise<Application | undefined> {
  if (!isUuid(clientId)) return undefined;
  const application = await ctx.storage.applications.get(clientId.toLowerCase());
  return application?.active === true ? application : undefined;
}

/**
 * Identifies the client and checks its secret when one is presented. Whether an unauthenticated client
 * may go on is the grant's decision (clientAuthenticationPolicy, PKCE); see `requireAuthenticated`.
 */
export async function authenticateClient(ctx: IdpContext, request: FastifyRequest, params: Params): Promise<ClientAuthentication> {
  const basic = basicCredentials(request);
  const formId = param(params, 'client_id');
  const formSecret = param(params, 'client_secret');
  if (basic !== undefined && formSecret !== undefined) invalidRequest('invalid_client_authentication_scheme', 'Use one client authentication method, not both.');
  if (basic !== undefined && formId !== undefined && formId !== basic.id) invalidClient('client_id_mismatch');
  const scheme: ClientAuthentication['scheme'] = basic !== undefined ? 'basic' : formSecret !== undefined ? 'post' : 'none';
  const clientId = basic?.id ?? formId;
  if (clientId === undefined) {
    return invalidRequest('missing_client_id', 'The request is missing the required parameter [client_id].');
  }
  const application = await findClient(ctx, clientId);
  if (application === undefined) return invalidClient('invalid_client_id');
  const secret = basic?.secret ?? formSecret;
  if (secret === undefined) return { application, authenticated: false, scheme };
  if (!constantTimeEqual(secret, application.oauthConfiguration.clientSecret)) return invalidClient();
  return { application, authenticated: true, scheme };
}

type ClientPolicy = 'Required' | 'NotRequired' | 'NotRequiredWhenUsingPKCE';

export function clientAuthenticationPolicy(application: Application): ClientPolicy {
  const policy = application.oauthConfiguration.clientAuthenticationPolicy;
  return policy === 'NotRequired' || policy === 'NotRequiredWhenUsingPKCE' ? policy : 'Required';
}

/** Refuses an unauthenticated client unless the application's policy lets it through (`usedPkce` for the code grant). */
export function requireAuthenticated(client: ClientAuthentication, usedPkce = false): void {
  if (client.authenticated) return;
  const policy = clientAuthenticationPolicy(client.application);
  if (policy === 'NotRequired' || (policy === 'NotRequiredWhenUsingPKCE' && usedPkce)) return;
  invalidClient('client_authentication_missing');
}

/** Refuses a client that did not present its secret, whatever its policy (client_credentials). */
export function requireSecret(client: ClientAuthentication): void {
  if (!client.authenticated) invalidClient('client_authentication_missing');
}
