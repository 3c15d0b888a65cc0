/**
 * A keep-alive pool of HTTP/1.1 connections to one upstream server. Idle connections are reused
 * newest first (warm sockets, and the oldest ones age out); at most `connections` are open, and
 * further requests wait in arrival order. An idle connection older than the keep-alive limit is closed
 * instead of reused. `close()` lets every started and queued request finish, then closes the rest.
 *
 * A connection handed over after a 101 (an upgrade tunnel) leaves the pool for good but still counts
 * against `connections` until its socket closes, as HAProxy counts a tunnel against a server's maxconn:
 * tunnels cannot open more connections to a server than its limit. `close()` does not wait for tunnels.
 */
import { Http1Connection, type ConnectionOwner } from './connection.js';
import { aborted, poolClosed, queueTimeout, upgradeWithBody } from './errors.js';
import { requestHead, type RequestHead } from './request-head.js';
import type { PoolOptions, UpstreamHandler, UpstreamRequest } from './types.js';

interface Waiting {
  readonly request: UpstreamRequest;
  readonly handler: UpstreamHandler;
  readonly head: RequestHead;
  cancelled: boolean;
  /** Ends the wait with ERR_UPSTREAM_QUEUE_TIMEOUT (only queued requests have a timer). */
  timer: NodeJS.Timeout | undefined;
}

export class UpstreamPool implements ConnectionOwner {
  private readonly options: PoolOptions;
  private readonly idle: Http1Connection[] = [];
  private readonly waiting: Waiting[] = [];
  private waitingHead = 0;
  /** HTTP connections open (busy, idle or connecting). */
  private open = 0;
  /** Connections handed over after a 101 and not yet closed. */
  private tunnels = 0;
  private closing = false;
  private onDrained: (() => void) | undefined;
  private drained: Promise<void> | undefined;

  constructor(options: PoolOptions) {
    this.options = options;
  }

  /** Open connections, and those of them idle: for the stats page and tests. */
  get stats(): { open: number; idle: number; waiting: number; tunnels: number } {
    return { open: this.open, idle: this.idle.length, waiting: this.waiting.length - this.waitingHead, tunnels: this.tunnels };
  }

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.closing) {
      handler.onConnect(noop);
      handler.onError(poolClosed());
      return;
    }
    const head = request.upgrade === true && request.body !== null
      ? upgradeWithBody()
      : requestHead(request.method, request.path, request.headers, request.body !== null, this.options.hostHeader);
    if (head instanceof Error) {
      handler.onConnect(noop);
      handler.onError(head);
      return;
    }
    const connection = this.takeIdle() ?? (this.open + this.tunnels < this.options.connections ? this.connect() : undefined);
    if (connection !== undefined) {
      connection.start(request, handler, head);
      return;
    }
    const entry: Waiting = { request, handler, head, cancelled: false, timer: undefined };
    this.waiting.push(entry);
    const leave = (reason: Error) => {
      if (entry.cancelled) return;
      entry.cancelled = true;
      if (entry.timer !== undefined) clearTimeout(entry.timer);
      handler.onError(reason);
    };
    const limit = this.options.queueTimeout;
    entry.timer = setTimeout(() => leave(queueTimeout(limit)), limit);
    handler.onConnect((reason?: Error) => leave(reason ?? aborted()));
  }

  release(connection: Http1Connection): void {
    const next = this.nextWaiting();
    if (next !== undefined) {
      connection.start(next.request, next.handler, next.head);
      return;
    }
    if (this.closing) {
      connection.destroy();
      return;
    }
    connection.idleSince = Date.now();
    this.idle.push(connection);
  }

  closed(connection: Http1Connection): void {
    this.open--;
    const at = this.idle.indexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
    this.slotFreed();
  }

  upgraded(connection: Http1Connection): void {
    this.open--;
    this.tunnels++;
    connection.socket.once('close', this.tunnelClosed);
    if (this.closing && this.open === 0) this.onDrained?.();
  }

  private readonly tunnelClosed = (): void => {
    this.tunnels--;
    this.slotFreed();
  };

  /** A waiting request takes the freed slot. */
  private slotFreed(): void {
    const next = this.nextWaiting();
    if (next !== undefined) this.connect().start(next.request, next.handler, next.head);
    else if (this.closing && this.open === 0) this.onDrained?.();
  }

  retry(request: UpstreamRequest, handler: UpstreamHandler, head: RequestHead): void {
    // the stale connection still counts until its 'close'; the retry may exceed the limit by that one
    this.connect().start(request, handler, head);
  }

  /** Stops taking requests; resolves when every started or queued request has finished. */
  close(): Promise<void> {
    if (this.drained !== undefined) return this.drained;
    this.closing = true;
    this.drained = new Promise((resolve) => {
      this.onDrained = resolve;
    });
    for (const connection of this.idle.splice(0)) connection.destroy();
    if (this.open === 0) this.onDrained?.();
    return this.drained;
  }

  private connect(): Http1Connection {
    this.open++;
    return new Http1Connection(this, this.options);
  }

  private takeIdle(): Http1Connection | undefined {
    const idle = this.idle;
    if (idle.length === 0) return undefined;
    const oldest = Date.now() - this.options.keepAliveTimeout;
    let connection = idle.pop();
    while (connection !== undefined && (connection.dead || connection.idleSince < oldest)) {
      connection.destroy();
      connection = idle.pop();
    }
    return connection;
  }

  private nextWaiting(): Waiting | undefined {
    const waiting = this.waiting;
    while (this.waitingHead < waiting.length) {
      const entry = waiting[this.waitingHead] as Waiting;
      waiting[this.waitingHead++] = undefined as unknown as Waiting;
      if (this.waitingHead === waiting.length) {
        waiting.length = 0;
        this.waitingHead = 0;
      }
      if (!entry.cancelled) {
        entry.cancelled = true; // from now on the connection's own abort applies
        if (entry.timer !== undefined) clearTimeout(entry.timer);
        return entry;
      }
    }
    return undefined;
  }
}

function noop(): void {}
