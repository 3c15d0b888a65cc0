/**
 * Streams a request body to the upstream with back-pressure, for the connection's exchange in progress: the
 * head waits for the body's first bytes (or its end), since Node's parser checks a body's framing only after
 * the head, so a request whose body turns out malformed never reaches the upstream. A body of known length
 * must match its Content-Length exactly; one of unknown length is sent chunked. The listeners are this
 * object's, one per connection, and act on whatever exchange the connection holds: none per request.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { holdWrites } from '../http1/held-writes.js';
import { ErrorCode } from '../../shared/errors.js';
import { aborted, upstreamError } from './errors.js';
import { Sending, type Exchange } from './exchange.js';
import { Framing } from './request-head.js';

/** What the writer needs from its connection. */
export interface BodyWriterOwner {
  readonly exchange: Exchange | null;
  fail(exchange: Exchange, error: Error & { code?: string }): void;
  abortExchange(exchange: Exchange, reason?: Error): void;
}

export class RequestBodyWriter {
  private readonly owner: BodyWriterOwner;
  private readonly socket: Socket;

  constructor(owner: BodyWriterOwner, socket: Socket) {
    this.owner = owner;
    this.socket = socket;
  }

  attach(body: Readable): void {
    body.on('data', this.onBodyData);
    body.on('end', this.onBodyEnd);
    body.on('error', this.onBodyGone);
    body.on('close', this.onBodyGone);
  }

  private readonly onBodyData = (chunk: Buffer | string): void => {
    const exchange = this.owner.exchange;
    if (exchange === null || exchange.body === null) return;
    const socket = this.socket;
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    if (data.length === 0) return; // an empty chunk would end a chunked body early
    const head = exchange.head;
    exchange.bodyBytes += data.length;
    if (exchange.bodyBytes > exchange.maxBodyBytes) {
      this.owner.fail(exchange, upstreamError(ErrorCode.REQUEST_BODY_TOO_LARGE, `the request body is larger than ${exchange.maxBodyBytes} bytes`));
      return;
    }
    if (head.framing === Framing.Length && data.length > exchange.remaining) {
      this.owner.fail(exchange, upstreamError(ErrorCode.UPSTREAM_BAD_REQUEST, 'the request body is longer than its Content-Length; not sent'));
      return;
    }
    let flushed: boolean;
    holdWrites(socket); // the head, chunk framing and data go out together at the end of the turn
    if (exchange.sending === Sending.HeadHeld) {
      exchange.sending = Sending.Body;
      socket.write(head.text, 'latin1');
    }
    if (head.framing === Framing.Chunked) {
      socket.write(`${data.length.toString(16)}\r\n`, 'latin1');
      socket.write(data);
      flushed = socket.write('\r\n', 'latin1');
    } else {
      exchange.remaining -= data.length;
      flushed = socket.write(data);
      if (exchange.remaining === 0) {
        // every declared byte is on its way: the request is complete even before the stream's 'end'
        exchange.sending = Sending.Done;
        this.detach(exchange);
        return;
      }
    }
    if (!flushed) {
      exchange.body.pause();
      socket.once('drain', this.resumeBody);
    }
  };

  private readonly resumeBody = (): void => {
    this.owner.exchange?.body?.resume();
  };

  private readonly onBodyEnd = (): void => {
    const exchange = this.owner.exchange;
    if (exchange === null || exchange.body === null) return;
    const head = exchange.head;
    if (head.framing === Framing.Length && exchange.remaining !== 0) {
      this.owner.fail(exchange, upstreamError(ErrorCode.UPSTREAM_BAD_REQUEST, 'the request body is shorter than its Content-Length'));
      return;
    }
    holdWrites(this.socket);
    if (exchange.sending === Sending.HeadHeld) this.socket.write(head.framing === Framing.Chunked ? `${head.text}0\r\n\r\n` : head.text, 'latin1');
    else if (head.framing === Framing.Chunked) this.socket.write('0\r\n\r\n', 'latin1');
    exchange.sending = Sending.Done;
    this.detach(exchange);
  };

  /** The client's body stream failed or closed before its end: the client went away. */
  private readonly onBodyGone = (): void => {
    const exchange = this.owner.exchange;
    if (exchange !== null && exchange.sending !== Sending.Done) this.owner.abortExchange(exchange, aborted());
  };

  /** Stops streaming the exchange's body (its end, or the end of the exchange). */
  detach(exchange: Exchange): void {
    const body = exchange.body;
    if (body === null) return;
    exchange.body = null;
    body.removeListener('data', this.onBodyData);
    body.removeListener('end', this.onBodyEnd);
    body.removeListener('error', this.onBodyGone);
    body.removeListener('close', this.onBodyGone);
    this.socket.removeListener('drain', this.resumeBody);
  }
}
