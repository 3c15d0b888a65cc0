/**
 * The state of one request and its response on an upstream connection, and of the response message being
 * parsed. A connection holds at most one Exchange: it is created when a request starts and dropped when its
 * handler has been told the end (onComplete, onError or onUpgrade); a ResponseMessage lives from the parser's
 * message-begin to its message-complete. Nothing of one response (header parts, trailers, body counters,
 * held chunks, pause state) is kept anywhere else, so none of it can reach another request's response.
 */
import type { Readable } from 'node:stream';
import type { RequestHead } from './request-head.js';
import type { UpstreamHandler, UpstreamRequest } from './types.js';

/** How far the request has gone out. */
export const enum Sending {
  /** A request with a body: its head waits for the body's first bytes (or its end). */
  HeadHeld = 0,
  /** The head is out, the body is streaming. */
  Body = 1,
  /** Every byte of the request is written. */
  Done = 2,
}

/** How far the response has come in; the order matters (`< Ended`: the upstream side is still open). */
export const enum Receiving {
  /** Waiting for the final response head (1xx responses may pass). */
  Head = 0,
  /** The handler has the head; the body is being parsed. */
  Body = 1,
  /** A 101 with Upgrade answered an upgrade request: the socket is handed over once this read is parsed. */
  Upgrade = 2,
  /** Nothing more comes from the upstream (a complete message, or a failure after the head): the held chunks, then the end, go to the handler. */
  Ended = 3,
  /** The handler has been told how the exchange ended. */
  Done = 4,
}

/** What the connection does for its exchanges' `abort` and `resume`. */
export interface ExchangeOwner {
  abortExchange(exchange: Exchange, reason?: Error): void;
  resumeExchange(exchange: Exchange): void;
}

/**
 * One response message (a 1xx or the final one), from its first byte to its end. A connection keeps one
 * and `begin()`s it at every message-begin (nothing of the previous message survives that), and its
 * exchange points to it only from that begin to the message's complete: allocating one per message cost
 * measurable CPU per proxied request, and reuse keeps the same boundary.
 */
export class ResponseMessage {
  /** Header fields the parser reported before the head completed (more than 32, or the head split across reads). */
  parts: string[] | undefined = undefined;
  /** The head is complete: a field reported now is a trailer, and trailers are dropped (docs/upstream.md). */
  headDone = false;
  /** A 1xx: skipped, the final response follows. */
  informational = false;

  /** A new message starts: everything of the one before is forgotten. */
  begin(): this {
    this.parts = undefined;
    this.headDone = false;
    this.informational = false;
    return this;
  }
}

export class Exchange {
  readonly request: UpstreamRequest;
  readonly handler: UpstreamHandler;
  readonly head: RequestHead;
  sending: Sending;
  receiving = Receiving.Head;
  /** The response message being parsed (the connection's, begun for it); null between messages. */
  message: ResponseMessage | null = null;
  /** The final response allows another request on the connection (and this request did not ask to upgrade). */
  keepAlive = true;
  /** Any response byte arrived: a request that got none on a reused connection may be sent again. */
  gotBytes = false;
  /** Request body: the stream, bytes streamed so far, the most allowed, and what its Content-Length still expects. */
  body: Readable | null;
  bodyBytes = 0;
  readonly maxBodyBytes: number;
  remaining: number;
  /** The handler asked for a pause: body chunks the parser still produces wait in `held`, in order. */
  paused = false;
  held: Buffer[] | null = null;
  deliveryScheduled = false;
  /** Once Ended: the error to report after the held chunks (undefined: the response was complete). */
  failure: (Error & { code?: string }) | undefined = undefined;
  /** The 101's headers, while the socket waits to be handed over. */
  upgradeHeaders: string[] | undefined = undefined;
  /**
   * Given to the handler: each works on this exchange only, never on a later one on the same connection.
   * Bound functions, not arrow closures: with two closures per exchange V8 pretenured their allocation
   * (old-space growth, a mark-compact every few seconds, ~3-4 us CPU per proxied request on GC threads).
   */
  readonly abort: (reason?: Error) => void;
  readonly resume: () => void;

  constructor(owner: ExchangeOwner, request: UpstreamRequest, handler: UpstreamHandler, head: RequestHead) {
    this.request = request;
    this.handler = handler;
    this.head = head;
    this.body = request.body;
    this.sending = request.body === null ? Sending.Done : Sending.HeadHeld;
    this.maxBodyBytes = request.maxBodyBytes ?? Infinity;
    this.remaining = head.length;
    this.abort = owner.abortExchange.bind(owner, this);
    this.resume = owner.resumeExchange.bind(owner, this);
  }
}

/** The final response's list: header fields reported in parts (if any) followed by those given with the head. */
export function headFields(message: ResponseMessage, headers: string[] | undefined): string[] {
  const parts = message.parts;
  message.parts = undefined;
  if (parts === undefined) return headers ?? [];
  if (headers !== undefined) for (let i = 0; i < headers.length; i++) parts.push(headers[i] as string);
  return parts;
}

/** The value of header `name` (lower-case) in a flat list, several joined with ', '; undefined when absent. */
export function fieldValue(headers: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const field = headers[i] as string;
    if (field.length === name.length && field.toLowerCase() === name) value = value === undefined ? (headers[i + 1] as string) : `${value}, ${headers[i + 1] as string}`;
  }
  return value;
}

/**
 * A 101's Upgrade names protocols the request offered (RFC 9110 §7.8: the server switches to one the client
 * listed), compared as case-insensitive tokens. False when either side names none.
 */
export function upgradeAnswers(offered: string | undefined, answered: string | undefined): boolean {
  if (offered === undefined || answered === undefined) return false;
  const asked = protocols(offered);
  const got = protocols(answered);
  if (got.length === 0) return false;
  for (let i = 0; i < got.length; i++) if (!asked.includes(got[i] as string)) return false;
  return true;
}

function protocols(value: string): string[] {
  const list: string[] = [];
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token !== '') list.push(token);
  }
  return list;
}
