/**
 * Self-service registration, `/oauth2/register` (FusionAuth's hosted path), when the application's
 * `registrationConfiguration.enabled` is true. It takes the authorization request's parameters exactly as
 * `/oauth2/authorize` does (`client_id`, `redirect_uri`, `response_type`, `scope`, `state`, `nonce`,
 * `code_challenge`, `code_challenge_method`) — the login page's "Create an account" link carries them, as
 * does FusionAuth's `/app/register/{clientId}` — and validates them the same way. The form asks for the
 * login id (`user.email` or `user.username`, per `loginIdType`), `user.password` (tenant rules, one
 * message per broken rule), `passwordConfirm` when `confirmPassword`, and the enabled optional fields.
 *
 * A valid form creates the user and its registration (default roles) in one transaction, sends the
 * verification email when the tenant verifies addresses, and continues the OAuth flow: a redirect to the
 * `redirect_uri` with a code and `userState` (`Authenticated`, or `AuthenticatedNotVerified` while the
 * address awaits verification, `AuthenticatedRegistrationNotVerified` while the registration does, when
 * the application has `verifyRegistration`). CSRF token as on the login page; rate limited per client address. An
 * address already registered is said so (as FusionAuth's page does); the rate limit bounds that probe.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ValidationError } from '../model/errors.js';
import type { Application, Registration, Tenant, User } from '../model/types.js';
import { buildRegistration, insertRegistration } from '../routes/registrations.js';
import { startEmailVerification, verificationApplies } from '../services/email-verification.js';
import { forgotPasswordEmailConfigured } from '../services/forgot-password.js';
import { describePasswordRules, passwordProblems } from '../services/password-rules.js';
import { allowHit } from '../services/rate-limit.js';
import { registrationSettings, type OptionalField, type RegistrationSettings } from '../services/registration-config.js';
import { registrationVerificationApplies, startRegistrationVerification, unverified } from '../services/registration-verification.js';
import { buildUser, saveUser } from '../services/users.js';
import { FORM_EXPIRED, TOO_MANY, formPage, messagePage, withQuery, type Field } from '../hosted/forms.js';
import { POSTED_BACK, PageError, formTargets, trustedClient, validate, type AuthorizeRequest, type Trusted } from './authorize.js';
import { rememberSignIn } from './sso.js';
import { createCode } from './codes.js';
import { csrfValid, issueCsrfToken } from './csrf.js';
import { OAuthError } from './errors.js';
import { param, type Params } from './form.js';
import { errorPage, sendPage } from './html.js';
import { OAUTH_ROUTE, requestParams } from './http.js';
import { withParams } from './redirect.js';

const LABELS: Record<OptionalField, [string, Field['type'], string]> = {
  firstName: ['First name', 'text', 'given-name'],
  lastName: ['Last name', 'text', 'family-name'],
  fullName: ['Full name', 'text', 'name'],
  middleName: ['Middle name', 'text', 'additional-name'],
  mobilePhone: ['Mobile phone', 'tel', 'tel'],
  birthDate: ['Birth date (YYYY-MM-DD)', 'text', 'bday'],
};

/** The login page's links: "Forgot password?" when the tenant sends reset emails, "Create an account" when registration is on. */
export function selfServiceLinks(tenant: Tenant, application: Application, hidden: ReadonlyArray<readonly [string, string]>): [string, string][] {
  const links: [string, string][] = [];
  if (forgotPasswordEmailConfigured(tenant)) links.push(['Forgot password?', withQuery('/password/forgot', [['client_id', application.id], ['tenantId', tenant.id]])]);
  if (registrationSettings(application).enabled) links.push(['Create an account', withQuery('/oauth2/register', hidden)]);
  return links;
}

