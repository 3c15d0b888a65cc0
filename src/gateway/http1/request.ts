/**
 * A client request as the gateway's HTTP/1.1 server hands it over: what node:http's IncomingMessage gives
 * the gateway (method, url, version, raw and folded headers, the socket), and the body as a readable
 * stream with backpressure onto the socket. Headers fold into `headers` on first use, with node:http's
 * own rules for duplicates (first Content-Length/Authorization/Host… wins, Cookie joins with `; `,
 * Set-Cookie is a list, others join with `, `), so every consumer reads them as before.
 */
import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';

type AddHeaderLine = (this: { joinDuplicateHeaders: boolean }, field: string, value: string, dest: Record<string, unknown>) => void;
const addHeaderLine = (IncomingMessage.prototype as unknown as { _addHeaderLine?: AddHeaderLine })._addHeaderLine;
/** Whether node:http's header folding is there to reuse (nativeParserAvailable() requires it). */
export const headerFoldingAvailable = typeof addHeaderLine === 'function';
const FOLDING = { joinDuplicateHeaders: false };
const NO_TRAILERS: readonly string[] = Object.freeze([]);
/**
 * Body bytes buffered for a reader before the socket stops being read: set here, not left to Node's default
 * (16 KiB up to Node 20, 64 KiB from Node 22), so the bound is the same on every Node. A paused reader holds
 * at most this plus the rest of one socket read (64 KiB).
 */
export const BODY_HIGH_WATER = 16 * 1024;
const BODY_STREAM = Object.freeze({ highWaterMark: BODY_HIGH_WATER });

/** The connection's side of a request body: it resumes reading when the body's reader wants more. */
export interface BodySource {
  resumeBody(): void;
}

export class Http1Request extends Readable {
  readonly method: string;
  readonly url: string;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly rawHeaders: string[];
  readonly socket: Socket;
  /** The whole message, body included, has been read. */
  complete = false;
  /** The response finished before the body was read: the rest of the body is read and dropped. */
  dumped = false;
  /** Body bytes arrived (a request without any ends lazily, in _read). */
  hasBody = false;
  /** An upgrade request (`Connection: upgrade` + `Upgrade`, never a body): answered by switchProtocols() or an ordinary response. */
  upgrade = false;
  /**
   * The trailer fields of this request's chunked body, [name, value, …] as sent. They belong to this
   * message only and are not forwarded (docs/http1-server.md, "Request trailers").
   */
  rawTrailers: readonly string[] = NO_TRAILERS;
  private folded: IncomingHttpHeaders | undefined;
  private readonly source: BodySource;

  constructor(source: BodySource, socket: Socket, method: string, url: string, major: number, minor: number, rawHeaders: string[]) {
    super(BODY_STREAM);
    this.source = source;
    this.socket = socket;
    this.method = method;
    this.url = url;
    this.httpVersionMajor = major;
    this.httpVersionMinor = minor;
    this.rawHeaders = rawHeaders;
  }

  get headers(): IncomingHttpHeaders {
    let folded = this.folded;
    if (folded === undefined) {
      folded = {};
      const raw = this.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) (addHeaderLine as AddHeaderLine).call(FOLDING, raw[i] as string, raw[i + 1] as string, folded as Record<string, unknown>);
      this.folded = folded;
    }
    return folded;
  }

  get httpVersion(): string {
    return `${this.httpVersionMajor}.${this.httpVersionMinor}`;
  }

  /** Like IncomingMessage: a cut body errors only for a reader that listens for errors. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    callback(this.listenerCount('error') > 0 ? error : null);
  }

  override _read(): void {
    // a request without a body ends when someone reads it (ending a stream nobody reads costs ~2 µs)
    if (this.complete) this.push(null);
    else this.source.resumeBody();
  }
}
