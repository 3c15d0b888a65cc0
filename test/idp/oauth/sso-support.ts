/**
 * A browser's cookies and the hosted login page driven with plain HTTP, for the SSO and hosted-backend
 * tests (the Chromium tests use a real browser): a cookie jar that stores what `Set-Cookie` sends and
 * drops what it deletes, and sign-in / authorize helpers that carry it.
 */
import { createHash } from 'node:crypto';

export const VERIFIER = 'v'.repeat(30) + 'W'.repeat(13) + '-._~42';
export const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

export class CookieJar {
  private readonly cookies = new Map<string, string>();
  /** The raw Set-Cookie line last seen for each name. */
  readonly raw = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      this.raw.set(name, line);
      const deleted = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (deleted) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }

  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }

  /** A fresh jar with the same cookies (a second tab of the same browser is not needed; a copy is). */
  copy(): CookieJar {
    const jar = new CookieJar();
    for (const [n, v] of this.cookies) jar.set(n, v);
    return jar;
  }
}

export interface Answer {
  status: number;
  location: string | null;
  html: string;
  response: Response;
}

/** GET (or POST a form) with the jar's cookies, storing what comes back; redirects are not followed. */
export async function browse(url: string, jar: CookieJar, form?: URLSearchParams, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: form === undefined ? 'GET' : 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...headers },
    ...(form === undefined ? {} : { body: form.toString() }),
  });
  jar.store(response);
  return { status: response.status, location: response.headers.get('location'), html: await response.text(), response };
}

export function authorizeUrl(idpUrl: string, params: Record<string, string>): string {
  return `${idpUrl}/oauth2/authorize?${new URLSearchParams(params).toString()}`;
}

function unescape(value: string): string {
  return value.replace(/&#61;/g, '=').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&');
}

/** True when the answer is the hosted login form. */
export function isLoginForm(answer: Answer): boolean {
  return answer.status === 200 && answer.html.includes('name="password"');
}

/** Posts the login form of `page` (an answer that is the form) with the credentials. */
export async function submitLogin(idpUrl: string, page: Answer, jar: CookieJar, loginId: string, password: string, remember: boolean): Promise<Answer> {
  const form = new URLSearchParams();
  for (const match of page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(match[1]!, unescape(match[2]!));
  form.set('loginId', loginId);
  form.set('password', password);
  if (remember) form.set('rememberDevice', 'true');
  return browse(`${idpUrl}/oauth2/authorize`, jar, form);
}

/** Opens the authorize URL; when it shows the form, signs in. Returns the final answer (a redirect on success). */
export async function signIn(idpUrl: string, params: Record<string, string>, jar: CookieJar, loginId: string, password: string, remember: boolean): Promise<Answer> {
  const page = await browse(authorizeUrl(idpUrl, params), jar);
  if (!isLoginForm(page)) throw new Error(`expected the login form, got ${page.status} ${page.location ?? ''}`);
  return submitLogin(idpUrl, page, jar, loginId, password, remember);
}

/** The `code` of a redirect answer, or throws with what came instead. */
export function codeOf(answer: Answer): string {
  const code = answer.location === null ? null : new URL(answer.location).searchParams.get('code');
  if (answer.status !== 302 || code === null) throw new Error(`expected a redirect with a code, got ${answer.status} ${answer.location ?? answer.html.slice(0, 200)}`);
  return code;
}
