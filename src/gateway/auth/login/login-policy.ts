/**
 * An auth policy with sign-in at the gateway: wraps the policy's JWT pipeline (`inner`), which still
 * makes every admission decision. This layer only finds the token: from the sealed session cookie
 * (refreshed before expiry, one refresh per session at a time in this worker) it hands the inner policy
 * `Authorization: Bearer <access token>` and forwards the same header upstream. It also answers the
 * callback path (state check, code exchange, id_token check) and the logout path, and turns a missing
 * session into a redirect to the IdP for navigations and the inner policy's 401 for everything else.
 * A request that brings its own Authorization header is left to the inner policy as it is.
 */
import type { AuthAllow, AuthDecision, AuthDeny, AuthPolicy, AuthRequest, RouteRequirements } from '../types.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { AuthLogger } from '../logging.js';
import { clearChunks, clearCookie, parseCookies, readChunked, setCookie, withoutOwnCookies, writeChunked } from './cookie-jar.js';
import { isNavigation, safeReturnPath } from './navigation.js';
import { LoginProblem, randomToken, type OidcClient, type TokenSet } from './oidc-client.js';
import type { CookieSealer } from './sealed-cookie.js';
import { RefreshFlights } from './refresh-flights.js';
import type { SessionStore } from './session-store.js';
import { asPendingLogin, sessionFrom, type PendingLogin, type Session } from './session.js';

/** A state as this gateway makes them (randomToken: 43 base64url characters). */
const STATE = /^[A-Za-z0-9_-]{43}$/;
/** Unfinished sign-ins a browser keeps state cookies for; a new one past this clears them. */
const MAX_PENDING_SIGN_INS = 4;

export interface LoginPolicyOptions {
  readonly name: string;
  readonly inner: AuthPolicy;
  /** Verifies an id_token's signature, iss, aud and times (a JWT policy for the client id); nonce is checked here. */
  readonly idTokens: AuthPolicy;
  readonly client: OidcClient;
  readonly sealer: CookieSealer;
  readonly store: SessionStore;
  readonly cookieName: string;
  readonly secure: boolean;
  readonly callbackPath: string;
  readonly logoutPath: string;
  readonly postLogoutRedirectUri: string;
  readonly refreshBeforeMs: number;
  readonly stateTtlMs: number;
  readonly sessionMs: number;
  /** Whether the inner policy strips Authorization upstream (then the session's token is not forwarded either). */
  readonly stripAuthorization: boolean;
  readonly logger: AuthLogger;
  readonly now: () => number;
}

export class LoginPolicy implements AuthPolicy {
  readonly name: string;
  readonly forwardedHeaders: readonly string[] | undefined;
  /** Each sign-in has its own state cookie, `<name>_state_<first 12 characters of its state>`: two tabs can sign in at once. */
  private readonly statePrefix: string;
  private readonly flights: RefreshFlights;

  constructor(private readonly o: LoginPolicyOptions) {
    this.name = o.name;
    this.forwardedHeaders = o.inner.forwardedHeaders;
    this.statePrefix = `${o.cookieName}_state_`;
    this.flights = new RefreshFlights(o.now, (session) => this.refresh(session));
  }

  authorize(request: AuthRequest, requirements?: RouteRequirements): AuthDecision | Promise<AuthDecision> {
    if (request.path === this.o.callbackPath) return this.callback(request);
    if (request.path === this.o.logoutPath) return this.logout(request);
    if (request.headers.authorization !== undefined) return this.o.inner.authorize(request, requirements);
    const cookies = parseCookies(request.headers.cookie);
    const sealed = readChunked(cookies, this.o.cookieName);
    const now = this.o.now();
    const opened = sealed === undefined ? undefined : this.o.sealer.open(this.o.cookieName, sealed);
    if (opened === undefined) return this.challenge(request, cookies, sealed !== undefined);
    const found = this.o.store.read(opened, now);
    if (typeof (found as Promise<Session | undefined>)?.then === 'function') return (found as Promise<Session | undefined>).then((session) => this.withSession(request, requirements, cookies, session, this.o.now()));
    return this.withSession(request, requirements, cookies, found as Session | undefined, now);
  }

  private withSession(request: AuthRequest, requirements: RouteRequirements | undefined, cookies: Map<string, string>, session: Session | undefined, now: number): AuthDecision | Promise<AuthDecision> {
    if (session === undefined) return this.challenge(request, cookies, true);
    if (session.accessExpires - this.o.refreshBeforeMs > now) return this.admit(request, requirements, cookies, session, false);
    return this.flights.run(session).then((fresh) =>
      fresh === undefined ? this.challenge(request, cookies, true) : this.admit(request, requirements, cookies, fresh, this.o.store.cookieChangesOnRefresh),
    );
  }

  close(): void {
    this.o.inner.close();
    this.o.idTokens.close();
    this.o.store.close();
  }

