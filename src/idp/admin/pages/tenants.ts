/**
 * Tenants: the list, adding one (name, Issuer, JWT time to live), the edit form for the same fields (the
 * Issuer is the seed's first step), and deleting a tenant with everything in it, after a confirmation.
 * The default tenant and the tenant of the console's own application cannot be deleted here.
 */
import { csrfField, errorSummary, input } from '../components.js';
import { confirmPage } from '../confirm.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { byId, numberOrText } from '../lookups.js';
import { flashOf } from '../readable.js';
import { field, takeFlash, type AdminRequest, type Form, type Router } from '../router.js';
import { ADMIN_APPLICATION_ID } from '../admin-application.js';
import type { FormErrors } from '../api.js';
import type { Tenant } from '../../model/types.js';

interface TenantValues {
  name: string;
  issuer: string;
  ttl: string;
}

const FIELDS = {
  'tenant.name': ['tenant-name', 'Name'],
  'tenant.issuer': ['tenant-issuer', 'Issuer'],
  'tenant.jwtConfiguration.timeToLiveInSeconds': ['tenant-ttl', 'JWT time to live (seconds)'],
} as const;

function valuesOf(form: Form): TenantValues {
  return { name: field(form, 'name'), issuer: typeof form.issuer === 'string' ? form.issuer : '', ttl: field(form, 'ttl') };
}

/** The API's `tenant` object: a blank time to live is left out (the default, or unchanged). */
function tenantBody(values: TenantValues): Record<string, unknown> {
  const ttl = numberOrText(values.ttl);
  return { name: values.name, issuer: values.issuer, ...(ttl === undefined ? {} : { jwtConfiguration: { timeToLiveInSeconds: ttl } }) };
}

/** The add and the edit form (`tenant` undefined: add). */
function formPage(r: AdminRequest, tenant: Tenant | undefined, values: TenantValues, errors?: FormErrors) {
  const title = tenant === undefined ? 'Add tenant' : `Edit ${tenant.name}`;
  return page({
    title,
    section: 'tenants',
    session: r.session,
    body: html`<h1>${tenant === undefined ? 'Add tenant' : html`Edit tenant <span class="subject">${tenant.name}</span>`}</h1>
${errorSummary(errors, FIELDS)}
<form method="post" action="${tenant === undefined ? '/admin/tenants' : `/admin/tenants/${tenant.id}`}" class="card">
${csrfField(r.session.csrf)}
${input({ name: 'name', label: 'Name', value: values.name, required: true, id: 'tenant-name', errorKey: 'tenant.name', errors })}
${input({ name: 'issuer', label: 'Issuer', value: values.issuer, required: true, id: 'tenant-issuer', errorKey: 'tenant.issuer', errors, hint: 'The iss claim of every token, e.g. https://local.fusionauth.io. The gateway compares it byte for byte: spaces and a trailing slash count.' })}
${input({ name: 'ttl', label: 'JWT time to live (seconds)', type: 'number', value: values.ttl, id: 'tenant-ttl', errorKey: 'tenant.jwtConfiguration.timeToLiveInSeconds', errors, attrs: html` min="1" inputmode="numeric"`, ...(tenant === undefined ? { hint: 'Empty: 3600 (one hour).' } : {}) })}
<div class="actions"><button type="submit">Save</button> <a href="/admin/tenants">Cancel</a></div>
</form>`,
  });
}

/** The tenants the console does not delete: the default one (the API refuses it) and the console's own. */
async function protectedTenants(r: { scope: AdminRequest['scope'] }): Promise<Map<string, string>> {
  const { storage } = r.scope.ctx;
  const reasons = new Map<string, string>();
  const own = (await storage.applications.get(ADMIN_APPLICATION_ID))?.tenantId;
  if (own !== undefined) reasons.set(own, 'This tenant holds the admin console\u2019s own application: deleting it would lock every administrator out.');
  const defaultId = await storage.getSetting('defaultTenantId');
  if (defaultId !== undefined) reasons.set(defaultId, 'The default tenant cannot be deleted.');
  return reasons;
}

/** Why a tenant cannot be deleted from the console, or undefined when it can. */
async function undeletable(r: AdminRequest, tenant: Tenant): Promise<string | undefined> {
  return (await protectedTenants(r)).get(tenant.id);
}

