/** Tenants: the list, and the edit form for name, Issuer (the seed's first step) and the JWT time to live. */
import { csrfField, errorSummary, input } from '../components.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { byId, numberOrText } from '../lookups.js';
import { field, takeFlash, type Router } from '../router.js';
import type { FormErrors } from '../api.js';
import type { Tenant } from '../../model/types.js';

function editPage(session: Parameters<typeof page>[0]['session'], tenant: Tenant, values: { name: string; issuer: string; ttl: string }, errors?: FormErrors) {
  return page({
    title: `Edit ${tenant.name}`,
    section: 'tenants',
    session,
    body: html`<h1>Edit tenant <span class="subject">${tenant.name}</span></h1>
${errorSummary(errors, { 'tenant.name': 'tenant-name', 'tenant.issuer': 'tenant-issuer', 'tenant.jwtConfiguration.timeToLiveInSeconds': 'tenant-ttl' })}
<form method="post" action="/admin/tenants/${tenant.id}" class="card">
${csrfField(session!.csrf)}
${input({ name: 'name', label: 'Name', value: values.name, required: true, id: 'tenant-name', errorKey: 'tenant.name', errors })}
${input({ name: 'issuer', label: 'Issuer', value: values.issuer, required: true, id: 'tenant-issuer', errorKey: 'tenant.issuer', errors, hint: 'The iss claim of every token, e.g. https://local.fusionauth.io. The gateway compares it byte for byte: spaces and a trailing slash count.' })}
${input({ name: 'ttl', label: 'JWT time to live (seconds)', type: 'number', value: values.ttl, id: 'tenant-ttl', errorKey: 'tenant.jwtConfiguration.timeToLiveInSeconds', errors, attrs: html` min="1" inputmode="numeric"` })}
<div class="actions"><button type="submit">Save</button> <a href="/admin/tenants">Cancel</a></div>
</form>`,
  });
}

export function registerTenantPages(router: Router): void {
  router.page('/tenants', async ({ session, scope }) => {
    const list = await scope.ctx.storage.tenants.find();
    return page({
      title: 'Tenants',
      section: 'tenants',
      session,
      flash: takeFlash(session),
      body: html`<h1>Tenants</h1>
<div class="table-wrap"><table class="stack"><caption>${list.length} tenant${list.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Issuer</th><th scope="col">JWT TTL (s)</th><th scope="col">Id</th><th scope="col">Action</th></tr></thead>
<tbody>${list.map(
        (t) => html`<tr><td data-label="Name">${t.name}</td><td data-label="Issuer"><code>${t.issuer}</code></td><td data-label="JWT TTL">${t.jwtConfiguration.timeToLiveInSeconds}</td><td data-label="Id" class="id"><code>${t.id}</code></td>
<td><a class="button secondary" href="/admin/tenants/${t.id}/edit" aria-label="Edit tenant ${t.name}">Edit</a></td></tr>`,
      )}</tbody></table></div>`,
    });
  });

  router.page('/tenants/:id/edit', async ({ session, scope, params }) => {
    const tenant = await byId(scope.ctx.storage.tenants, params.id);
    if (tenant === undefined) return { redirect: '/admin/tenants', flash: 'That tenant does not exist.' };
    return editPage(session, tenant, { name: tenant.name, issuer: tenant.issuer, ttl: String(tenant.jwtConfiguration.timeToLiveInSeconds) });
  });

  router.action('/tenants/:id', async ({ session, scope, params, form }) => {
    const tenant = await byId(scope.ctx.storage.tenants, params.id);
    if (tenant === undefined) return { redirect: '/admin/tenants', flash: 'That tenant does not exist.' };
    const values = { name: field(form, 'name'), issuer: typeof form.issuer === 'string' ? form.issuer : '', ttl: field(form, 'ttl') };
    const ttl = numberOrText(values.ttl);
    const result = await scope.api.call('PATCH', `/api/tenant/${tenant.id}`, {
      tenant: { name: values.name, issuer: values.issuer, ...(ttl === undefined ? {} : { jwtConfiguration: { timeToLiveInSeconds: ttl } }) },
    });
    if (result.errors !== undefined) return { status: 400, page: editPage(session, tenant, values, result.errors) };
    return { redirect: '/admin/tenants', flash: `Saved tenant ${values.name}.` };
  });
}