  /** Synchronous when the inner policy answers synchronously (a cached token): the common case costs no Promise. */
  private admit(request: AuthRequest, requirements: RouteRequirements | undefined, cookies: Map<string, string>, session: Session, refreshed: boolean): AuthDecision | Promise<AuthDecision> {
    const bearer = `Bearer ${session.accessToken}`;
    // all the request's headers: checks of the policy that read more than Authorization still see them
    const decision = this.o.inner.authorize({ method: request.method, path: request.path, url: request.url, headers: { ...request.headers, authorization: bearer } }, requirements);
    if (typeof (decision as Promise<AuthDecision>).then === 'function') return (decision as Promise<AuthDecision>).then((d) => this.admitted(request, cookies, session, refreshed, bearer, d));
    return this.admitted(request, cookies, session, refreshed, bearer, decision as AuthDecision);
  }

  private admitted(request: AuthRequest, cookies: Map<string, string>, session: Session, refreshed: boolean, bearer: string, decision: AuthDecision): AuthDecision | Promise<AuthDecision> {
    if (!decision.ok) {
      // the IdP's token no longer passes (expired without a refresh, keys rotated, revoked): sign in again
      if (decision.status === 401) return this.challenge(request, cookies, true);
      return decision;
    }
    const setHeaders: Array<readonly [string, string]> = this.o.stripAuthorization ? [...decision.setHeaders] : [...decision.setHeaders, ['authorization', bearer]];
    // the gateway's own cookies stay here: the upstream gets the client's other cookies only
    const others = withoutOwnCookies(request.headers.cookie, this.o.cookieName);
    const removeHeaders = others === '' ? [...decision.removeHeaders, 'cookie'] : decision.removeHeaders;
    if (others !== '') setHeaders.push(['cookie', others]);
    const allow: AuthAllow = { ...decision, setHeaders, removeHeaders };
    if (!refreshed) return allow;
    // the cookie store: the refreshed session is the cookie (writing it costs no I/O)
    return { ...allow, responseHeaders: this.cookieLines(cookies, this.o.store.write(session, this.o.now()), session).map((line) => ['set-cookie', line] as const) };
  }

  private async refresh(session: Session): Promise<Session | undefined> {
    if (session.refreshToken === undefined) return undefined;
    try {
      const tokens = await this.o.client.refresh(session.refreshToken);
      const fresh = sessionFrom(session.sid, tokens, session.ends, session);
      if (!this.o.store.cookieChangesOnRefresh) await this.o.store.write(fresh, this.o.now());
      return fresh;
    } catch (error) {
      this.o.logger.warn({ policy: this.name, code: ErrorCode.LOGIN_REFRESH, error: (error as Error).message }, 'login: refresh failed; the session is cleared');
      return undefined;
    }
  }

  /** No usable session: a navigation goes to the IdP, anything else gets the inner policy's 401. */
  private async challenge(request: AuthRequest, cookies: Map<string, string>, hadSession: boolean): Promise<AuthDeny> {
    const clear = hadSession ? this.clearSession(cookies) : [];
    if (!isNavigation(request.method, request.headers)) {
      const denied = await this.o.inner.authorize({ method: request.method, path: request.path, url: request.url, headers: { ...request.headers, authorization: undefined } });
      if (denied.ok) throw new Error('the inner policy admitted a request without a token');
      return clear.length === 0 ? denied : { ...denied, setCookies: clear };
    }
    const pending: PendingLogin = {
      state: randomToken(),
      nonce: randomToken(),
      verifier: randomToken(),
      returnTo: safeReturnPath(request.url ?? request.path),
      expires: this.o.now() + this.o.stateTtlMs,
    };
    const name = this.stateCookieName(pending.state);
    const stateLine = setCookie(name, this.o.sealer.seal(name, pending), { secure: this.o.secure, maxAgeS: Math.ceil(this.o.stateTtlMs / 1000) });
    // sign-ins begun and never finished: past a few, the old ones are dropped (cookies are not free)
    const pendingStates = this.stateCookies(cookies);
    if (pendingStates.length >= MAX_PENDING_SIGN_INS) clear.push(...pendingStates.map((n) => clearCookie(n, this.o.secure)));
    return redirect(this.o.client.authorizationUrl(pending.state, pending.nonce, pending.verifier), [...clear, stateLine], 'LOGIN_REDIRECT');
  }

