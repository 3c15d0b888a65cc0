/**
 * The hosted second-factor page (FusionAuth's `/oauth2/two-factor`): after the password, a user with
 * two-factor on enters a code from their authenticator app or a recovery code, and may trust the device
 * for the tenant's trust period. Plain HTML, no JavaScript; labelled inputs; the error is inline
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
}

export function twoFactorPage(model: TwoFactorPageModel, look: Look = DEFAULT_LOOK): string {
  const invalid = model.error === undefined ? '' : ' aria-invalid="true"';
  const error = model.error === undefined ? '' : `<p id="error" class="error" role="alert">${escapeHtml(model.error)}</p>\n`;
  return page(
    `Verify it's you · ${model.applicationName}`,
    `<h1>Verify it's you</h1>
<p class="app">to continue to ${escapeHtml(model.applicationName)}</p>
${error}<form method="post" action="/oauth2/two-factor" novalidate>
<input type="hidden" name="twoFactorId" value="${escapeHtml(model.twoFactorId)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
<label for="code">Verification code</label>
<p id="code-hint" class="app">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
<input id="code" name="code" type="text" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required aria-describedby="code-hint${model.error === undefined ? '' : ' error'}"${invalid}>
<label for="trustComputer"><input id="trustComputer" name="trustComputer" type="checkbox" value="true"> Trust this device for ${escapeHtml(model.trustPeriod)}</label>
<button type="submit">Verify</button>
</form>`,
    look,
  );
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
