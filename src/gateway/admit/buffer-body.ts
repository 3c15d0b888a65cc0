/**
 * Body buffering stage (HAProxy's `option http-buffer-request`): a request body of at most
 * `limits.buffer_request_body` bytes is read whole before a server connection is taken, within
 * `timeouts.http_request` (else 408 and the connection closed). A slow client then holds only its own
 * socket, never one of the pool's upstream connections. A larger body (by Content-Length, or a chunked
 * one that grows past the limit) streams as it arrives, the bytes read so far first.
 */
import { PassThrough, pipeline, Readable } from 'node:stream';
import { MESSAGES } from '../listen/local-response.js';
import type { GatewayRequest } from './gateway-request.js';
import { ANSWERED, NEXT, type Outcome, type Step } from './stage.js';

export function bufferBody(request: GatewayRequest): Step {
  const body = request.body;
  if (body === null) return NEXT;
  const limits = request.runtime.generation.config.limits;
  const limit = limits.buffer_request_body;
  const length = request.req.headers['content-length'];
  if (limit === 0 || (length !== undefined && Number(length) > limit)) return NEXT;
  return new Promise<Outcome>((resolve) => new BodyReader(request, body, limit, request.runtime.generation.config.timeouts.http_request, resolve).start());
}

function noop(): void {}

class BodyReader {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly request: GatewayRequest,
    private readonly body: Readable,
    private readonly limit: number,
    private readonly timeout: number,
    private readonly resolve: (outcome: Outcome) => void,
  ) {}

  start(): void {
    this.timer = setTimeout(this.onTimeout, this.timeout);
    this.body.on('data', this.onData);
    this.body.on('end', this.onEnd);
    this.body.on('error', this.onGone);
    this.body.on('close', this.onGone);
  }

  private stop(): void {
    clearTimeout(this.timer);
    this.body.off('data', this.onData);
    this.body.off('end', this.onEnd);
    this.body.off('error', this.onGone);
    this.body.off('close', this.onGone);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes <= this.limit) return;
    // too large to hold: what was read goes first, the rest streams behind it
    this.stop();
    this.body.pause();
    const rest = new PassThrough();
    for (const held of this.chunks) rest.write(held);
    pipeline(this.body, rest, noop);
    this.request.body = rest;
    this.resolve(NEXT);
  };

  private readonly onEnd = (): void => {
    this.stop();
    this.request.body = Readable.from(this.chunks, { objectMode: false });
    this.resolve(NEXT);
  };

  /** The client left mid-body. */
  private readonly onGone = (): void => {
    this.stop();
    this.request.clientClosed();
    this.resolve(ANSWERED);
  };

  private readonly onTimeout = (): void => {
    this.stop();
    this.request.answer(408, MESSAGES.requestTimeout, true, 'request body timeout');
    this.resolve(ANSWERED);
  };
}
