/**
 * One upstream server of one backend, for one config generation: its keep-alive connection pool, the
 * number of requests in flight (for leastconn and random-two-choices), and its health. A server is
 * available when the active check (if any) says up and passive observation has not taken it out.
 */
import type { Logger } from '../../shared/logger.js';
import type { PassiveConfig } from '../config/index.js';
import { connectOptions, type UpstreamTls } from '../tls/upstream-tls.js';
import { UpstreamPool } from '../upstream/index.js';

export interface PoolSettings {
  readonly connections: number;
  readonly connectTimeout: number;
  readonly responseTimeout: number;
  /** Longest wait for a free connection when the pool is full (default: the connect timeout). */
  readonly queueTimeout?: number;
  /** Largest upstream response head, in bytes (the frontends' limits.max_header_size). */
  readonly maxHeaderSize?: number;
}

/** Where a slowstart ramp begins, as a share of the full weight. */
const MIN_RAMP = 0.05;

/** An idle upstream connection is not reused after this long (Node servers close idle ones at 5 s). */
const KEEP_ALIVE_TIMEOUT = 4_000;

export type ServerStateListener = (server: UpstreamServer) => void;

/** A passive verdict one cluster worker reached, for the others (through the primary). */
export interface PassiveDown {
  readonly backend: string;
  readonly server: string;
  readonly host: string;
  readonly port: number;
  /** Wall-clock ms the cool-down ends. */
  readonly until: number;
  readonly reason: string;
}

/**
 * The operator's state for a server (HAProxy's `set server <b>/<s> state ready|drain|maint`): `drain`
 * takes no new requests while its checks go on; `maint` takes none and is not checked. Requests in
 * flight finish either way.
 */
export type AdminState = 'ready' | 'drain' | 'maint';
export const ADMIN_STATES: readonly AdminState[] = ['ready', 'drain', 'maint'];

export class UpstreamServer {
  readonly backend: string;
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** Set when the backend's servers speak TLS. */
  readonly tls: UpstreamTls | undefined;
  readonly pool: UpstreamPool;
  /** Requests currently in flight to this server. */
  inflight = 0;
  /** Requests sent to this server, and those that failed (connection failure, timeout or 5xx). */
  requests = 0;
  failures = 0;
  /** Smooth weighted round robin's running weight. */
  currentWeight = 0;
  /** `slowstart` (HAProxy's): after coming back up, the weight ramps from 5 % to full over this many ms (0: off). */
  slowstartMs = 0;
  private rampStart = 0;
  /** Wall-clock ms the ramp ends; 0 when the server is at full weight (the common case: one comparison). */
  private rampUntil = 0;
  available = true;
  activeUp = true;
  passiveDown = false;
  adminState: AdminState = 'ready';
  consecutiveFailures = 0;
  lastChange = Date.now();
  lastReason = 'initial';
  private readonly passive: PassiveConfig | false;
  private readonly logger: Logger;
  private readonly onChange: ServerStateListener;
  private cooldownTimer: NodeJS.Timeout | undefined;
  /** Wall-clock ms the passive cool-down ends (while `passiveDown`). */
  private cooldownUntil = 0;
  /** Cluster worker: told when this worker's own passive observation takes the server out. */
  onPassiveDown: ((down: PassiveDown) => void) | undefined;

