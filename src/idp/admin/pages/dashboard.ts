/** The console's home: the seed's set-up steps, each a link to its screen, with counts. */
import { html } from '../html.js';
import { page } from '../layout.js';
import { takeFlash, type Router } from '../router.js';

export function registerDashboard(router: Router): void {
  router.page('/', async ({ session, scope }) => {
    const { storage } = scope.ctx;
    const [tenants, applications, users, keys, apiKeys] = await Promise.all([
      storage.tenants.count(),
      storage.applications.count(),
      storage.users.count(),
      storage.keys.count(),
      storage.apiKeys.count(),
    ]);
    return page({
      title: 'Home',
      section: 'home',
      session,
      flash: takeFlash(session),
      body: html`<h1>Gatehouse admin console</h1>
<p>The set-up the HAProxy + FusionAuth walkthrough does, in order:</p>
<ol class="card steps">
<li><a href="/admin/tenants">Tenants</a> (${tenants}): set the <strong>Issuer</strong>.</li>
<li><a href="/admin/applications">Applications</a> (${applications}): add one with JWT enabled and keys generated on save; note its Id.</li>
<li><a href="/admin/keys">Key Master</a> (${keys}): copy the access token key's public key into <code>pubkey.pem</code>.</li>
<li><a href="/admin/api-keys">API Keys</a> (${apiKeys}): add a key allowed to <code>POST /api/login</code>.</li>
<li><a href="/admin/users">Users</a> (${users}): add a user with a password and register them to the application.</li>
<li>Each application's <strong>Gateway</strong> page has the <code>gatehouse.yaml</code> policy to paste.</li>
</ol>${scope.ctx.devMailbox === undefined ? '' : html`
<p>Emails sent (reset password, verify email): the <a href="/admin/mail">development mailbox</a>.</p>`}`,
    });
  });
}
