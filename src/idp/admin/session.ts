/**
 * Admin console sessions, in memory: a random 256-bit id in an HttpOnly, SameSite=Strict cookie, a CSRF
 * token per session, an idle timeout and an absolute lifetime, and a bound on how many exist. Signing in
 * always starts a new session (a new id), so an id planted before sign-in is worthless after it.
 * Sessions do not survive a restart of the identity provider; administrators sign in again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/secrets.js';

export const SESSION_COOKIE = 'gatehouse_admin';
const IDLE_MS = 30 * 60_000;
const LIFETIME_MS = 12 * 3600_000;
const MAX_SESSIONS = 10_000;

export interface AdminSession {
  readonly id: string;
  readonly csrf: string;
  /** The signed-in administrator; undefined for the sign-in form's pre-session. */
  readonly userId?: string;
  readonly loginId?: string;
  readonly created: number;
  seen: number;
  /** One message shown on the next page (after a redirect). */
  flash?: string;
}

const token = (): string => randomBytes(32).toString('base64url');
const hash = (id: string): string => createHash('sha256').update(id).digest('base64url');

export class SessionStore {
  private readonly sessions = new Map<string, AdminSession>();

  constructor(private readonly now: () => number = Date.now) {}

  create(user?: { userId: string; loginId: string }): AdminSession {
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const now = this.now();
    const session: AdminSession = { id: token(), csrf: token(), created: now, seen: now, ...(user === undefined ? {} : user) };
    this.sessions.set(hash(session.id), session);
    return session;
  }

  get(id: string | undefined): AdminSession | undefined {
    if (id === undefined || id.length > 100) return undefined;
    const key = hash(id);
    const session = this.sessions.get(key);
    if (session === undefined) return undefined;
    const now = this.now();
    if (now - session.seen > IDLE_MS || now - session.created > LIFETIME_MS) {
      this.sessions.delete(key);
      return undefined;
    }
    session.seen = now;
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(hash(id));
  }

  /** Ends every session of a user (after locking the account). */
  destroyUser(userId: string): void {
    for (const [key, session] of this.sessions) if (session.userId === userId) this.sessions.delete(key);
  }
}

export function csrfMatches(session: AdminSession, presented: unknown): boolean {
  return typeof presented === 'string' && presented.length > 0 && constantTimeEqual(presented, session.csrf);
}

export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/admin; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export function clearedCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