  constructor(
    backend: string,
    name: string,
    address: { host: string; port: number },
    weight: number,
    pool: PoolSettings,
    passive: PassiveConfig | false,
    logger: Logger,
    onChange: ServerStateListener,
    tls?: UpstreamTls,
  ) {
    this.backend = backend;
    this.name = name;
    this.host = address.host;
    this.port = address.port;
    this.weight = weight;
    this.tls = tls;
    this.pool = new UpstreamPool({
      host: address.host,
      port: address.port,
      hostHeader: `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
      connections: pool.connections,
      connectTimeout: pool.connectTimeout,
      responseTimeout: pool.responseTimeout,
      queueTimeout: pool.queueTimeout ?? pool.connectTimeout,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT,
      maxHeaderSize: pool.maxHeaderSize ?? 16_384,
      ...(tls === undefined ? {} : { tls: connectOptions(tls, address.host) }),
    });
    this.passive = passive;
    this.logger = logger;
    this.onChange = onChange;
  }

  /** The weight the balancers use: `weight`, or less while ramping up after coming back (slowstart). */
  effectiveWeight(): number {
    if (this.rampUntil === 0) return this.weight;
    const now = Date.now();
    if (now >= this.rampUntil) {
      this.rampUntil = 0;
      return this.weight;
    }
    return this.weight * Math.max(MIN_RAMP, (now - this.rampStart) / this.slowstartMs);
  }

  /** A response came back (status < 500, or any status when 5xx do not count). */
  recordSuccess(): void {
    if (this.consecutiveFailures !== 0) this.consecutiveFailures = 0;
  }

  /** A connection failure, or a 5xx when `passive.on_5xx`. */
  recordFailure(reason: string, isStatus: boolean): void {
    const passive = this.passive;
    if (passive === false || (isStatus && !passive.on_5xx)) return;
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= passive.failures && !this.passiveDown) {
      this.passiveDown = true;
      this.consecutiveFailures = 0;
      this.startCooldown(passive.cooldown);
      this.update(`passive: ${reason}`);
      this.onPassiveDown?.({ backend: this.backend, server: this.name, host: this.host, port: this.port, until: this.cooldownUntil, reason: `passive: ${reason}` });
    }
  }

  /**
   * Cluster worker: another worker's passive checks took this server out until `until`; this worker
   * takes it out too, for the same time, instead of finding out with failed requests of its own.
   */
  applyPassiveDown(until: number, reason: string): void {
    const left = until - Date.now();
    if (this.passive === false || this.passiveDown || left <= 0) return;
    this.passiveDown = true;
    this.consecutiveFailures = 0;
    this.startCooldown(left);
    this.update(`${reason} (seen by another worker)`, true);
  }

  private startCooldown(ms: number): void {
    this.cooldownUntil = Date.now() + ms;
    this.cooldownTimer = setTimeout(this.endCooldown, ms).unref();
  }

  private readonly endCooldown = (): void => {
    this.cooldownTimer = undefined;
    this.passiveDown = false;
    this.update('passive cool-down over');
  };

  /**
   * Called by the active checker when rise/fall thresholds are crossed, or, in a cluster worker, when the
   * primary's checker did (`quiet`: the primary has logged it once; each worker logs at debug only).
   */
  setActive(up: boolean, reason: string, quiet = false): void {
    if (this.activeUp === up) return;
    this.activeUp = up;
    this.update(reason.startsWith('check: ') ? reason : `check: ${reason}`, quiet);
  }

  /** The operator changed the server's state (admin API or config). `quiet`: logged elsewhere (cluster workers). */
  setAdminState(state: AdminState, quiet = false): void {
    if (this.adminState === state) return;
    this.adminState = state;
    this.logger[quiet ? 'debug' : 'info']({ backend: this.backend, server: this.name, admin: state }, `server ${this.backend}/${this.name} set to ${state}`);
    this.update(`admin: ${state}`, true);
  }

  /** Same backend, name and address: the same server across a reload. */
  sameServer(other: { backend: string; name: string; host: string; port: number }): boolean {
    return other.backend === this.backend && other.name === this.name && other.host === this.host && other.port === this.port;
  }

  /**
   * Reload: this server replaces `previous` (the same server in the old generation). The active-check
   * verdict carries over when both generations check it (`activeChecked`), and a passive cool-down
   * carries over with the time it has left, so a reload never sends traffic to a server known to be down.
   */
  inherit(previous: UpstreamServer, activeChecked: boolean, keepAdminState = true): void {
    if (activeChecked) this.activeUp = previous.activeUp;
    if (keepAdminState) this.adminState = previous.adminState;
    if (previous.passiveDown && this.passive !== false) {
      const left = previous.cooldownUntil - Date.now();
      if (left > 0) {
        this.passiveDown = true;
        this.startCooldown(left);
      }
    }
    this.available = this.computeAvailable();
    this.rampStart = previous.rampStart;
    this.rampUntil = this.slowstartMs > 0 ? previous.rampUntil : 0;
    this.lastChange = previous.lastChange;
    this.lastReason = previous.lastReason;
  }

  /** Up by its checks, not cooling down after passive failures, and not drained or in maintenance. */
  private computeAvailable(): boolean {
    return this.activeUp && !this.passiveDown && this.adminState === 'ready';
  }

  private update(reason: string, quiet = false): void {
    const available = this.computeAvailable();
    if (available === this.available) return;
    this.available = available;
    this.lastChange = Date.now();
    if (available && this.slowstartMs > 0) {
      this.rampStart = this.lastChange;
      this.rampUntil = this.lastChange + this.slowstartMs;
    }
    this.lastReason = reason;
    const level = quiet ? 'debug' : available ? 'info' : 'warn';
    this.logger[level]({ backend: this.backend, server: this.name, state: available ? 'up' : 'down', reason }, `server ${this.backend}/${this.name} is ${available ? 'up' : 'down'}`);
    this.onChange(this);
  }

  /** Stops timers; lets in-flight requests finish before the pool's sockets close. */
  async close(): Promise<void> {
    if (this.cooldownTimer !== undefined) clearTimeout(this.cooldownTimer);
    await this.pool.close();
  }
}
