/**
 * Applications: list, create, view (the Id and the OAuth client id/secret, copyable), edit (name, redirect
 * URLs, grants, JWT settings; roles added and removed one by one, as the API manages them), deactivate,
 * reactivate, delete, and the gateway policy page.
 */
import { copyable, csrfField, errorSummary, input, MAGNIFIER, postButton } from '../components.js';
import { confirmPage } from '../confirm.js';
import { flashOf } from '../readable.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { keys as allKeys, nameOf, tenants as allTenants, byId } from '../lookups.js';
import { checked, field, takeFlash, type AdminRequest, type Router } from '../router.js';
import { ADMIN_APPLICATION_ID } from '../admin-application.js';
import type { Application } from '../../model/types.js';
import { applicationBody, applicationForm, emptyValues, GRANTS, valuesFromForm, type ApplicationFormValues } from './application-form.js';
import { registerGatewayPage } from './gateway.js';

const find = (r: AdminRequest): Promise<Application | undefined> => byId(r.scope.ctx.storage.applications, r.params.id);

const missing = { redirect: '/admin/applications', flash: 'That application does not exist.' };

function status(app: Application) {
  return app.active ? html`<span class="badge on">Active</span>` : html`<span class="badge off">Inactive</span>`;
}

export function registerApplicationPages(router: Router): void {
  router.page('/applications', async ({ session, scope }) => {
    const [list, tenants] = await Promise.all([scope.ctx.storage.applications.find(), allTenants(scope.ctx)]);
    return page({
      title: 'Applications',
      section: 'applications',
      session,
      flash: takeFlash(session),
      body: html`<h1>Applications</h1>
<div class="actions"><a class="button" href="/admin/applications/new">Add application</a></div>
<div class="table-wrap"><table class="stack"><caption>${list.length} application${list.length === 1 ? '' : 's'}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col">Actions</th></tr></thead>
<tbody>${list.map(
        (a) => html`<tr><td data-label="Name">${a.name}</td><td data-label="Id" class="id"><code>${a.id}</code></td><td data-label="Tenant">${nameOf(tenants, a.tenantId)}</td><td data-label="Status">${status(a)}</td>
<td><a class="button secondary" href="/admin/applications/${a.id}" aria-label="View ${a.name}">${MAGNIFIER}View</a> <a class="button secondary" href="/admin/applications/${a.id}/edit" aria-label="Edit ${a.name}">Edit</a> <a class="button secondary" href="/admin/applications/${a.id}/gateway" aria-label="Gateway policy for ${a.name}">Gateway</a></td></tr>`,
      )}</tbody></table></div>`,
    });
  });

  const newPage = async (r: AdminRequest, values: ApplicationFormValues, errors?: Parameters<typeof applicationForm>[0]['errors']) => {
    const [tenants, keys] = await Promise.all([allTenants(r.scope.ctx), allKeys(r.scope.ctx)]);
    return page({
      title: 'Add application',
      section: 'applications',
      session: r.session,
      body: html`<h1>Add application</h1>${applicationForm({ action: '/admin/applications', csrf: r.session.csrf, values: { ...values, tenantId: values.tenantId || (tenants[0]?.id ?? '') }, tenants, keys, create: true, errors })}`,
    });
  };

  router.page('/applications/new', async (r) => newPage(r, emptyValues('')));

  router.action('/applications', async (r) => {
    const values = valuesFromForm(r.form);
    const result = await r.scope.api.call('POST', '/api/application', { application: applicationBody(values, true) }, values.tenantId || undefined);
    if (result.errors !== undefined) return { status: 400, page: await newPage(r, values, result.errors) };
    const app = result.body.application as Application;
    return { redirect: `/admin/applications/${app.id}`, flash: `Added application ${app.name}.` };
  });

  router.page('/applications/:id', async (r) => {
    const app = await find(r);
    if (app === undefined) return missing;
    const [tenants, keys] = await Promise.all([allTenants(r.scope.ctx), allKeys(r.scope.ctx)]);
    const csrf = r.session.csrf;
    const keyLink = (id: string | undefined) => (id === undefined ? html`<em>the tenant's</em>` : html`<a href="/admin/keys/${id}">${nameOf(keys, id)}</a>`);
    return page({
      title: app.name,
      section: 'applications',
      session: r.session,
      flash: takeFlash(r.session),
      body: html`<h1>Application <span class="subject">${app.name}</span> ${status(app)}</h1>
<div class="actions">
<a class="button" href="/admin/applications/${app.id}/edit">Edit</a>
<a class="button secondary" href="/admin/applications/${app.id}/gateway">Gateway policy</a>
${
  app.id === ADMIN_APPLICATION_ID
    ? ''
    : html`${app.active ? postButton(`/admin/applications/${app.id}/deactivate`, csrf, 'Deactivate') : postButton(`/admin/applications/${app.id}/reactivate`, csrf, 'Reactivate')}
<a class="button secondary" href="/admin/applications/${app.id}/delete">Delete…</a>`
}
</div>
<section class="card"><h2>Identifiers</h2>
${copyable('Id', app.id, { id: 'application-id' })}
${copyable('OAuth client id', String(app.oauthConfiguration.clientId), { id: 'client-id' })}
<details><summary>Show the OAuth client secret</summary>${copyable('OAuth client secret', String(app.oauthConfiguration.clientSecret), { id: 'client-secret' })}</details>
</section>
<section class="card"><h2>Settings</h2><dl class="props">
<dt>Tenant</dt><dd>${nameOf(tenants, app.tenantId)}</dd>
<dt>JWT</dt><dd>${app.jwtConfiguration.enabled ? 'Enabled' : 'Disabled (the tenant\u2019s settings apply)'}</dd>
${app.jwtConfiguration.enabled ? html`<dt>Access token signing key</dt><dd>${keyLink(app.jwtConfiguration.accessTokenKeyId)}</dd><dt>Id token signing key</dt><dd>${keyLink(app.jwtConfiguration.idTokenKeyId)}</dd><dt>JWT duration</dt><dd>${app.jwtConfiguration.timeToLiveInSeconds} s</dd>` : ''}
<dt>Roles</dt><dd>${app.roles.length === 0 ? 'none' : app.roles.map((role, i) => html`${i > 0 ? ', ' : ''}<code>${role.name}</code>${role.isDefault ? ' (default)' : ''}`)}</dd>
<dt>Redirect URLs</dt><dd>${((app.oauthConfiguration.authorizedRedirectURLs ?? []) as string[]).map((u) => html`<code>${u}</code><br>`)}</dd>
<dt>Grants</dt><dd>${((app.oauthConfiguration.enabledGrants ?? []) as string[]).map((g) => GRANTS.find(([v]) => v === g)?.[1] ?? g).join(', ')}</dd>
</dl></section>`,
    });
  });

  const editPage = async (r: AdminRequest, app: Application, values: ApplicationFormValues, errors?: Parameters<typeof applicationForm>[0]['errors'], roleErrors?: Parameters<typeof errorSummary>[0]) => {
    const [tenants, keys] = await Promise.all([allTenants(r.scope.ctx), allKeys(r.scope.ctx)]);
    const csrf = r.session.csrf;
    return page({
      title: `Edit ${app.name}`,
      section: 'applications',
      session: r.session,
      flash: takeFlash(r.session),
      body: html`<h1>Edit application <span class="subject">${app.name}</span></h1>
${applicationForm({ action: `/admin/applications/${app.id}`, csrf, values, tenants, keys, create: false, errors })}
<section class="card" aria-labelledby="roles-title"><h2 id="roles-title">Roles</h2>
${errorSummary(roleErrors, { 'role.name': ['role-name', 'Role name'] })}
<div class="table-wrap"><table class="stack"><thead><tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Default</th><th scope="col">Action</th></tr></thead>
<tbody>${app.roles.map(
        (role) => html`<tr><td data-label="Name"><code>${role.name}</code></td><td data-label="Description">${role.description ?? ''}</td><td data-label="Default">${role.isDefault ? 'yes' : 'no'}</td>
<td><a class="button secondary" href="/admin/applications/${app.id}/roles/${role.id}/delete" aria-label="Remove role ${role.name}">Remove…</a></td></tr>`,
      )}</tbody></table></div>
<form method="post" action="/admin/applications/${app.id}/roles">${csrfField(csrf)}
<h3>Add a role</h3>
${input({ name: 'name', label: 'Role name', id: 'role-name', required: true, errorKey: 'role.name', errors: roleErrors })}
${input({ name: 'description', label: 'Description', id: 'role-description' })}
<div class="field"><label><input type="checkbox" name="isDefault"> Default role (given to new registrations without roles)</label></div>
<button type="submit">Add role</button></form>
</section>`,
    });
  };

  const current = (app: Application): ApplicationFormValues => ({
    name: app.name,
    tenantId: app.tenantId,
    redirectUrls: ((app.oauthConfiguration.authorizedRedirectURLs ?? []) as string[]).join('\n'),
    grants: (app.oauthConfiguration.enabledGrants ?? []) as string[],
    jwtEnabled: app.jwtConfiguration.enabled,
    accessTokenKeyId: app.jwtConfiguration.accessTokenKeyId ?? '',
    idTokenKeyId: app.jwtConfiguration.idTokenKeyId ?? '',
    ttl: String(app.jwtConfiguration.timeToLiveInSeconds),
    roles: '',
  });

  router.page('/applications/:id/edit', async (r) => {
    const app = await find(r);
    return app === undefined ? missing : editPage(r, app, current(app));
  });

  router.action('/applications/:id', async (r) => {
    const app = await find(r);
    if (app === undefined) return missing;
    const values = valuesFromForm(r.form);
    const result = await r.scope.api.call('PATCH', `/api/application/${app.id}`, { application: applicationBody(values, false) });
    if (result.errors !== undefined) return { status: 400, page: await editPage(r, app, values, result.errors) };
    return { redirect: `/admin/applications/${app.id}`, flash: `Saved application ${values.name}.` };
  });

  router.action('/applications/:id/roles', async (r) => {
    const app = await find(r);
    if (app === undefined) return missing;
    const description = field(r.form, 'description');
    const result = await r.scope.api.call('POST', `/api/application/${app.id}/role`, {
      role: { name: field(r.form, 'name'), ...(description === '' ? {} : { description }), isDefault: checked(r.form, 'isDefault') },
    });
    if (result.errors !== undefined) return { status: 400, page: await editPage(r, app, current(app), undefined, result.errors) };
    return { redirect: `/admin/applications/${app.id}/edit`, flash: `Added role ${field(r.form, 'name')}.` };
  });

  router.page('/applications/:id/roles/:roleId/delete', async (r) => {
    const app = await find(r);
    if (app === undefined) return missing;
    const role = app.roles.find((x) => x.id === r.params.roleId);
    if (role === undefined) return { redirect: `/admin/applications/${app.id}/edit`, flash: 'That role does not exist.' };
    return confirmPage(r, {
      section: 'applications',
      verb: 'Remove',
      what: 'role',
      name: role.name,
      consequences: html`<p>This removes the role from <strong>${app.name}</strong> and from every registration that has it: tokens issued from now on no longer carry it in <code>roles</code>, and routes that require it refuse those users. Tokens already issued keep it until they expire.</p>`,
      action: `/admin/applications/${app.id}/roles/${role.id}/delete`,
      cancel: `/admin/applications/${app.id}/edit`,
      button: 'Remove the role',
    });
  });

  router.action('/applications/:id/roles/:roleId/delete', async (r) => {
    const app = await find(r);
    if (app === undefined) return missing;
    const result = await r.scope.api.call('DELETE', `/api/application/${app.id}/role/${encodeURIComponent(String(r.params.roleId))}`);
    return { redirect: `/admin/applications/${app.id}/edit`, flash: result.errors === undefined ? 'Removed the role.' : flashOf(result.errors) };
  });

  for (const [path, call, done] of [
    ['deactivate', (id: string) => ['DELETE', `/api/application/${id}`] as const, 'Deactivated'],
    ['reactivate', (id: string) => ['PUT', `/api/application/${id}?reactivate=true`] as const, 'Reactivated'],
  ] as const) {
    router.action(`/applications/:id/${path}`, async (r) => {
      const app = await find(r);
      if (app === undefined) return missing;
      if (app.id === ADMIN_APPLICATION_ID) return { redirect: `/admin/applications/${app.id}`, flash: 'The admin console\u2019s own application cannot be deactivated here.' };
      const [method, url] = call(app.id);
      const result = await r.scope.api.call(method, url);
      return { redirect: `/admin/applications/${app.id}`, flash: result.errors === undefined ? `${done} ${app.name}.` : flashOf(result.errors) };
    });
  }

  router.page('/applications/:id/delete', async (r) => {
    const app = await find(r);
    if (app === undefined) return missing;
    return confirmPage(r, {
      section: 'applications',
      what: 'application',
      name: app.name,
      consequences: html`<p>This permanently deletes the application, its registrations and refresh tokens. Its keys stay in Key Master. Tokens already issued stay valid until they expire.</p>`,
      action: `/admin/applications/${app.id}/delete`,
      cancel: `/admin/applications/${app.id}`,
    });
  });

  router.action('/applications/:id/delete', async (r) => {
    const app = await find(r);
    if (app === undefined) return missing;
    if (app.id === ADMIN_APPLICATION_ID) return { redirect: `/admin/applications/${app.id}`, flash: 'The admin console\u2019s own application cannot be deleted here.' };
    const result = await r.scope.api.call('DELETE', `/api/application/${app.id}?hardDelete=true`);
    return { redirect: '/admin/applications', flash: result.errors === undefined ? `Deleted ${app.name}.` : flashOf(result.errors) };
  });

  registerGatewayPage(router, find);
}
