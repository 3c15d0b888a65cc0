/**
 * TLS session tickets shared by every worker: the keys that encrypt tickets are made in one place (the
 * cluster primary, or the single process) and rotated every `ticket_rotation`; a replaced key still
 * decrypts for `ticket_overlap` (the ticket resumes and the client gets a new one under the current key),
 * then it is dropped and its tickets mean a full handshake. Workers receive the key list over IPC, so a
 * ticket issued by one worker resumes on any other.
 *
 * Node's documented `server.setTicketKeys()` holds one key only (no overlap at a rotation), so the ring
 * uses the secure context's ticket-key callback (`enableTicketKeyCallback` / `onticketkeycallback`, what
 * node:tls itself is built on; present on Node 20 to 24), and falls back to `setTicketKeys()` with the
 * current key, logged, where that is missing.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:net';
import type { TlsSessionsConfig } from './schema.js';

export interface TicketKey {
  /** 16-byte key name (what a ticket carries to find its key), 16-byte HMAC key, 16-byte AES key. */
  readonly name: Buffer;
  readonly hmac: Buffer;
  readonly aes: Buffer;
  /** When the key became current (ms since the epoch); it is replaced `rotation` later. */
  readonly created: number;
}

/** A key list as sent over IPC: base64 of name|hmac|aes, and the creation time. */
export type WireTicketKeys = Array<{ key: string; created: number }>;

export function newTicketKey(now = Date.now()): TicketKey {
  const bytes = randomBytes(48);
  return { name: bytes.subarray(0, 16), hmac: bytes.subarray(16, 32), aes: bytes.subarray(32, 48), created: now };
}

export const toWire = (keys: readonly TicketKey[]): WireTicketKeys => keys.map((k) => ({ key: Buffer.concat([k.name, k.hmac, k.aes]).toString('base64'), created: k.created }));

export function fromWire(wire: WireTicketKeys): TicketKey[] {
  return wire.map(({ key, created }) => {
    const bytes = Buffer.from(key, 'base64');
    if (bytes.length !== 48) throw new Error('a TLS ticket key must be 48 bytes');
    return { name: bytes.subarray(0, 16), hmac: bytes.subarray(16, 32), aes: bytes.subarray(32, 48), created };
  });
}

/**
 * Makes and rotates the keys: newest first; keys replaced longer than `overlap` ago are dropped.
 * `onChange` gets every new list (the primary sends it to the workers).
 */
export class TicketKeyRotation {
  private keys: TicketKey[] = [];
  /** Number of keys made so far; `generations` says which of them are kept (for logs, never the keys). */
  private made = 0;
  private kept: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private settings: { rotation: number; overlap: number } | undefined;

  constructor(private readonly onChange: (keys: readonly TicketKey[]) => void) {}

  /** (Re)starts rotation with these settings; the same settings keep the current keys and timer. */
  apply(config: TlsSessionsConfig): void {
    const next = { rotation: config.ticket_rotation, overlap: config.ticket_overlap };
    if (this.settings?.rotation === next.rotation && this.settings.overlap === next.overlap) return;
    this.settings = next;
    clearInterval(this.timer);
    if (this.keys.length === 0) {
      this.keys = [newTicketKey()];
      this.kept = [++this.made];
    }
    this.timer = setInterval(() => this.rotate(), next.rotation);
    this.timer.unref();
    this.onChange(this.keys);
  }

  current(): readonly TicketKey[] {
    return this.keys;
  }

  rotate(now = Date.now()): void {
    const { rotation, overlap } = this.settings ?? { rotation: 0, overlap: 0 };
    const fresh = newTicketKey(now);
    // a key is replaced `rotation` after it was made; it is kept `overlap` beyond that
    const keep = this.keys.map((k, i) => [k, this.kept[i] as number] as const).filter(([k]) => k.created + rotation + overlap > now);
    this.keys = [fresh, ...keep.map(([k]) => k)];
    this.kept = [++this.made, ...keep.map(([, g]) => g)];
    this.onChange(this.keys);
  }

  /** Which keys are kept, by the order they were made (1 = the first), current first: for logs. */
  generations(): readonly number[] {
    return this.kept;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.settings = undefined;
    this.keys = [];
    this.kept = [];
  }
}

interface TicketContext {
  enableTicketKeyCallback?: () => void;
  onticketkeycallback?: (name: Buffer, iv: Buffer, encrypt: boolean) => [number, Buffer, Buffer, Buffer?, Buffer?];
}

/**
 * The keys a process's TLS servers use: fed by the primary (cluster worker) or by a local rotation
 * (single process). `install(server)` makes a server encrypt with the current key and decrypt with any.
 */
export class TicketKeyRing {
  private keys: TicketKey[] = [];
  private byName = new Map<string, TicketKey>();
  private readonly servers = new Set<Server>();
  private local: TicketKeyRotation | undefined;
  private fedByPrimary = false;
  /** Set once if Node lacks the callback and setTicketKeys() (no overlap) is used instead. */
  fallback = false;

  /** Cluster worker: the primary sends the keys; no local rotation. */
  feed(wire: WireTicketKeys): void {
    this.fedByPrimary = true;
    this.local?.stop();
    this.set(fromWire(wire));
  }

  /** Single process: rotate here, with these settings (no-op when the primary feeds the keys). */
  configure(config: TlsSessionsConfig): void {
    if (this.fedByPrimary) return;
    this.local ??= new TicketKeyRotation((keys) => this.set([...keys]));
    this.local.apply(config);
  }

  private set(keys: TicketKey[]): void {
    this.keys = keys;
    this.byName = new Map(keys.map((k) => [k.name.toString('hex'), k]));
    if (this.fallback) for (const server of this.servers) setCurrentKey(server, keys[0]);
  }

  /** Call again after setSecureContext() (a reloaded certificate): the callback lives on the context. */
  install(server: Server): void {
    this.servers.add(server);
    server.once('close', () => this.servers.delete(server));
    const context = (server as unknown as { _sharedCreds?: { context?: TicketContext } })._sharedCreds?.context;
    if (context?.enableTicketKeyCallback === undefined) {
      this.fallback = true;
      setCurrentKey(server, this.keys[0]);
      return;
    }
    context.enableTicketKeyCallback();
    context.onticketkeycallback = (name, _iv, encrypt) => {
      const current = this.keys[0];
      if (current === undefined) return [0, FILLER, FILLER]; // no key yet: no ticket, a full handshake
      if (encrypt) return [1, current.hmac, current.aes, current.name, randomBytes(16)];
      const key = this.byName.get(name.toString('hex'));
      if (key === undefined) return [0, FILLER, FILLER]; // unknown or dropped key: a full handshake
      return [key === current ? 1 : 2, key.hmac, key.aes]; // 2: resume, and renew the ticket under the current key
    };
  }
}

const FILLER = Buffer.alloc(16);

function setCurrentKey(server: Server, key: TicketKey | undefined): void {
  if (key !== undefined) (server as unknown as { setTicketKeys(keys: Buffer): void }).setTicketKeys(Buffer.concat([key.name, key.hmac, key.aes]));
}

/** The process's one ring, shared by every TLS frontend (keys are per process, not per frontend). */
export const ticketKeys = new TicketKeyRing();
