/**
 * API Keys: the list with each value hidden until its padlock is pressed (a POST, so the value is never in
 * a page nobody asked for), and the create form with FusionAuth's grid of endpoints × methods and the
 * tenant scope. No endpoint ticked means every endpoint, as in FusionAuth.
 */
import type { FormErrors } from '../api.js';
import { copyable, csrfField, errorSummary, input, PADLOCK, postButton, select } from '../components.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { byId, nameOf, tenants as allTenants } from '../lookups.js';
import { confirmPage } from '../confirm.js';
import { flashOf } from '../readable.js';
import { field, fields, takeFlash, type AdminRequest, type Router } from '../router.js';
import type { ApiKey } from '../../model/types.js';

export const ENDPOINTS = ['/api/application', '/api/application/role', '/api/jwt/refresh', '/api/key', '/api/key/generate', '/api/key/import', '/api/login', '/api/tenant', '/api/theme', '/api/user', '/api/user/registration'];
export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function permissionSummary(key: ApiKey) {
  const entries = Object.entries(key.permissions.endpoints);
  if (key.keyManager) return html`<span class="badge">Key manager</span> all endpoints`;
  if (entries.length === 0) return html`all endpoints`;
  return entries.map(([endpoint, methods]) => html`<code>${methods.join(', ')} ${endpoint}</code><br>`);
}

/** How a key is named to a person: its name, else its description, else its id. */
function labelOf(key: ApiKey): string {
  return key.name ?? key.metaData.attributes.description ?? key.id;
}

async function listPage(r: AdminRequest, revealed?: { id: string; value: string }) {
  const [list, tenants] = await Promise.all([r.scope.ctx.storage.apiKeys.find(), allTenants(r.scope.ctx)]);
  const csrf = r.session.csrf;
  return page({
    title: 'API Keys',
    section: 'api-keys',
    session: r.session,
    flash: takeFlash(r.session),
    body: html`<h1>API Keys</h1>
<div class="actions"><a class="button" href="/admin/api-keys/new">Add API key</a></div>
<div class="table-wrap"><table class="stack"><caption>${list.length} API key${list.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Key</th><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Tenant</th><th scope="col">Permissions</th><th scope="col">Action</th></tr></thead>
<tbody>${list.map((k) => {
      const label = labelOf(k);
      const value =
        revealed?.id === k.id
          ? copyable('Key', revealed.value, { id: `key-${k.id}` })
          : k.retrievable && k.key !== undefined
            ? html`<span class="secret" aria-hidden="true">••••••••••••</span> ${postButton(`/admin/api-keys/${k.id}/reveal`, csrf, 'Reveal', { icon: PADLOCK, danger: true, ariaLabel: `Reveal the key ${label}` })}`
            : html`<em>not retrievable</em>`;
      return html`<tr><td data-label="Key">${value}</td><td data-label="Name">${k.name ?? ''}</td><td data-label="Description">${k.metaData.attributes.description ?? ''}</td>
<td data-label="Tenant">${k.tenantId === undefined ? 'All tenants' : nameOf(tenants, k.tenantId)}</td><td data-label="Permissions">${permissionSummary(k)}</td>
<td><a class="button secondary" href="/admin/api-keys/${k.id}/delete" aria-label="Delete the key ${label}">Delete…</a></td></tr>`;
    })}</tbody></table></div>`,
  });
}

interface KeyValues {
  key: string;
  name: string;
  description: string;
  tenantId: string;
  permissions: string[];
}

