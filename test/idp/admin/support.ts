/** An identity provider with an administrator and a plain user (made by a kickstart), and a signed-in fetch session. */
import { startTestIdp, type TestIdp } from '../support.js';

export const ADMIN = { loginId: 'admin@example.com', password: 'admin-password-1' };
export const PLAIN = { loginId: 'plain@example.com', password: 'plain-password-1' };
export const API_KEY = 'console-test-api-key-0123456789';

export async function startConsoleIdp(options: { database?: string; devMailbox?: string } = {}): Promise<TestIdp> {
  const idp = await startTestIdp({
    ...options,
    passwordHashing: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    kickstart: {
      apiKeys: [{ key: API_KEY, description: 'tests' }],
      requests: [
        {
          method: 'POST',
          url: '/api/user/registration',
          body: { user: { email: ADMIN.loginId, password: ADMIN.password }, registration: { applicationId: '#{FUSIONAUTH_APPLICATION_ID}', roles: ['admin'] } },
        },
        { method: 'POST', url: '/api/user', body: { user: { email: PLAIN.loginId, password: PLAIN.password } } },
      ],
    },
  });
  idp.adminKey = API_KEY;
  const api = idp.api;
  idp.api = (method, path, body, headers = {}) => api(method, path, body, { authorization: API_KEY, ...headers });
  return idp;
}

export function cookieOf(response: Response): string | undefined {
  const header = response.headers.get('set-cookie');
  return header === null ? undefined : /gatehouse_admin=([^;]*)/.exec(header)?.[1];
}

export function csrfOf(htmlText: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(htmlText);
  if (match === null) throw new Error('no CSRF token in the page');
  return match[1]!;
}

export interface Browserless {
  cookie: string;
  csrf: string;
  preCookie: string;
  get(path: string): Promise<Response>;
  post(path: string, form: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
}

function encode(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const value of Array.isArray(v) ? v : [v]) params.append(k, value);
  return params.toString();
}

export async function postForm(url: string, form: Record<string, string | string[]>, cookie?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === undefined ? {} : { cookie: `gatehouse_admin=${cookie}` }), ...headers },
    body: encode(form),
  });
}

/** Signs in as fetch would: the sign-in page's pre-session, then the form. */
export async function signIn(base: string, who: { loginId: string; password: string }): Promise<{ response: Response; preCookie: string }> {
  const form = await fetch(`${base}/admin/login`, { redirect: 'manual' });
  const preCookie = cookieOf(form)!;
  const csrf = csrfOf(await form.text());
  const response = await postForm(`${base}/admin/login`, { _csrf: csrf, loginId: who.loginId, password: who.password }, preCookie);
  return { response, preCookie };
}

export async function adminSession(base: string): Promise<Browserless> {
  const { response, preCookie } = await signIn(base, ADMIN);
  const cookie = cookieOf(response);
  if (response.status !== 303 || cookie === undefined) throw new Error(`admin sign-in failed: ${response.status}`);
  const home = await fetch(`${base}/admin/`, { headers: { cookie: `gatehouse_admin=${cookie}` } });
  const csrf = csrfOf(await home.text());
  return {
    cookie,
    csrf,
    preCookie,
    get: (path) => fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie: `gatehouse_admin=${cookie}` } }),
    post: (path, form, headers) => postForm(`${base}${path}`, form, cookie, headers),
  };
}
