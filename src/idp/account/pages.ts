/**
 * The self-service two-factor pages (FusionAuth's `/account/two-factor` is the model): sign in (password,
 * then a code when two-factor is on), see the methods, add an authenticator app (the secret in Base32 and an
 * `otpauth://` link, confirmed with a first code), remove a method with a code, and the recovery codes
 * shown once. Plain HTML forms with the CSRF token; no JavaScript.
 */
import { escapeHtml, page, type Look } from '../oauth/html.js';
import type { TwoFactorMethod } from '../model/types.js';

const hidden = (name: string, value: string | undefined): string => (value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">\n`);
const alert = (error: string | undefined): string => (error === undefined ? '' : `<p id="error" class="error" role="alert">${escapeHtml(error)}</p>\n`);
const invalid = (error: string | undefined): string => (error === undefined ? '' : ' aria-invalid="true" aria-describedby="error"');

export interface Common {
  /** The page's look; the same must go to sendPage. */
  look: Look;
  csrf: string;
  clientId?: string;
  error?: string;
}

export function signInPage(model: Common & { loginId?: string }): string {
  return page(
    'Sign in · Your account',
    `<h1>Sign in</h1>
<p class="app">to manage two-factor authentication</p>
${alert(model.error)}<form method="post" action="/account/sign-in" novalidate>
${hidden('csrf', model.csrf)}${hidden('client_id', model.clientId)}<label for="loginId">Email or username</label>
<input id="loginId" name="loginId" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(model.loginId ?? '')}"${invalid(model.error)}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid(model.error)}>
<button type="submit">Sign in</button>
</form>`,
    model.look,
  );
}

export function signInCodePage(model: Common & { twoFactorId: string }): string {
  return page(
    "Verify it's you · Your account",
    `<h1>Verify it's you</h1>
<p class="app" id="code-hint">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
${alert(model.error)}<form method="post" action="/account/sign-in/two-factor" novalidate>
${hidden('csrf', model.csrf)}${hidden('client_id', model.clientId)}${hidden('twoFactorId', model.twoFactorId)}<label for="code">Verification code</label>
<input id="code" name="code" type="text" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required aria-describedby="code-hint"${model.error === undefined ? '' : ' aria-invalid="true"'}>
<button type="submit">Verify</button>
</form>`,
    model.look,
  );
}

export interface ManageModel extends Common {
  email: string;
  methods: readonly TwoFactorMethod[];
  /** The new secret offered for an authenticator app: the FusionAuth secret, its Base32 and the otpauth URI. */
  secret: string;
  secretBase32: string;
  otpauth: string;
  notice?: string;
}

function methodRow(method: TwoFactorMethod, model: ManageModel): string {
  const label = method.name ?? (method.method === 'email' ? `Email to ${method.email ?? ''}` : 'Authenticator app');
  return `<li><strong>${escapeHtml(label)}</strong> <span class="app">(${escapeHtml(method.id)})</span>
<form method="post" action="/account/two-factor/disable" novalidate>
${hidden('csrf', model.csrf)}${hidden('client_id', model.clientId)}${hidden('methodId', method.id)}<label for="disable-${escapeHtml(method.id)}">Code from this app or a recovery code, to remove it</label>
<input id="disable-${escapeHtml(method.id)}" name="code" type="text" autocomplete="one-time-code" required>
<button type="submit">Remove ${escapeHtml(label)}</button>
</form></li>`;
}

export function managePage(model: ManageModel): string {
  const status = model.methods.length === 0 ? '<p>Two-factor authentication is <strong>off</strong>.</p>' : `<p>Two-factor authentication is <strong>on</strong>.</p>\n<ul>\n${model.methods.map((m) => methodRow(m, model)).join('\n')}\n</ul>`;
  const grouped = model.secretBase32.replace(/(.{4})/g, '$1 ').trim();
  return page(
    'Two-factor authentication · Your account',
    `<h1>Two-factor authentication</h1>
<p class="app">Signed in as ${escapeHtml(model.email)}</p>
${model.notice === undefined ? '' : `<p role="status">${escapeHtml(model.notice)}</p>\n`}${alert(model.error)}${status}
<h2>Add an authenticator app</h2>
<p>In your authenticator app, add an account with this key (time-based, 6 digits, every 30 seconds), or open <a href="${escapeHtml(model.otpauth)}">this setup link</a> on your phone.</p>
<p><code id="secret">${escapeHtml(grouped)}</code></p>
<form method="post" action="/account/two-factor/enable" novalidate>
${hidden('csrf', model.csrf)}${hidden('client_id', model.clientId)}${hidden('secret', model.secret)}<label for="code">Code shown by the app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required${invalid(model.error)}>
<label for="name">Name (optional)</label>
<input id="name" name="name" type="text" maxlength="100" placeholder="My phone">
<button type="submit">Turn on</button>
</form>`,
    model.look,
  );
}

export function recoveryCodesPage(model: { codes: readonly string[]; backTo: string; look: Look }): string {
  return page(
    'Recovery codes · Your account',
    `<h1>Two-factor is on</h1>
<p role="status">Save these recovery codes somewhere safe. Each one works once, in place of a code from your app. They are shown only now.</p>
<ul>
${model.codes.map((c) => `<li><code>${escapeHtml(c)}</code></li>`).join('\n')}
</ul>
<p><a href="${escapeHtml(model.backTo)}">Back to two-factor settings</a></p>`,
    model.look,
  );
}
