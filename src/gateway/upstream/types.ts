/**
 * The upstream client's small interface: a request to send and the handler that receives the response.
 * The handler is the callback interface of undici's Dispatcher (onConnect, onHeaders, onData, onComplete,
 * onError), so the exchange stays one object per request with no closures.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface UpstreamRequest {
  readonly method: string;
  /** Origin-form request target, already normalised by the router. */
  readonly path: string;
  /** Flat [name, value, name, value...] list, hop-by-hop headers already removed. */
  readonly headers: readonly string[];
  /** The client's request body, streamed as it arrives; null when there is none. */
  readonly body: Readable | null;
  /** Largest body to stream, in bytes: past it the exchange fails with ERR_REQUEST_BODY_TOO_LARGE. */
  readonly maxBodyBytes?: number;
  /**
   * The request asks to switch protocols (it carries `Connection: upgrade` and `Upgrade`; it has no body).
   * Only then is a `101` with an `Upgrade` header accepted, and handed over through `onUpgrade`; any other
   * answer is an ordinary response after which the connection is closed.
   */
  readonly upgrade?: boolean;
}

export interface UpstreamHandler {
  /** The request is on its way; `abort` stops it (onError follows with ERR_UPSTREAM_ABORTED or the reason given). */
  onConnect(abort: (reason?: Error) => void): void;
  /** Status and headers (flat list, names as the upstream spelled them). Return false to pause until `resume()`. */
  onHeaders(statusCode: number, headers: string[], resume: () => void): boolean;
  /** A piece of the (de-chunked) body. Return false to pause until `resume()`. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  /**
   * Called at most once, instead of onComplete. `error.code` is an ERR_UPSTREAM_* code or a socket/TLS code.
   * After onHeaders, it comes after every body byte parsed before the failure, on a later turn of the event
   * loop than those bytes (so writes they caused go out first); after the handler's own abort, at once.
   */
  onError(error: Error & { code?: string }): void;
  /**
   * A `101` with an `Upgrade` header answered an upgrade request: the connection has left its pool for good
   * (no timeouts, no listeners, parser released) and `socket` is the caller's, with `head` the bytes the
   * upstream sent after the 101 head. No other callback follows. Without this method a 101 is a bad response.
   */
  onUpgrade?(statusCode: number, headers: string[], socket: Socket, head: Buffer): void;
}

export interface PoolOptions {
  readonly host: string;
  readonly port: number;
  /** Host header sent when the request carries none (HTTP/1.0 clients). */
  readonly hostHeader: string;
  /** Maximum open connections; further requests wait in order. */
  readonly connections: number;
  readonly connectTimeout: number;
  /** Longest silence from the upstream while a request is outstanding: no response head, or a stalled body. */
  readonly responseTimeout: number;
  /** Longest wait for a free connection when `connections` are all busy (HAProxy's `timeout queue`). */
  readonly queueTimeout: number;
  /** An idle connection older than this is not reused (servers commonly close idle ones after 5 s). */
  readonly keepAliveTimeout: number;
  /** Largest response head accepted, in bytes (llhttp refuses bigger with HPE_HEADER_OVERFLOW). */
  readonly maxHeaderSize: number;
  /** node:tls connect options when the server speaks TLS. */
  readonly tls?: Record<string, unknown>;
}