function fields(settings: RegistrationSettings, tenant: Tenant, values: Params): Field[] {
  const value = (name: string) => {
    const v = param(values, name);
    return v === undefined ? {} : { value: v };
  };
  const login: Field =
    settings.loginIdType === 'email'
      ? { name: 'user.email', label: 'Email', type: 'email', autocomplete: 'email', ...value('user.email') }
      : { name: 'user.username', label: 'Username', type: 'text', autocomplete: 'username', ...value('user.username') };
  const list: Field[] = [login, { name: 'user.password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: describePasswordRules(tenant) }];
  if (settings.confirmPassword) list.push({ name: 'passwordConfirm', label: 'Confirm the password', type: 'password', autocomplete: 'new-password' });
  for (const { name, required } of settings.fields) {
    const [label, type, autocomplete] = LABELS[name];
    list.push({ name: `user.${name}`, label: required ? label : `${label} (optional)`, type, autocomplete, required, ...value(`user.${name}`) });
  }
  return list;
}

function hiddenOf(params: Params): [string, string][] {
  return POSTED_BACK.flatMap((name) => {
    const value = param(params, name);
    return value === undefined ? [] : [[name, value] as [string, string]];
  });
}

function show(request: FastifyRequest, reply: FastifyReply, req: AuthorizeRequest, params: Params, status: number, error?: { message: string; fields: string[] }): FastifyReply {
  const settings = registrationSettings(req.application);
  const hidden = hiddenOf(params);
  const html = formPage({
    title: 'Create an account',
    intro: `to continue to ${req.application.name}`,
    ...(error === undefined ? {} : { error: error.message, invalid: error.fields }),
    action: '/oauth2/register',
    csrf: issueCsrfToken(request, reply),
    hidden,
    fields: fields(settings, req.tenant, params),
    button: 'Create my account',
    links: [['Already have an account? Sign in', withQuery('/oauth2/authorize', hidden)]],
    look: req.look,
  });
  return sendPage(reply, status, html, formTargets(request, req), [], req.look);
}

const MESSAGES: Record<string, string> = {
  '[duplicate]user.email': 'An account with this email address already exists. Sign in instead, or reset your password.',
  '[duplicate]user.username': 'This username is taken. Choose another one.',
  '[invalid]user.email': 'Enter a valid email address.',
  '[invalid]user.birthDate': 'Enter your birth date as YYYY-MM-DD.',
};

/** The form's problems as one message and the fields it is about; undefined when the form is complete. */
function formProblems(settings: RegistrationSettings, tenant: Tenant, params: Params): { message: string; fields: string[] } | undefined {
  const loginField = `user.${settings.loginIdType}`;
  const missing = [loginField, 'user.password', ...settings.fields.filter((f) => f.required).map((f) => `user.${f.name}`)].filter((name) => (param(params, name) ?? '').trim() === '');
  if (missing.length > 0) return { message: 'Fill in every required field.', fields: missing };
  const password = params.get('user.password')!;
  if (settings.confirmPassword && password !== params.get('passwordConfirm')) return { message: 'The two passwords do not match.', fields: ['user.password', 'passwordConfirm'] };
  const problems = passwordProblems(tenant, password, 'user.password');
  if (problems.length > 0) return { message: problems.map((p) => p.hint).join(' '), fields: ['user.password'] };
  return undefined;
}

/** Creates the user and its registration in one transaction; a ValidationError names what is wrong. */
async function createAccount(ctx: IdpContext, req: AuthorizeRequest, settings: RegistrationSettings, params: Params): Promise<{ user: User; registration: Registration }> {
  const input: Record<string, unknown> = { password: params.get('user.password') };
  for (const name of [settings.loginIdType, ...settings.fields.map((f) => f.name)]) {
    const value = param(params, `user.${name}`)?.trim();
    if (value !== undefined && value !== '') input[name] = value;
  }
  const user = await buildUser(ctx, req.tenant, randomUUID(), input, {});
  if (verificationApplies(req.tenant, user)) user.verified = false;
  const registration = await ctx.storage.transaction(async (storage) => {
    await storage.lockApplication(req.application.id, 'share');
    const application = (await storage.applications.get(req.application.id)) ?? req.application;
    await saveUser({ ...ctx, storage }, user, true);
    const built = buildRegistration(ctx, user, application, {});
    const made = registrationVerificationApplies(application) ? unverified(built) : built;
    await insertRegistration(storage, made);
    return made;
  });
  ctx.logger.info({ event: 'user.registered', userId: user.id, applicationId: req.application.id, tenantId: req.tenant.id }, 'self-service registration');
  if (!user.verified) await startEmailVerification(ctx, req.tenant, user, { send: true, application: req.application });
  if (!registration.verified) await startRegistrationVerification(ctx, req.tenant, req.application, user, true);
  return { user, registration };
}

export function registerRegister(app: FastifyInstance, ctx: IdpContext): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    let trusted: Trusted | undefined;
    try {
      const params = requestParams(request);
      const posted = request.method === 'POST';
      if (posted && !csrfValid(request, params)) throw new PageError(403, FORM_EXPIRED);
      trusted = await trustedClient(ctx, request, params);
      const settings = registrationSettings(trusted.application);
      if (!settings.enabled) throw new PageError(404, 'Self-service registration is not enabled for this application.');
      const req = validate(trusted, params);
      if (!posted) return show(request, reply, req, params, 200);
      if (!(await allowHit(ctx, 'register', request.ip))) return sendPage(reply, 429, messagePage('Create an account', TOO_MANY, { alert: true }));
      const problem = formProblems(settings, req.tenant, params);
      if (problem !== undefined) return show(request, reply, req, params, 400, problem);
      let user: User;
      let registration: Registration;
      try {
        ({ user, registration } = await createAccount(ctx, req, settings, params));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const entry = Object.entries(error.errors.fieldErrors)[0];
        const first = entry?.[1][0];
        return show(request, reply, req, params, 400, { message: (first === undefined ? undefined : MESSAGES[first.code]) ?? first?.message ?? 'The form is not valid.', fields: entry === undefined ? [] : [entry[0]] });
      }
      const code = await createCode(ctx, req.tenant, {
        tenantId: req.tenant.id,
        applicationId: req.application.id,
        userId: user.id,
        redirectUri: req.redirectUri,
        scope: req.scopes.join(' '),
        authTime: Math.floor(ctx.now() / 1000),
        ...(req.nonce === undefined ? {} : { nonce: req.nonce }),
        ...(req.codeChallenge === undefined ? {} : { codeChallenge: req.codeChallenge, codeChallengeMethod: 'S256' as const }),
      });
      // a new account is signed in: an SSO session starts, as after the login form (sso.ts)
      await rememberSignIn(ctx, request, reply, req.tenant, req.application, { user, authTime: Math.floor(ctx.now() / 1000), registered: true }, false);
      const userState = !user.verified ? 'AuthenticatedNotVerified' : !registration.verified ? 'AuthenticatedRegistrationNotVerified' : 'Authenticated';
      return reply.header('cache-control', 'no-store').redirect(withParams(req.redirectUri, { code, locale: 'en', state: req.state, userState }), 302);
    } catch (error) {
      if (error instanceof PageError) return sendPage(reply, error.status, errorPage('Registration error', error.title));
      if (error instanceof OAuthError) {
        if (trusted !== undefined) return reply.header('cache-control', 'no-store').redirect(withParams(trusted.redirectUri, { error: error.error, error_reason: error.reason, error_description: error.description, state: trusted.state }), 302);
        return sendPage(reply, 400, errorPage('Registration error', error.description));
      }
      throw error;
    }
  };
  app.get('/oauth2/register', { config: OAUTH_ROUTE }, handle);
  app.post('/oauth2/register', { config: OAUTH_ROUTE }, handle);
}
