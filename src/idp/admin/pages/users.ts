/**
 * Users: list and search, add (email, password; no email is ever sent), the user's page with its
 * registrations, lock (deactivate: logins answer 423, refresh tokens revoked) and unlock (reactivate and
 * clear a failed-login lockout), adding a registration to an application with roles and removing one after
 * a confirmation. Editing, setting a password and deleting are in user-edit.ts.
 */
import type { FormErrors } from '../api.js';
import { csrfField, errorSummary, formatInstant, input, postButton, select, tabs, toggle } from '../components.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { nameOf, tenants as allTenants, byId } from '../lookups.js';
import { field, fields, takeFlash, type AdminRequest, type Router } from '../router.js';
import type { User } from '../../model/types.js';
import { ADMIN_APPLICATION_ID } from '../admin-application.js';
import { confirmPage } from '../confirm.js';
import { flashOf } from '../readable.js';
import { loginOf, registerUserEditPages } from './user-edit.js';

const PAGE_SIZE = 100;

const find = (r: AdminRequest): Promise<User | undefined> => byId(r.scope.ctx.storage.users, r.params.id);

const missing = { redirect: '/admin/users', flash: 'That user does not exist.' };

function displayName(u: User): string {
  return [u.firstName, u.lastName].filter((x) => x !== undefined).join(' ') || (u.fullName ?? '');
}

export function matches(u: User, q: string): boolean {
  if (q === '') return true;
  const needle = q.toLowerCase();
  return [u.email, u.username, u.firstName, u.lastName, u.fullName, u.id].some((v) => typeof v === 'string' && v.toLowerCase().includes(needle));
}

interface NewUser {
  email: string;
  firstName: string;
  lastName: string;
  tenantId: string;
}

