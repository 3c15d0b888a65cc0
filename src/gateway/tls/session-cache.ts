/**
 * Session-ID resumption (TLS 1.2 session IDs, and TLS 1.3 stateful tickets when `tickets: false`) shared by
 * every worker: Node's server keeps no session cache of its own (OpenSSL's internal one is off), so the
 * gateway answers its `newSession` / `resumeSession` events from this cache. A worker that makes a session
 * stores it and sends it to the primary, which passes it to every other worker, so any worker resumes it
 * (a resumption that reaches another worker in the millisecond before the copy does is a full handshake).
 * At most `session_cache` entries per worker, oldest dropped first; entries expire with `session_timeout`.
 * Session data is key material: it goes over the cluster's IPC channel only, never to a log.
 */
import type { Server } from 'node:net';
import type { TlsSessionsConfig } from './schema.js';

export interface WireSession {
  readonly id: string;
  readonly data: string;
  readonly expires: number;
}

export class SessionCache {
  private readonly entries = new Map<string, { data: Buffer; expires: number }>();
  private limit = 0;
  private timeout = 0;
  /** Where a new local session goes (the cluster worker sends it to the primary); none in a single process. */
  share: (session: WireSession) => void = () => undefined;

  configure(config: TlsSessionsConfig): void {
    this.limit = config.session_cache;
    this.timeout = config.session_timeout;
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** A session made by another worker. */
  add(session: WireSession): void {
    this.put(session.id, Buffer.from(session.data, 'base64'), session.expires);
  }

  private put(id: string, data: Buffer, expires: number): void {
    if (this.limit === 0) return;
    this.entries.delete(id);
    this.entries.set(id, { data, expires });
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as string);
  }

  install(server: Server): void {
    if (this.limit === 0 || server.listenerCount('newSession') > 0) return;
    server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      const key = id.toString('hex');
      const expires = Date.now() + this.timeout;
      this.put(key, Buffer.from(data), expires);
      this.share({ id: key, data: data.toString('base64'), expires });
      done();
    });
    server.on('resumeSession', (id: Buffer, done: (error: Error | null, data: Buffer | null) => void) => {
      const key = id.toString('hex');
      const entry = this.entries.get(key);
      if (entry !== undefined && entry.expires <= Date.now()) this.entries.delete(key);
      done(null, entry !== undefined && entry.expires > Date.now() ? entry.data : null);
    });
  }
}

/** The process's one cache, shared by every TLS frontend. */
export const sessionCache = new SessionCache();
