/** What the account pages share: request parsing with CSRF, the tenant, the session cookie, the two main pages. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { isUuid } from '../model/input.js';
import type { Application, Tenant, User } from '../model/types.js';
import { csrfValid, issueCsrfToken } from '../oauth/csrf.js';
import { param, type Params } from '../oauth/form.js';
import { errorPage, sendPage, type Look } from '../oauth/html.js';
import { hostedLook } from '../oauth/theme/look.js';
import { requestParams } from '../oauth/http.js';
import { OAuthError } from '../oauth/errors.js';
import { issueSession, setSessionCookies } from '../services/session.js';
import { base32Encode, generateSecret, methodsOf, otpauthUri } from '../services/two-factor/index.js';
import { managePage, signInPage, type ManageModel } from './pages.js';

export const ACCOUNT_PATH = '/account';
/** The forms post to this origin only. */
export const SELF = ["'self'"];

export interface AccountRequest {
  params: Params;
  clientId: string | undefined;
  csrf: string;
  /** The pages' look: the client's application theme, else its tenant's (or the only tenant's), else the default. */
  look: Look;
}

/**
 * Parses the form or query, checks the CSRF token of a POST (403 page when wrong), renews the token. A
 * malformed request gets the default look (its client_id is not known).
 */
export async function accountRequest(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply): Promise<AccountRequest | undefined> {
  let params: Params;
  try {
    params = requestParams(request);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    void sendPage(reply, 400, errorPage('Account', error.description));
    return undefined;
  }
  const given = param(params, 'client_id');
  const clientId = isUuid(given) ? given : undefined;
  const scope = await accountScope(ctx, clientId);
  const look = await hostedLook(ctx, scope.tenant, scope.application);
  if (request.method === 'POST' && !csrfValid(request, params)) {
    void sendPage(reply, 403, errorPage('Account', 'The form expired or was not sent by this site. Open the page again.', look), [], [], look);
    return undefined;
  }
  return { params, clientId, csrf: issueCsrfToken(request, reply, ACCOUNT_PATH), look };
}

/** The tenant (and application) of the pages: the client's, or the only tenant. */
async function accountScope(ctx: IdpContext, clientId: string | undefined): Promise<{ tenant?: Tenant; application?: Application }> {
  if (clientId !== undefined) {
    const application = await ctx.storage.applications.get(clientId.toLowerCase());
    const tenant = application === undefined ? undefined : await ctx.storage.tenants.get(application.tenantId);
    return tenant === undefined ? {} : { tenant, application: application! };
  }
  const tenants = await ctx.storage.tenants.find();
  return tenants.length === 1 ? { tenant: tenants[0]! } : {};
}

/** The tenant of the sign-in: the client's, or the only one. */
export async function accountTenant(ctx: IdpContext, clientId: string | undefined): Promise<Tenant | undefined> {
  return (await accountScope(ctx, clientId)).tenant;
}

export function pageUrl(clientId: string | undefined): string {
  return `${ACCOUNT_PATH}/two-factor${clientId === undefined ? '' : `?client_id=${encodeURIComponent(clientId)}`}`;
}

/** Signs the user in on this browser (FusionAuth's `access_token` cookie) and goes to the two-factor page. */
export async function startAccountSession(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, user: User, clientId: string | undefined): Promise<FastifyReply> {
  const tokens = await issueSession(ctx, { tenant, user, authenticationType: 'PASSWORD' });
  setSessionCookies(request, reply, tokens, tenant);
  return reply.header('cache-control', 'no-store').redirect(pageUrl(clientId), 303);
}

export function showSignIn(reply: FastifyReply, req: AccountRequest, status: number, error?: string, loginId?: string): FastifyReply {
  const html = signInPage({ look: req.look, csrf: req.csrf, ...(req.clientId === undefined ? {} : { clientId: req.clientId }), ...(error === undefined ? {} : { error }), ...(loginId === undefined ? {} : { loginId }) });
  return sendPage(reply, status, html, SELF, [], req.look);
}

/** The two-factor settings page, with a fresh secret to add an app (or `secret` again after a wrong code). */
export async function showManage(ctx: IdpContext, reply: FastifyReply, req: AccountRequest, user: User, status: number, extra: { error?: string; notice?: string; secret?: string } = {}): Promise<FastifyReply> {
  const tenant = await ctx.storage.tenants.get(user.tenantId);
  // without a client_id, the signed-in user's tenant picks the look
  const look = req.clientId === undefined ? await hostedLook(ctx, tenant) : req.look;
  const secret = extra.secret ?? generateSecret();
  const key = Buffer.from(secret, 'utf8');
  const model: ManageModel = {
    look,
    csrf: req.csrf,
    ...(req.clientId === undefined ? {} : { clientId: req.clientId }),
    email: user.email ?? user.username ?? user.id,
    methods: methodsOf(user),
    secret,
    secretBase32: base32Encode(key),
    otpauth: otpauthUri(tenant?.issuer ?? 'Gatehouse', user.email ?? user.username ?? user.id, key),
    ...(extra.error === undefined ? {} : { error: extra.error }),
    ...(extra.notice === undefined ? {} : { notice: extra.notice }),
  };
  return sendPage(reply, status, managePage(model), SELF, [], look);
}

