/**
 * Changing a user: the details form (email, username, first and last name; PATCH /api/user, an emptied
 * field is removed), setting a password (typed twice; the tenant's password rules apply, as on the API),
 * and deleting the user with their registrations and refresh tokens after a confirmation. An administrator
 * cannot delete their own account here; a deleted or re-passworded user's console sessions end.
 */
import type { FormErrors } from '../api.js';
import { csrfField, errorSummary, input } from '../components.js';
import { confirmPage } from '../confirm.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { nameOf } from '../lookups.js';
import { flashOf } from '../readable.js';
import { field, type AdminRequest, type Router } from '../router.js';
import type { User } from '../../model/types.js';

interface Details {
  email: string;
  username: string;
  firstName: string;
  lastName: string;
}

const DETAIL_FIELDS = {
  'user.email': ['edit-email', 'Email'],
  'user.username': ['edit-username', 'Username'],
  'user.firstName': ['edit-first', 'First name'],
  'user.lastName': ['edit-last', 'Last name'],
} as const;

const PASSWORD_FIELDS = { 'user.password': ['new-password', 'New password'] } as const;

export function loginOf(user: User): string {
  return user.email ?? user.username ?? user.id;
}

function detailsPage(r: AdminRequest, user: User, values: Details, errors?: FormErrors) {
  return page({
    title: `Edit ${loginOf(user)}`,
    section: 'users',
    session: r.session,
    body: html`<h1>Edit user <span class="subject">${loginOf(user)}</span></h1>
${errorSummary(errors, DETAIL_FIELDS)}
<form method="post" action="/admin/users/${user.id}" class="card">${csrfField(r.session.csrf)}
${input({ name: 'email', label: 'Email', type: 'email', value: values.email, id: 'edit-email', autocomplete: 'off', errorKey: 'user.email', errors, hint: 'The login id. Email or username is required.' })}
${input({ name: 'username', label: 'Username', value: values.username, id: 'edit-username', autocomplete: 'off', errorKey: 'user.username', errors })}
${input({ name: 'firstName', label: 'First name', value: values.firstName, id: 'edit-first', autocomplete: 'off', errorKey: 'user.firstName', errors })}
${input({ name: 'lastName', label: 'Last name', value: values.lastName, id: 'edit-last', autocomplete: 'off', errorKey: 'user.lastName', errors })}
<div class="actions"><button type="submit">Save</button> <a href="/admin/users/${user.id}">Cancel</a></div></form>`,
  });
}

function passwordPage(r: AdminRequest, user: User, errors?: FormErrors) {
  return page({
    title: `Set the password of ${loginOf(user)}`,
    section: 'users',
    session: r.session,
    body: html`<h1>Set the password of <span class="subject">${loginOf(user)}</span></h1>
${errorSummary(errors, { ...PASSWORD_FIELDS, confirm: ['confirm-password', 'Type it again'] })}
<form method="post" action="/admin/users/${user.id}/password" class="card">${csrfField(r.session.csrf)}
${input({ name: 'password', label: 'New password', type: 'password', required: true, id: 'new-password', autocomplete: 'new-password', errorKey: 'user.password', errors })}
${input({ name: 'confirm', label: 'Type it again', type: 'password', required: true, id: 'confirm-password', autocomplete: 'new-password', errorKey: 'confirm', errors })}
<p class="hint">The user signs in with it from now on; nothing is sent to them. Their refresh tokens stay valid.</p>
<div class="actions"><button type="submit">Set password</button> <a href="/admin/users/${user.id}">Cancel</a></div></form>`,
  });
}

/** A form value for the API: an emptied field is removed (`null` in a merge patch). */
const orNull = (value: string): string | null => (value === '' ? null : value);

