/**
 * The hosted second-factor page (FusionAuth's `/oauth2/two-factor`): after the password, a user with
 * two-factor on enters a code from their authenticator app, a code emailed to them ("Send a code by
 * email", one form per email method, posting to `/oauth2/two-factor/send` with the CSRF token) or a
 * recovery code, and may trust the device for the tenant's trust period. Plain HTML, no JavaScript; labelled inputs; the error is inline
 * (role=alert) and tied to the input.
 */
import { DEFAULT_LOOK, escapeHtml, page, type Look } from './html.js';

export interface TwoFactorPageModel {
  applicationName: string;
  twoFactorId: string;
  csrf: string;
  /** "30 days", "12 hours": how long a trusted device skips the code. */
  trustPeriod: string;
  error?: string;
  /** The user's email methods: a "Send a code by email" form each. */
  emailMethods?: { id: string; to: string }[];
  /** Whether the user has an authenticator method (the hint names the app). */
  authenticator?: boolean;
  /** "We sent a code to …": after a send. */
  notice?: string;
}

function hint(model: TwoFactorPageModel): string {
  const email = (model.emailMethods ?? []).length > 0;
  if (!email) return 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.';
  return model.authenticator === true
    ? 'Enter the 6-digit code from your authenticator app or the one we email you, or one of your recovery codes.'
    : 'Enter the 6-digit code we email you, or one of your recovery codes.';
}

function sendForms(model: TwoFactorPageModel): string {
  return (model.emailMethods ?? [])
    .map((m, i, all) => `<form method="post" action="/oauth2/two-factor/send" novalidate>
<input type="hidden" name="twoFactorId" value="${escapeHtml(model.twoFactorId)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
<input type="hidden" name="methodId" value="${escapeHtml(m.id)}">
<button type="submit" class="secondary">Send a code by email${all.length > 1 ? ` to ${escapeHtml(m.to)}` : ''}</button>
</form>`)
    .join('\n');
}

export function twoFactorPage(model: TwoFactorPageModel, look: Look = DEFAULT_LOOK): string {
  const invalid = model.error === undefined ? '' : ' aria-invalid="true"';
  const error = model.error === undefined ? '' : `<p id="error" class="error" role="alert">${escapeHtml(model.error)}</p>\n`;
  const notice = model.notice === undefined ? '' : `<p id="notice" class="notice" role="status">${escapeHtml(model.notice)}</p>\n`;
  const send = sendForms(model);
  return page(
    `Verify it's you · ${model.applicationName}`,
    `<h1>Verify it's you</h1>
<p class="app">to continue to ${escapeHtml(model.applicationName)}</p>
${error}${notice}${send === '' ? '' : `${send}\n`}<form method="post" action="/oauth2/two-factor" novalidate>
<input type="hidden" name="twoFactorId" value="${escapeHtml(model.twoFactorId)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
<label for="code">Verification code</label>
<p id="code-hint" class="app">${hint(model)}</p>
<input id="code" name="code" type="text" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required aria-describedby="code-hint${model.error === undefined ? '' : ' error'}"${invalid}>
<label for="trustComputer"><input id="trustComputer" name="trustComputer" type="checkbox" value="true"> Trust this device for ${escapeHtml(model.trustPeriod)}</label>
<button type="submit">Verify</button>
</form>`,
    look,
  );
}

/** An address shown on the page without giving it away to a shoulder: `a•••@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '•••' : `${email[0]}•••${email.slice(at)}`;
}

/** A trust period in words: whole days, or hours when under a day. */
export function trustPeriod(seconds: number): string {
  if (seconds >= 86_400) {
    const days = Math.round(seconds / 86_400);
    return `${days} day${days === 1 ? '' : 's'}`;
  }
  const hours = Math.max(1, Math.round(seconds / 3600));
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}
