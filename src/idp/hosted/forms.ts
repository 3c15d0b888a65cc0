/**
 * What the self-service pages share: the hosted pages' HTML frame and headers (oauth/html.ts), labelled
 * inputs whose error is tied to them (aria-describedby), the double-submit CSRF token of the login page
 * (oauth/csrf.ts) with a cookie scoped to the page's path, and the tenant a page acts in.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import type { Application, Tenant } from '../model/types.js';
import { csrfValid, issueCsrfToken } from '../oauth/csrf.js';
import { param, queryParams, type Params } from '../oauth/form.js';
import { DEFAULT_LOOK, escapeHtml, page, sendPage, type Look } from '../oauth/html.js';
import { hostedLook } from '../oauth/theme/look.js';
import { formBody } from '../oauth/http.js';
import { isUuid } from '../model/input.js';

export const HOSTED_ROUTE = { auth: 'none' as const };

/** GET: the query; POST: the form body (a malformed one is answered by `handled` as a 400 page). */
export function pageParams(request: FastifyRequest): Params {
  return request.method === 'POST' ? formBody(request) : queryParams(request.url);
}

export interface Field {
  name: string;
  label: string;
  type: 'text' | 'password' | 'email' | 'tel' | 'date';
  autocomplete: string;
  value?: string;
  required?: boolean;
  hint?: string;
}

export function inputHtml(field: Field, invalid: boolean): string {
  const described = [invalid ? 'error' : '', field.hint === undefined ? '' : `${field.name}-hint`].filter((s) => s !== '').join(' ');
  const aria = `${invalid ? ' aria-invalid="true"' : ''}${described === '' ? '' : ` aria-describedby="${escapeHtml(described)}"`}`;
  const value = field.type === 'password' || field.value === undefined ? '' : ` value="${escapeHtml(field.value)}"`;
  const hint = field.hint === undefined ? '' : `\n<p id="${escapeHtml(field.name)}-hint" class="app">${escapeHtml(field.hint)}</p>`;
  // type=text with inputmode for addresses: the page's stylesheet styles text and password inputs
  const type = field.type === 'password' ? 'password' : 'text';
  const mode = field.type === 'email' ? ' inputmode="email" autocapitalize="none" spellcheck="false"' : field.type === 'tel' ? ' inputmode="tel"' : '';
  return `<label for="${escapeHtml(field.name)}">${escapeHtml(field.label)}</label>
<input id="${escapeHtml(field.name)}" name="${escapeHtml(field.name)}" type="${type}" autocomplete="${escapeHtml(field.autocomplete)}"${mode}${field.required === false ? '' : ' required'}${value}${aria}>${hint}`;
}

export interface FormPage {
  title: string;
  intro?: string;
  error?: string;
  action: string;
  csrf: string;
  hidden?: ReadonlyArray<readonly [string, string]>;
  fields: readonly Field[];
  /** Names of the fields the error is about. */
  invalid?: readonly string[];
  button: string;
  /** Links under the form: [text, href]. */
  links?: ReadonlyArray<readonly [string, string]>;
  /** The application's (or tenant's) theme; the same look must go to sendPage (its style hash). */
  look?: Look;
}