export function registerUserEditPages(router: Router, find: (r: AdminRequest) => Promise<User | undefined>, missing: { redirect: string; flash: string }): void {
  router.page('/users/:id/edit', async (r) => {
    const user = await find(r);
    if (user === undefined) return missing;
    return detailsPage(r, user, { email: user.email ?? '', username: user.username ?? '', firstName: user.firstName ?? '', lastName: user.lastName ?? '' });
  });

  router.action('/users/:id', async (r) => {
    const user = await find(r);
    if (user === undefined) return missing;
    const values: Details = { email: field(r.form, 'email'), username: field(r.form, 'username'), firstName: field(r.form, 'firstName'), lastName: field(r.form, 'lastName') };
    const result = await r.scope.api.call('PATCH', `/api/user/${user.id}`, {
      user: { email: orNull(values.email), username: orNull(values.username), firstName: orNull(values.firstName), lastName: orNull(values.lastName) },
    });
    if (result.errors !== undefined) return { status: 400, page: detailsPage(r, user, values, result.errors) };
    return { redirect: `/admin/users/${user.id}`, flash: `Saved user ${values.email || values.username}.` };
  });

  router.page('/users/:id/password', async (r) => {
    const user = await find(r);
    return user === undefined ? missing : passwordPage(r, user);
  });

  router.action('/users/:id/password', async (r) => {
    const user = await find(r);
    if (user === undefined) return missing;
    // a password is taken as typed: no trimming
    const password = typeof r.form.password === 'string' ? r.form.password : '';
    const confirm = typeof r.form.confirm === 'string' ? r.form.confirm : '';
    if (password !== '' && password !== confirm) return { status: 400, page: passwordPage(r, user, { general: [], fields: { confirm: ['The two passwords differ: type the same password twice.'] } }) };
    if (password === '') return { status: 400, page: passwordPage(r, user, { general: [], fields: { 'user.password': ['Type the new password.'] } }) };
    const result = await r.scope.api.call('PATCH', `/api/user/${user.id}`, { user: { password } });
    if (result.errors !== undefined) return { status: 400, page: passwordPage(r, user, result.errors) };
    r.scope.ctx.logger.info({ event: 'admin.password_set', userId: user.id, by: r.session.userId }, 'admin console set a user\u2019s password');
    // the user's console sessions end; an administrator setting their own password stays signed in
    if (user.id !== r.session.userId) await r.scope.sessions.destroyUser(user.id);
    return { redirect: `/admin/users/${user.id}`, flash: `Set the password of ${loginOf(user)}.` };
  });

  router.page('/users/:id/delete', async (r) => {
    const user = await find(r);
    if (user === undefined) return missing;
    if (user.id === r.session.userId) return { redirect: `/admin/users/${user.id}`, flash: 'You cannot delete your own account.' };
    const { storage } = r.scope.ctx;
    const [registrations, applications] = await Promise.all([storage.registrations.find({ user_id: user.id }), storage.applications.find()]);
    return confirmPage(r, {
      section: 'users',
      what: 'user',
      name: loginOf(user),
      consequences: html`<p>This permanently deletes the user, ${
        registrations.length === 0 ? 'who has no registrations' : html`their registration${registrations.length === 1 ? '' : 's'} to ${registrations.map((reg, i) => html`${i > 0 ? ', ' : ''}<strong>${nameOf(applications, reg.applicationId)}</strong>`)}`
      }, and their refresh tokens: they can no longer sign in. Tokens already issued to them stay valid until they expire. To stop sign-ins but keep the account, lock it instead.</p>`,
      action: `/admin/users/${user.id}/delete`,
      cancel: `/admin/users/${user.id}`,
    });
  });

  router.action('/users/:id/delete', async (r) => {
    const user = await find(r);
    if (user === undefined) return missing;
    if (user.id === r.session.userId) return { redirect: `/admin/users/${user.id}`, flash: 'You cannot delete your own account.' };
    const result = await r.scope.api.call('DELETE', `/api/user/${user.id}?hardDelete=true`);
    if (result.errors !== undefined) return { redirect: `/admin/users/${user.id}`, flash: flashOf(result.errors) };
    await r.scope.sessions.destroyUser(user.id);
    return { redirect: '/admin/users', flash: `Deleted user ${loginOf(user)}.` };
  });
}