export function registerUserPages(router: Router): void {
  router.page('/users', async (r) => {
    const q = (r.query.q ?? '').trim().slice(0, 200);
    const [all, tenants] = await Promise.all([r.scope.ctx.storage.users.find(), allTenants(r.scope.ctx)]);
    const found = all.filter((u) => matches(u, q));
    const shown = found.slice(0, PAGE_SIZE);
    return page({
      title: 'Users',
      section: 'users',
      session: r.session,
      flash: takeFlash(r.session),
      body: html`<h1>Users</h1>
<div class="actions"><a class="button" href="/admin/users/new">Add user</a></div>
<form method="get" action="/admin/users" role="search" class="card">
${input({ name: 'q', label: 'Search by email, username, name or id', type: 'search', value: q, id: 'user-search' })}
<button type="submit">Search</button></form>
<div class="table-wrap"><table class="stack"><caption>${found.length} user${found.length === 1 ? '' : 's'}${found.length > shown.length ? ` (first ${shown.length} shown; narrow the search)` : ''}</caption>
<thead><tr><th scope="col">Login</th><th scope="col">Name</th><th scope="col">Tenant</th><th scope="col">Status</th><th scope="col">Action</th></tr></thead>
<tbody>${shown.map(
        (u) => html`<tr><td data-label="Login">${u.email ?? u.username}</td><td data-label="Name">${displayName(u)}</td><td data-label="Tenant">${nameOf(tenants, u.tenantId)}</td>
<td data-label="Status">${u.active ? html`<span class="badge on">Active</span>` : html`<span class="badge off">Locked</span>`}</td>
<td><a class="button secondary" href="/admin/users/${u.id}" aria-label="Manage ${u.email ?? u.username ?? u.id}">Manage</a></td></tr>`,
      )}</tbody></table></div>`,
    });
  });

  const newPage = async (r: AdminRequest, values: NewUser, errors?: FormErrors) => {
    const tenants = await allTenants(r.scope.ctx);
    return page({
      title: 'Add user',
      section: 'users',
      session: r.session,
      body: html`<h1>Add user</h1>
${errorSummary(errors, { 'user.email': ['user-email', 'Email'], 'user.password': ['user-password', 'Password'] })}
<form method="post" action="/admin/users" class="card">${csrfField(r.session.csrf)}
${tenants.length > 1 ? select({ name: 'tenantId', label: 'Tenant', options: tenants.map((t): [string, string] => [t.id, t.name]), value: values.tenantId, id: 'user-tenant' }) : html`<input type="hidden" name="tenantId" value="${tenants[0]?.id ?? ''}">`}
${input({ name: 'email', label: 'Email', type: 'email', value: values.email, required: true, id: 'user-email', autocomplete: 'off', errorKey: 'user.email', errors })}
${toggle({ name: 'sendSetPasswordEmail', label: 'Send email to set up password', checked: false, disabled: true, id: 'user-send-email', hint: 'Gatehouse sends no email: type the password below.' })}
${input({ name: 'password', label: 'Password', type: 'password', required: true, id: 'user-password', autocomplete: 'new-password', errorKey: 'user.password', errors })}
${input({ name: 'firstName', label: 'First name', value: values.firstName, id: 'user-first', autocomplete: 'off' })}
${input({ name: 'lastName', label: 'Last name', value: values.lastName, id: 'user-last', autocomplete: 'off' })}
<div class="actions"><button type="submit">Save</button> <a href="/admin/users">Cancel</a></div></form>`,
    });
  };

  router.page('/users/new', async (r) => newPage(r, { email: '', firstName: '', lastName: '', tenantId: '' }));
  router.action('/users', async (r) => {
    const values: NewUser = { email: field(r.form, 'email'), firstName: field(r.form, 'firstName'), lastName: field(r.form, 'lastName'), tenantId: field(r.form, 'tenantId') };
    const password = typeof r.form.password === 'string' ? r.form.password : '';
    const user: Record<string, string> = { email: values.email, password };
    if (values.firstName !== '') user.firstName = values.firstName;
    if (values.lastName !== '') user.lastName = values.lastName;
    const result = await r.scope.api.call('POST', '/api/user', { user, skipVerification: true }, values.tenantId === '' ? undefined : values.tenantId);
    if (result.errors !== undefined) return { status: 400, page: await newPage(r, values, result.errors) };
    return { redirect: `/admin/users/${result.body.user.id}`, flash: `Added user ${values.email}.` };
  });

  router.page('/users/:id', async (r) => {
    const user = await find(r);
    if (user === undefined) return missing;
    const { storage } = r.scope.ctx;
    const [registrations, applications, tenants, lock] = await Promise.all([
      storage.registrations.find({ user_id: user.id }),
      storage.applications.find(),
      allTenants(r.scope.ctx),
      storage.lockState(user.id),
    ]);
    const csrf = r.session.csrf;
    const lockedOut = lock.lockedUntil > r.scope.ctx.now();
    const self = user.id === r.session.userId;
    return page({
      title: user.email ?? user.username ?? user.id,
      section: 'users',
      session: r.session,
      flash: takeFlash(r.session),
      body: html`<h1>User <span class="subject">${user.email ?? user.username}</span> ${user.active && !lockedOut ? html`<span class="badge on">Active</span>` : html`<span class="badge off">Locked</span>`}</h1>
<div class="actions"><a class="button" href="/admin/users/${user.id}/edit">Edit</a> <a class="button secondary" href="/admin/users/${user.id}/password">Set password</a> ${
        self
          ? html`<p class="hint">This is you: you cannot lock or delete your own account here.</p>`
          : html`${user.active && !lockedOut ? postButton(`/admin/users/${user.id}/lock`, csrf, 'Lock account', { danger: true }) : postButton(`/admin/users/${user.id}/unlock`, csrf, 'Unlock account')} <a class="button secondary" href="/admin/users/${user.id}/delete">Delete…</a>`
      }</div>
<div class="card">${tabs('User', [
  ['details', 'Details', html`<dl class="props">
<dt>Id</dt><dd><code>${user.id}</code></dd>
<dt>Email</dt><dd>${user.email ?? ''}</dd>
${user.username === undefined ? '' : html`<dt>Username</dt><dd>${user.username}</dd>`}
<dt>Name</dt><dd>${displayName(user)}</dd>
<dt>Tenant</dt><dd>${nameOf(tenants, user.tenantId)}</dd>
<dt>Created</dt><dd>${formatInstant(user.insertInstant)}</dd>
<dt>Last login</dt><dd>${formatInstant(user.lastLoginInstant) || 'never'}</dd>
${lockedOut ? html`<dt>Failed logins</dt><dd>Locked out until ${formatInstant(lock.lockedUntil)}</dd>` : ''}
</dl>`],
  ['registrations', 'Registrations', html`<div class="actions"><a class="button" href="/admin/users/${user.id}/registrations/new">Add Registration</a></div>
<div class="table-wrap"><table class="stack"><thead><tr><th scope="col">Application</th><th scope="col">Roles</th><th scope="col">Created</th><th scope="col">Action</th></tr></thead>
<tbody>${registrations.map(
        (reg) => html`<tr><td data-label="Application">${nameOf(applications, reg.applicationId)}</td><td data-label="Roles">${reg.roles.join(', ') || 'none'}</td><td data-label="Created">${formatInstant(reg.insertInstant)}</td>
<td><a class="button secondary" href="/admin/users/${user.id}/registrations/${reg.applicationId}/delete" aria-label="Remove the registration to ${nameOf(applications, reg.applicationId)}">Remove…</a></td></tr>`,
      )}</tbody></table></div>`],
])}</div>`,
    });
  });

  for (const [action, label] of [
    ['lock', 'Locked'],
    ['unlock', 'Unlocked'],
  ] as const) {
    router.action(`/users/:id/${action}`, async (r) => {
      const user = await find(r);
      if (user === undefined) return missing;
      if (user.id === r.session.userId) return { redirect: `/admin/users/${user.id}`, flash: 'You cannot lock your own account.' };
      const result = action === 'lock' ? await r.scope.api.call('DELETE', `/api/user/${user.id}`) : await r.scope.api.call('PUT', `/api/user/${user.id}?reactivate=true`);
      if (result.errors !== undefined) return { redirect: `/admin/users/${user.id}`, flash: flashOf(result.errors) };
      if (action === 'lock') await r.scope.sessions.destroyUser(user.id);
      else await r.scope.ctx.storage.clearLoginFailures(user.id);
      return { redirect: `/admin/users/${user.id}`, flash: `${label} ${user.email ?? user.username ?? user.id}.` };
    });
  }

  const registrationPage = async (r: AdminRequest, user: User, values: { applicationId: string; roles: string[] }, errors?: FormErrors) => {
    const { storage } = r.scope.ctx;
    const registered = new Set((await storage.registrations.find({ user_id: user.id })).map((reg) => reg.applicationId));
    // the console's own application last, so that granting admin is never the default choice
    const apps = (await storage.applications.find({ tenant_id: user.tenantId }))
      .filter((a) => a.active && !registered.has(a.id))
      .sort((a, b) => Number(a.id === ADMIN_APPLICATION_ID) - Number(b.id === ADMIN_APPLICATION_ID));
    const chosen = values.applicationId || (apps[0]?.id ?? '');
    return page({
      title: 'Add registration',
      section: 'users',
      session: r.session,
      body: html`<h1>Add registration for <span class="subject">${user.email ?? user.username}</span></h1>
${errorSummary(errors, { 'registration.applicationId': ['reg-app', 'Application'] })}
${
  apps.length === 0
    ? html`<p class="card">This user is registered to every active application of its tenant.</p>`
    : html`<form method="post" action="/admin/users/${user.id}/registrations" class="card">${csrfField(r.session.csrf)}
${select({ name: 'applicationId', label: 'Application', options: apps.map((a): [string, string] => [a.id, a.name]), value: chosen, id: 'reg-app', errorKey: 'registration.applicationId', errors, attrs: html` data-roles-for="roles"` })}
${apps.map(
  (a) => html`<fieldset data-app="${a.id}"><legend>Roles in ${a.name}</legend>${
    a.roles.length === 0
      ? html`<p class="hint">This application has no roles.</p>`
      : html`<div class="checks">${a.roles.map((role) => html`<label><input type="checkbox" name="roles:${a.id}" value="${role.name}"${values.applicationId === a.id && values.roles.includes(role.name) ? html` checked` : ''}> ${role.name}${role.isDefault ? ' (default)' : ''}</label>`)}</div>`
  }</fieldset>`,
)}
<p class="hint">No role ticked: the application's default roles.</p>
<div class="actions"><button type="submit">Save</button> <a href="/admin/users/${user.id}">Cancel</a></div></form>`
}`,
    });
  };

  router.page('/users/:id/registrations/new', async (r) => {
    const user = await find(r);
    return user === undefined ? missing : registrationPage(r, user, { applicationId: '', roles: [] });
  });

  router.action('/users/:id/registrations', async (r) => {
    const user = await find(r);
    if (user === undefined) return missing;
    const applicationId = field(r.form, 'applicationId');
    const roles = fields(r.form, `roles:${applicationId}`);
    const result = await r.scope.api.call('POST', `/api/user/registration/${user.id}`, { registration: { applicationId, ...(roles.length === 0 ? {} : { roles }) } });
    if (result.errors !== undefined) return { status: 400, page: await registrationPage(r, user, { applicationId, roles }, result.errors) };
    return { redirect: `/admin/users/${user.id}#panel-registrations`, flash: 'Added the registration.' };
  });

  router.page('/users/:id/registrations/:applicationId/delete', async (r) => {
    const user = await find(r);
    if (user === undefined) return missing;
    const application = await byId(r.scope.ctx.storage.applications, r.params.applicationId);
    const registered = application !== undefined && (await r.scope.ctx.storage.registrations.find({ user_id: user.id })).some((reg) => reg.applicationId === application.id);
    if (application === undefined || !registered) return { redirect: `/admin/users/${user.id}#panel-registrations`, flash: 'That registration does not exist.' };
    const admin = application.id === ADMIN_APPLICATION_ID;
    return confirmPage(r, {
      section: 'users',
      verb: 'Remove',
      what: 'the registration to',
      name: application.name,
      consequences: html`<p><strong>${loginOf(user)}</strong> loses their roles in <strong>${application.name}</strong>: a login to it answers 202 with a token without <code>applicationId</code> or <code>roles</code>, which a gateway with <code>require_registration</code> refuses.${admin ? html` This is the admin console's own application: they can no longer sign in to this console.` : ''} Tokens already issued keep their roles until they expire.</p>`,
      action: `/admin/users/${user.id}/registrations/${application.id}/delete`,
      cancel: `/admin/users/${user.id}#panel-registrations`,
      button: 'Remove the registration',
    });
  });

  router.action('/users/:id/registrations/:applicationId/delete', async (r) => {
    const user = await find(r);
    if (user === undefined) return missing;
    const result = await r.scope.api.call('DELETE', `/api/user/registration/${user.id}/${encodeURIComponent(String(r.params.applicationId))}`);
    return { redirect: `/admin/users/${user.id}#panel-registrations`, flash: result.errors === undefined ? 'Removed the registration.' : flashOf(result.errors) };
  });

  registerUserEditPages(router, find, missing);
}