export function linksHtml(links: ReadonlyArray<readonly [string, string]> | undefined): string {
  if (links === undefined || links.length === 0) return '';
  return `\n<p>${links.map(([text, href]) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`).join(' · ')}</p>`;
}

export function formPage(model: FormPage): string {
  const error = model.error === undefined ? '' : `<p id="error" class="error" role="alert">${escapeHtml(model.error)}</p>\n`;
  const intro = model.intro === undefined ? '' : `<p class="app">${escapeHtml(model.intro)}</p>\n`;
  const hidden = [...(model.hidden ?? []), ['csrf', model.csrf] as const].map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('\n');
  const invalid = new Set(model.error === undefined ? [] : model.invalid ?? model.fields.map((f) => f.name));
  const fields = model.fields.map((f) => inputHtml(f, invalid.has(f.name))).join('\n');
  return page(
    model.title,
    `<h1>${escapeHtml(model.title)}</h1>\n${intro}${error}<form method="post" action="${escapeHtml(model.action)}" novalidate>\n${hidden}\n${fields}\n<button type="submit">${escapeHtml(model.button)}</button>\n</form>${linksHtml(model.links)}`,
    model.look,
  );
}

/** A page with a heading and a message (an outcome, or a problem when `alert`), in `look` (the default when omitted). */
export function messagePage(title: string, message: string, options: { alert?: boolean; links?: ReadonlyArray<readonly [string, string]>; look?: Look } = {}): string {
  const body = options.alert === true ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : `<p role="status">${escapeHtml(message)}</p>`;
  return page(title, `<h1>${escapeHtml(title)}</h1>\n${body}${linksHtml(options.links)}`, options.look);
}

/** Sends a page drawn in `look` (the same look as the page's: the CSP allows its stylesheet by hash). */
export function sendForm(reply: FastifyReply, status: number, html: string, look: Look = DEFAULT_LOOK): FastifyReply {
  return sendPage(reply, status, html, ["'self'"], [], look);
}

export function csrfToken(request: FastifyRequest, reply: FastifyReply, path: string): string {
  return issueCsrfToken(request, reply, path);
}

export { csrfValid, param };

export const FORM_EXPIRED = 'This form expired or was not sent by this site. Reload the page and try again.';
export const TOO_MANY = 'Too many attempts from your network. Wait a few minutes and try again.';

export interface PageTenant {
  tenant: Tenant;
  application?: Application;
}

/** The tenant a page acts in: the `client_id`'s, else `tenantId`'s, else the default tenant. */
export async function pageTenant(ctx: IdpContext, params: Params): Promise<PageTenant | undefined> {
  const clientId = param(params, 'client_id');
  if (isUuid(clientId)) {
    const application = await ctx.storage.applications.get(clientId.toLowerCase());
    const tenant = application === undefined ? undefined : await ctx.storage.tenants.get(application.tenantId);
    if (application !== undefined && tenant !== undefined) return { tenant, application };
  }
  const tenantId = param(params, 'tenantId');
  if (isUuid(tenantId)) {
    const tenant = await ctx.storage.tenants.get(tenantId.toLowerCase());
    if (tenant !== undefined) return { tenant };
  }
  const defaultId = await ctx.storage.getSetting('defaultTenantId');
  const tenant = defaultId === undefined ? (await ctx.storage.tenants.find())[0] : await ctx.storage.tenants.get(defaultId);
  return tenant === undefined ? undefined : { tenant };
}

/** The look of a page acting in `scope`: the application's theme, else the tenant's, else the default. */
export function scopeLook(ctx: IdpContext, scope: PageTenant | undefined): Promise<Look> {
  return scope === undefined ? Promise.resolve(DEFAULT_LOOK) : hostedLook(ctx, scope.tenant, scope.application);
}

/**
 * The scope of a stored code (a change-password or verification id): its tenant, and its application when
 * one was recorded and still belongs to the tenant.
 */
export async function codeScope(ctx: IdpContext, tenantId: string, applicationId: string | undefined): Promise<PageTenant | undefined> {
  const tenant = await ctx.storage.tenants.get(tenantId);
  if (tenant === undefined) return undefined;
  const application = applicationId === undefined ? undefined : await ctx.storage.applications.get(applicationId);
  return application === undefined || application.tenantId !== tenant.id ? { tenant } : { tenant, application };
}

/** The `client_id` and `tenantId` a page passes on to the next one. */
export function carried(scope: PageTenant): [string, string][] {
  return scope.application === undefined ? [['tenantId', scope.tenant.id]] : [['client_id', scope.application.id], ['tenantId', scope.tenant.id]];
}

export function withQuery(path: string, pairs: readonly (readonly [string, string])[]): string {
  return pairs.length === 0 ? path : `${path}?${new URLSearchParams(pairs as [string, string][]).toString()}`;
}
