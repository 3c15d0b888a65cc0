/**
 * Admin console sessions, in the database (table `admin_sessions`), so several identity provider
 * instances behind a load balancer share them: a session started on one instance works on the others, and
 * a form served by one can be posted to another. A random 256-bit id in an HttpOnly, SameSite=Strict
 * cookie, stored only as its SHA-256; a CSRF token per session (in the row); an idle timeout and an
 * absolute lifetime; a bound on how many exist. Signing in always starts a new session (a new id), so an
 * id planted before sign-in is worthless after it. Sessions survive a restart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/secrets.js';
import type { Storage } from '../storage/index.js';
import type { StoredAdminSession } from '../model/types.js';

export const SESSION_COOKIE = 'gatehouse_admin';
const IDLE_MS = 30 * 60_000;
const LIFETIME_MS = 12 * 3600_000;
const MAX_SESSIONS = 10_000;
/** `seen` is written back at most this often (a write per page view would be wasteful); the idle timeout is that much coarser. */
const SEEN_RESOLUTION_MS = 60_000;

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

/** What a session row stores: everything but the id, which is kept only as its hash. */
function stored(session: AdminSession): StoredAdminSession {
  const { id, ...rest } = session;
  return { ...rest, id: hash(id) };
}

export class SessionStore {
  /** The flash each session had when loaded, to write back only what changed. */
  private readonly loadedFlash = new WeakMap<AdminSession, string | undefined>();

  constructor(
    private readonly storage: Storage,
    private readonly now: () => number = Date.now,
    private readonly maxSessions = MAX_SESSIONS,
  ) {}

  async create(user?: { userId: string; loginId: string }): Promise<AdminSession> {
    const now = this.now();
    const session: AdminSession = { id: token(), csrf: token(), created: now, seen: now, ...(user === undefined ? {} : user) };
    await this.storage.adminSessions.insert(stored(session));
    await this.storage.trimAdminSessions(now - IDLE_MS, now - LIFETIME_MS, this.maxSessions);
    this.loadedFlash.set(session, undefined);
    return session;
  }

  async get(id: string | undefined): Promise<AdminSession | undefined> {
    if (id === undefined || id.length > 100) return undefined;
    const row = await this.storage.adminSessions.get(hash(id));
    if (row === undefined) return undefined;
    const now = this.now();
    if (now - row.seen > IDLE_MS || now - row.created > LIFETIME_MS) {
      await this.storage.adminSessions.delete(row.id);
      return undefined;
    }
    const session: AdminSession = { ...row, id };
    if (now - row.seen >= SEEN_RESOLUTION_MS) {
      session.seen = now;
      await this.storage.adminSessions.update(stored(session));
    }
    this.loadedFlash.set(session, session.flash);
    return session;
  }

  /** Writes back a session whose flash message changed (set for the next page, or shown and taken). */
  async saveFlash(session: AdminSession): Promise<void> {
    if (this.loadedFlash.get(session) === session.flash) return;
    await this.storage.adminSessions.update(stored(session));
    this.loadedFlash.set(session, session.flash);
  }

  async destroy(id: string): Promise<void> {
    await this.storage.adminSessions.delete(hash(id));
  }

  /** Ends every session of a user (after locking the account). */
  async destroyUser(userId: string): Promise<void> {
    await this.storage.adminSessions.deleteWhere({ user_id: userId });
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
