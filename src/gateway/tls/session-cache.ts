/**
 * Session-ID resumption (TLS 1.2 session IDs, and TLS 1.3 stateful tickets when `tickets: false`) shared by
 * every worker: Node's server keeps no session cache of its own (OpenSSL's internal one is off), so the
 * gateway answers its `newSession` / `resumeSession` events from this cache. A worker that makes a session
 * stores it and sends it to the primary, which passes it to every other worker, so any worker resumes it
 * (a resumption that reaches another worker in the millisecond before the copy does is a full handshake).
 * At most `session_cache` entries per worker, oldest dropped first; entries expire with `session_timeout`.
 * Session data is key material: it goes over the cluster's IPC channel only, never to a log.
 *
 * Only sessions below TLS 1.3 are kept: Node resumes by session ID from the ClientHello's legacy
 * session_id field, which a TLS 1.3 client fills with a random value, and resumes TLS 1.3 by ticket only.
 * OpenSSL still reports two TLS 1.3 sessions per full handshake (one per ticket); storing and copying them
 * to every worker cost about a sixth of the handshakes a worker made per second (docs/benchmarks.md).
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
      if (sessionProtocol(data) >= TLS1_3) {
        done();
        return;
      }
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

const TLS1_3 = 0x0304;

/**
 * The protocol version of a serialized session (OpenSSL's i2d_SSL_SESSION: SEQUENCE { version INTEGER 1,
 * ssl_version INTEGER, ... }), or 0 if the bytes are not laid out so (the session is then kept).
 */
export function sessionProtocol(der: Buffer): number {
  if (der[0] !== 0x30) return 0;
  let at = 2;
  const length = der[1] ?? 0;
  if (length & 0x80) at += length & 0x7f; // long form: that many length bytes follow
  // version INTEGER 1
  if (der[at] !== 0x02 || der[at + 1] !== 0x01 || der[at + 2] !== 0x01) return 0;
  at += 3;
  // ssl_version INTEGER, one or two bytes
  if (der[at] !== 0x02) return 0;
  const size = der[at + 1];
  if (size === 1) return der[at + 2] ?? 0;
  if (size === 2) return ((der[at + 2] ?? 0) << 8) | (der[at + 3] ?? 0);
  return 0;
}

/** The process's one cache, shared by every TLS frontend. */
export const sessionCache = new SessionCache();