async function newPage(r: AdminRequest, values: KeyValues, errors?: FormErrors) {
  const tenants = await allTenants(r.scope.ctx);
  return page({
    title: 'Add API key',
    section: 'api-keys',
    session: r.session,
    body: html`<h1>Add API key</h1>
${errorSummary(errors, { 'apiKey.key': ['apikey-key', 'Key'], 'apiKey.name': ['apikey-name', 'Name'], 'apiKey.tenantId': ['apikey-tenant', 'Tenant'] })}
<form method="post" action="/admin/api-keys" class="card">${csrfField(r.session.csrf)}
${input({ name: 'key', label: 'Key', value: values.key, id: 'apikey-key', autocomplete: 'off', hint: 'Leave empty to generate a random key (recommended). At least 16 characters.', errorKey: 'apiKey.key', errors })}
${input({ name: 'name', label: 'Name', value: values.name, id: 'apikey-name', errorKey: 'apiKey.name', errors })}
${input({ name: 'description', label: 'Description', value: values.description, id: 'apikey-description' })}
${select({ name: 'tenantId', label: 'Tenant', options: [['', 'All tenants'], ...tenants.map((t): [string, string] => [t.id, t.name])], value: values.tenantId, id: 'apikey-tenant', hint: 'A key for one tenant can only act in that tenant.', errorKey: 'apiKey.tenantId', errors })}
<fieldset><legend>Endpoints</legend>
<p class="hint">Tick the methods this key may call on each endpoint. Nothing ticked: every endpoint and method.</p>
<div class="table-wrap"><table class="grid"><thead><tr><th scope="col">Endpoint</th>${METHODS.map((m) => html`<th scope="col">${m}</th>`)}</tr></thead>
<tbody>${ENDPOINTS.map(
      (endpoint) => html`<tr><th scope="row"><code>${endpoint}</code></th>${METHODS.map((m) => {
        const value = `${m} ${endpoint}`;
        return html`<td><input type="checkbox" name="permissions" value="${value}" aria-label="${value}"${values.permissions.includes(value) ? html` checked` : ''}></td>`;
      })}</tr>`,
    )}</tbody></table></div></fieldset>
<div class="actions"><button type="submit">Save</button> <a href="/admin/api-keys">Cancel</a></div></form>`,
  });
}

export function registerApiKeyPages(router: Router): void {
  router.page('/api-keys', async (r) => listPage(r));
  router.page('/api-keys/new', async (r) => newPage(r, { key: '', name: '', description: '', tenantId: '', permissions: [] }));

  router.action('/api-keys', async (r) => {
    const values: KeyValues = { key: field(r.form, 'key'), name: field(r.form, 'name'), description: field(r.form, 'description'), tenantId: field(r.form, 'tenantId'), permissions: fields(r.form, 'permissions') };
    const endpoints: Record<string, string[]> = {};
    for (const entry of values.permissions) {
      const [method, endpoint] = entry.split(' ');
      if (method !== undefined && endpoint !== undefined && METHODS.includes(method) && ENDPOINTS.includes(endpoint)) (endpoints[endpoint] ??= []).push(method);
    }
    const result = await r.scope.api.call('POST', '/api/api-key', {
      apiKey: {
        ...(values.key === '' ? {} : { key: values.key }),
        ...(values.name === '' ? {} : { name: values.name }),
        ...(values.tenantId === '' ? {} : { tenantId: values.tenantId }),
        metaData: { attributes: values.description === '' ? {} : { description: values.description } },
        permissions: { endpoints },
      },
    });
    if (result.errors !== undefined) return { status: 400, page: await newPage(r, { ...values, key: '' }, result.errors) };
    return { redirect: '/admin/api-keys', flash: 'Added the API key. Press its padlock to see the value.' };
  });

  router.action('/api-keys/:id/reveal', async (r) => {
    const result = await r.scope.api.call('GET', `/api/api-key/${encodeURIComponent(String(r.params.id))}`);
    const value = result.body?.apiKey?.key;
    if (typeof value !== 'string') return { redirect: '/admin/api-keys', flash: 'That key cannot be shown.' };
    r.scope.ctx.logger.info({ event: 'admin.api_key_revealed', apiKeyId: result.body.apiKey.id, by: r.session.userId }, 'admin console revealed an API key');
    return listPage(r, { id: String(result.body.apiKey.id), value });
  });

  router.page('/api-keys/:id/delete', async (r) => {
    const key = await byId(r.scope.ctx.storage.apiKeys, r.params.id);
    if (key === undefined) return { redirect: '/admin/api-keys', flash: 'That API key does not exist.' };
    const tenants = await allTenants(r.scope.ctx);
    return confirmPage(r, {
      section: 'api-keys',
      what: 'API key',
      name: labelOf(key),
      consequences: html`<p>Every request made with this key is refused from now on (401)${key.tenantId === undefined ? '' : html`, in the tenant <strong>${nameOf(tenants, key.tenantId)}</strong>`}: ${permissionSummary(key)}. A script or gateway set-up that logs users in with it stops working. The key cannot be restored; a new one has a new value.</p>`,
      action: `/admin/api-keys/${key.id}/delete`,
      cancel: '/admin/api-keys',
    });
  });

  router.action('/api-keys/:id/delete', async (r) => {
    const result = await r.scope.api.call('DELETE', `/api/api-key/${encodeURIComponent(String(r.params.id))}`);
    return { redirect: '/admin/api-keys', flash: result.errors === undefined ? 'Deleted the API key.' : flashOf(result.errors) };
  });
}