export function registerTenantPages(router: Router): void {
  router.page('/tenants', async ({ session, scope }) => {
    const [list, kept] = await Promise.all([scope.ctx.storage.tenants.find(), protectedTenants({ scope })]);
    return page({
      title: 'Tenants',
      section: 'tenants',
      session,
      flash: takeFlash(session),
      body: html`<h1>Tenants</h1>
<div class="actions"><a class="button" href="/admin/tenants/new">Add tenant</a></div>
<div class="table-wrap"><table class="stack"><caption>${list.length} tenant${list.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Issuer</th><th scope="col">JWT TTL (s)</th><th scope="col">Id</th><th scope="col">Action</th></tr></thead>
<tbody>${list.map(
        (t) => html`<tr><td data-label="Name">${t.name}</td><td data-label="Issuer"><code>${t.issuer}</code></td><td data-label="JWT TTL">${t.jwtConfiguration.timeToLiveInSeconds}</td><td data-label="Id" class="id"><code>${t.id}</code></td>
<td><a class="button secondary" href="/admin/tenants/${t.id}/edit" aria-label="Edit tenant ${t.name}">Edit</a>${kept.has(t.id) ? '' : html` <a class="button secondary" href="/admin/tenants/${t.id}/delete" aria-label="Delete tenant ${t.name}">Delete…</a>`}</td></tr>`,
      )}</tbody></table></div>`,
    });
  });

  router.page('/tenants/new', async (r) => formPage(r, undefined, { name: '', issuer: '', ttl: '' }));

  router.action('/tenants', async (r) => {
    const values = valuesOf(r.form);
    const result = await r.scope.api.call('POST', '/api/tenant', { tenant: tenantBody(values) });
    if (result.errors !== undefined) return { status: 400, page: formPage(r, undefined, values, result.errors) };
    return { redirect: '/admin/tenants', flash: `Added tenant ${values.name}.` };
  });

  router.page('/tenants/:id/edit', async (r) => {
    const tenant = await byId(r.scope.ctx.storage.tenants, r.params.id);
    if (tenant === undefined) return { redirect: '/admin/tenants', flash: 'That tenant does not exist.' };
    return formPage(r, tenant, { name: tenant.name, issuer: tenant.issuer, ttl: String(tenant.jwtConfiguration.timeToLiveInSeconds) });
  });

  router.action('/tenants/:id', async (r) => {
    const tenant = await byId(r.scope.ctx.storage.tenants, r.params.id);
    if (tenant === undefined) return { redirect: '/admin/tenants', flash: 'That tenant does not exist.' };
    const values = valuesOf(r.form);
    const result = await r.scope.api.call('PATCH', `/api/tenant/${tenant.id}`, { tenant: tenantBody(values) });
    if (result.errors !== undefined) return { status: 400, page: formPage(r, tenant, values, result.errors) };
    return { redirect: '/admin/tenants', flash: `Saved tenant ${values.name}.` };
  });

  router.page('/tenants/:id/delete', async (r) => {
    const tenant = await byId(r.scope.ctx.storage.tenants, r.params.id);
    if (tenant === undefined) return { redirect: '/admin/tenants', flash: 'That tenant does not exist.' };
    const refused = await undeletable(r, tenant);
    if (refused !== undefined) {
      return page({
        title: `${tenant.name} cannot be deleted`,
        section: 'tenants',
        session: r.session,
        body: html`<h1>Tenant <span class="subject">${tenant.name}</span> cannot be deleted</h1><p class="card">${refused}</p><p><a href="/admin/tenants">Back to the tenants</a></p>`,
      });
    }
    const { storage } = r.scope.ctx;
    const [applications, users] = await Promise.all([storage.applications.find({ tenant_id: tenant.id }), storage.users.find({ tenant_id: tenant.id })]);
    return confirmPage(r, {
      section: 'tenants',
      what: 'tenant',
      name: tenant.name,
      consequences: html`<p>This permanently deletes the tenant and everything in it: ${applications.length} application${applications.length === 1 ? '' : 's'}, ${users.length} user${users.length === 1 ? '' : 's'} with their registrations and refresh tokens, and the API keys scoped to it. Keys in Key Master stay. Tokens already issued with the issuer <code>${tenant.issuer}</code> stay valid until they expire.</p>`,
      action: `/admin/tenants/${tenant.id}/delete`,
      cancel: '/admin/tenants',
    });
  });

  router.action('/tenants/:id/delete', async (r) => {
    const tenant = await byId(r.scope.ctx.storage.tenants, r.params.id);
    if (tenant === undefined) return { redirect: '/admin/tenants', flash: 'That tenant does not exist.' };
    const refused = await undeletable(r, tenant);
    if (refused !== undefined) return { redirect: '/admin/tenants', flash: refused };
    const result = await r.scope.api.call('DELETE', `/api/tenant/${tenant.id}`);
    return { redirect: '/admin/tenants', flash: result.errors === undefined ? `Deleted tenant ${tenant.name}.` : flashOf(result.errors) };
  });
}