  private async callback(request: AuthRequest): Promise<AuthDeny> {
    const cookies = parseCookies(request.headers.cookie);
    const query = new URL(request.url ?? request.path, 'http://gateway.invalid').searchParams;
    const state = query.get('state');
    const name = state === null || !STATE.test(state) ? undefined : this.stateCookieName(state);
    const clearState = name === undefined ? [] : [clearCookie(name, this.o.secure)];
    const sealed = name === undefined ? undefined : cookies.get(name);
    const pending = sealed === undefined ? undefined : asPendingLogin(this.o.sealer.open(name as string, sealed), this.o.now());
    if (pending === undefined || state !== pending.state) {
      return this.failed(400, 'LOGIN_STATE', ErrorCode.LOGIN_STATE, pending === undefined ? 'no valid sign-in state cookie' : 'state does not match this browser', clearState);
    }
    const idpError = query.get('error');
    if (idpError !== null) return this.failed(400, 'LOGIN_IDP', ErrorCode.LOGIN_IDP, `the IdP answered ${idpError.slice(0, 64).replace(/[^\w.-]/g, '?')}`, clearState);
    const code = query.get('code');
    if (code === null || code === '') return this.failed(400, 'LOGIN_CODE', ErrorCode.LOGIN_CODE, 'no code', clearState);
    let tokens: TokenSet;
    try {
      tokens = await this.o.client.exchangeCode(code, pending.verifier);
      await this.checkIdToken(tokens.idToken, pending.nonce);
    } catch (error) {
      const problem = error instanceof LoginProblem ? error : new LoginProblem('callback', (error as Error).message);
      return this.failed(problem.step === 'id_token' ? 401 : 400, problem.step === 'id_token' ? 'LOGIN_ID_TOKEN' : 'LOGIN_CODE', problem.step === 'id_token' ? ErrorCode.LOGIN_ID_TOKEN : ErrorCode.LOGIN_CODE, problem.message, clearState);
    }
    const session = sessionFrom(randomToken(), tokens, this.o.now() + this.o.sessionMs);
    // a token the policy refuses would send the browser round in circles: refuse it here, once
    const check = await this.o.inner.authorize({ method: 'GET', path: pending.returnTo, url: pending.returnTo, headers: { authorization: `Bearer ${session.accessToken}` } });
    if (!check.ok && check.status === 401) return this.failed(401, 'LOGIN_TOKEN', ErrorCode.LOGIN_TOKEN, `the IdP's access token does not pass the policy (${check.reason})`, clearState);
    let content: unknown;
    try {
      content = await this.o.store.write(session, this.o.now());
    } catch (error) {
      return this.failed(502, 'LOGIN_STORE', ErrorCode.LOGIN_STORE, `the session could not be stored (${(error as Error).message})`, clearState);
    }
    return redirect(safeReturnPath(pending.returnTo), [...clearState, ...this.cookieLines(cookies, content, session)], 'LOGIN_CALLBACK');
  }

  private async checkIdToken(idToken: string | undefined, nonce: string): Promise<void> {
    if (idToken === undefined) throw new LoginProblem('id_token', 'the token response has no id_token');
    const verdict = await this.o.idTokens.authorize({ method: 'GET', path: '/', headers: { authorization: `Bearer ${idToken}` } });
    if (!verdict.ok) throw new LoginProblem('id_token', `refused (${verdict.reason})`);
    let claims: { nonce?: unknown };
    try {
      claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { nonce?: unknown };
    } catch {
      throw new LoginProblem('id_token', 'payload is not JSON');
    }
    if (claims.nonce !== nonce) throw new LoginProblem('id_token', 'nonce does not match');
  }

  private async logout(request: AuthRequest): Promise<AuthDeny> {
    const cookies = parseCookies(request.headers.cookie);
    const sealed = readChunked(cookies, this.o.cookieName);
    const opened = sealed === undefined ? undefined : this.o.sealer.open(this.o.cookieName, sealed);
    const session = opened === undefined ? undefined : await this.o.store.read(opened, this.o.now());
    if (opened !== undefined) await this.o.store.remove(opened);
    const clear = [...this.clearSession(cookies), ...this.stateCookies(cookies).map((n) => clearCookie(n, this.o.secure))];
    const atIdp = this.o.client.endSessionUrl(session?.idToken, this.o.postLogoutRedirectUri);
    return redirect(atIdp ?? this.o.postLogoutRedirectUri, clear, 'LOGOUT');
  }

  /** Set-Cookie lines for what the store puts in the cookie (the session, or a pointer to it). */
  private cookieLines(cookies: Map<string, string>, content: unknown, session: Session): string[] {
    const maxAgeS = Math.max(0, Math.floor((session.ends - this.o.now()) / 1000));
    return writeChunked(cookies, this.o.cookieName, this.o.sealer.seal(this.o.cookieName, content), { secure: this.o.secure, maxAgeS });
  }

  private stateCookieName(state: string): string {
    return `${this.statePrefix}${state.slice(0, 12)}`;
  }

  private stateCookies(cookies: Map<string, string>): string[] {
    const names: string[] = [];
    for (const name of cookies.keys()) if (name.startsWith(this.statePrefix)) names.push(name);
    return names;
  }

  private clearSession(cookies: Map<string, string>): string[] {
    return clearChunks(cookies, this.o.cookieName, this.o.secure);
  }

  private failed(status: number, reason: string, code: ErrorCode, detail: string, clearState: string[]): AuthDeny {
    this.o.logger.warn({ policy: this.name, code, error: detail }, 'login: sign-in refused');
    const body = `Sign-in failed (${code}). Go back to the page you wanted and try again.\n`;
    return { ok: false, status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, setCookies: clearState, body, reason, code };
  }
}

function redirect(location: string, cookies: string[], reason: string): AuthDeny {
  return { ok: false, status: 302, headers: { location, 'cache-control': 'no-store' }, setCookies: cookies, body: '', reason };
}
