/**
 * The application form (create and edit), in FusionAuth's tabs: OAuth (redirect URLs, grants), JWT
 * (Enabled, the signing keys — "Auto generate a new key on save" or an existing key — and the time to
 * live) and, on create, Roles. Turns the submitted form into the API's `application` object.
 */
import type { FormErrors } from '../api.js';
import { csrfField, errorSummary, input, select, tabs, textarea, toggle } from '../components.js';
import { html, type Html } from '../html.js';
import { lines, numberOrText } from '../lookups.js';
import { checked, field, fields, type Form } from '../router.js';
import type { Key, Tenant } from '../../model/types.js';

/** The grants /oauth2/token serves; a grant stored through the API that is not listed here is shown too, so saving keeps it. */
export const GRANTS: [string, string][] = [
  ['authorization_code', 'Authorization code'],
  ['refresh_token', 'Refresh token'],
  ['password', 'Password'],
  ['client_credentials', 'Client credentials'],
];

export const AUTO_GENERATE = '';

export interface ApplicationFormValues {
  name: string;
  tenantId: string;
  redirectUrls: string;
  grants: string[];
  jwtEnabled: boolean;
  accessTokenKeyId: string;
  idTokenKeyId: string;
  ttl: string;
  roles: string;
}

export function emptyValues(tenantId: string): ApplicationFormValues {
  return { name: '', tenantId, redirectUrls: '', grants: [], jwtEnabled: false, accessTokenKeyId: AUTO_GENERATE, idTokenKeyId: AUTO_GENERATE, ttl: '3600', roles: '' };
}

export function valuesFromForm(form: Form): ApplicationFormValues {
  return {
    name: field(form, 'name'),
    tenantId: field(form, 'tenantId'),
    redirectUrls: field(form, 'redirectUrls'),
    grants: fields(form, 'grants'),
    jwtEnabled: checked(form, 'jwtEnabled'),
    accessTokenKeyId: field(form, 'accessTokenKeyId'),
    idTokenKeyId: field(form, 'idTokenKeyId'),
    ttl: field(form, 'ttl'),
    roles: field(form, 'roles'),
  };
}

/** The API's `application` object for these values (`create`: roles included; keys left out to be generated). */
export function applicationBody(values: ApplicationFormValues, create: boolean): Record<string, unknown> {
  const ttl = numberOrText(values.ttl);
  const keyId = (id: string) => (id === AUTO_GENERATE ? (create ? undefined : null) : id);
  const jwt: Record<string, unknown> = { enabled: values.jwtEnabled, ...(ttl === undefined ? {} : { timeToLiveInSeconds: ttl }) };
  if (values.jwtEnabled) {
    const access = keyId(values.accessTokenKeyId);
    const id = keyId(values.idTokenKeyId);
    if (access !== undefined) jwt.accessTokenKeyId = access;
    if (id !== undefined) jwt.idTokenKeyId = id;
  }
  return {
    name: values.name,
    jwtConfiguration: jwt,
    oauthConfiguration: { authorizedRedirectURLs: lines(values.redirectUrls), enabledGrants: values.grants },
    ...(create ? { roles: lines(values.roles).map((name) => ({ name })) } : {}),
  };
}

function keySelect(name: string, label: string, value: string, keys: readonly Key[], id: string): Html {
  const options: [string, string][] = [[AUTO_GENERATE, 'Auto generate a new key on save…'], ...keys.filter((k) => k.hasPrivateKey || k.type === 'HMAC').map((k): [string, string] => [k.id, `${k.name} (${k.algorithm})`])];
  return select({ name, label, options, value, id });
}

export function applicationForm(o: {
  action: string;
  csrf: string;
  values: ApplicationFormValues;
  tenants: readonly Tenant[];
  keys: readonly Key[];
  create: boolean;
  errors?: FormErrors | undefined;
}): Html {
  const v = o.values;
  const errors = o.errors;
  const tabs_: [string, string, Html][] = [
    [
      'oauth',
      'OAuth',
      html`${textarea({ name: 'redirectUrls', label: 'Authorized redirect URLs', value: v.redirectUrls, hint: 'One URL per line.', id: 'app-redirects', errorKey: 'application.oauthConfiguration.authorizedRedirectURLs', errors })}
<fieldset><legend>Enabled grants</legend><div class="checks">${[...GRANTS, ...v.grants.filter((g) => !GRANTS.some(([k]) => k === g)).map((g): [string, string] => [g, g])].map(
        ([value, label]) => html`<label><input type="checkbox" name="grants" value="${value}"${v.grants.includes(value) ? html` checked` : ''}> ${label}</label>`,
      )}</div></fieldset>`,
    ],
    [
      'jwt',
      'JWT',
      html`${toggle({ name: 'jwtEnabled', label: 'Enabled', checked: v.jwtEnabled, id: 'app-jwt-enabled', hint: 'Sign this application\u2019s tokens with its own keys and time to live instead of the tenant\u2019s.' })}
${keySelect('accessTokenKeyId', 'Access token signing key', v.accessTokenKeyId, o.keys, 'app-access-key')}
${keySelect('idTokenKeyId', 'Id token signing key', v.idTokenKeyId, o.keys, 'app-id-key')}
${input({ name: 'ttl', label: 'JWT duration (seconds)', type: 'number', value: v.ttl, id: 'app-ttl', errorKey: 'application.jwtConfiguration.timeToLiveInSeconds', errors, attrs: html` min="1" inputmode="numeric"` })}`,
    ],
    ...(o.create
      ? ([['roles', 'Roles', textarea({ name: 'roles', label: 'Roles', value: v.roles, hint: 'One role name per line, e.g. user, admin.', id: 'app-roles', errorKey: 'application.roles', errors })]] as [string, string, Html][])
      : []),
  ];
  return html`${errorSummary(errors, { 'application.name': ['app-name', 'Name'], 'application.jwtConfiguration.timeToLiveInSeconds': ['app-ttl', 'JWT duration (seconds)'], 'application.oauthConfiguration.authorizedRedirectURLs': ['app-redirects', 'Authorized redirect URLs'], 'application.roles': ['app-roles', 'Roles'] })}
<form method="post" action="${o.action}" class="card">
${csrfField(o.csrf)}
${input({ name: 'name', label: 'Name', value: v.name, required: true, id: 'app-name', errorKey: 'application.name', errors })}
${o.create && o.tenants.length > 1 ? select({ name: 'tenantId', label: 'Tenant', options: o.tenants.map((t): [string, string] => [t.id, t.name]), value: v.tenantId, id: 'app-tenant' }) : o.create ? html`<input type="hidden" name="tenantId" value="${v.tenantId}">` : ''}
${tabs('Application settings', tabs_)}
<div class="actions"><button type="submit">Save</button> <a href="/admin/applications">Cancel</a></div>
</form>`;
}
