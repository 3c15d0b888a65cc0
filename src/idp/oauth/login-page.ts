/**
 * The hosted login page: a plain HTML form that works without JavaScript. The authorization request's
 * parameters travel in hidden fields (re-validated on POST), with the CSRF token; inputs are labelled, an
 * error is shown inline (role=alert) and tied to the inputs with aria-describedby.
 */
import { escapeHtml, page, type Look } from './html.js';

export interface LoginPageModel {
  applicationName: string;
  /** The authorization request's parameters, to post back. */
  hidden: ReadonlyArray<readonly [string, string]>;
  csrf: string;
  loginId?: string;
  error?: string;
  /** "Keep me signed in" (FusionAuth's `rememberDevice`) was ticked. */
  rememberDevice?: boolean;
  /** The application's (or its tenant's) theme. */
  look?: Look;
  /** Links under the form ("Forgot password?", "Create an account"): [text, href]. */
  links?: ReadonlyArray<readonly [string, string]>;
}

function links(list: LoginPageModel['links']): string {
  if (list === undefined || list.length === 0) return '';
  return `\n<p>${list.map(([text, href]) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`).join(' · ')}</p>`;
}

export function loginPage(model: LoginPageModel): string {
  const invalid = model.error === undefined ? '' : ' aria-invalid="true" aria-describedby="error"';
  const hidden = model.hidden.map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('\n');
  const error = model.error === undefined ? '' : `<p id="error" class="error" role="alert">${escapeHtml(model.error)}</p>\n`;
  return page(
    `Sign in · ${model.applicationName}`,
    `<h1>Sign in</h1>
<p class="app">to continue to ${escapeHtml(model.applicationName)}</p>
${error}<form method="post" action="/oauth2/authorize" novalidate>
${hidden}
<input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
<label for="loginId">Email or username</label>
<input id="loginId" name="loginId" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(model.loginId ?? '')}"${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}>
<label class="check"><input type="checkbox" name="rememberDevice" value="true"${model.rememberDevice === true ? ' checked' : ''}> Keep me signed in</label>
<button type="submit">Sign in</button>
</form>${links(model.links)}`,
    model.look,
  );
}
