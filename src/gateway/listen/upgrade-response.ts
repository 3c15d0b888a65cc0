/**
 * node:http hands an upgrade request over as `'upgrade'` (req, socket, head) with the socket detached
 * from its HTTP machinery. This adapts it to the (req, res) pair of every other request (contract C3), so
 * upgrades go through the same admission pipeline: `res` writes a raw HTTP/1.1 response on the socket and
 * implements `switchProtocols()`. Any answer other than 101 closes the connection after it
 * (`Connection: close`): the bytes the client sent past the upgrade head are never read as HTTP here, and
 * never forwarded. The pipeline's first stage (../admit/upgrade-rules.ts) refuses upgrades with a body or
 * `Connection: close`.
 */
import { STATUS_CODES, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { ClientRequest, ClientResponse } from '../http1/index.js';

/** Headers this writer frames itself: the connection always closes after a non-101 answer. */
const FRAMING = new Set(['connection', 'transfer-encoding', 'keep-alive']);
const UNSAFE = /[\r\n\0]/;

export class UpgradeResponse extends Writable implements ClientResponse {
  statusCode = 200;
  shouldKeepAlive = false;
  readonly req: ClientRequest;
  socket: Socket | null;
  private readonly head: Buffer;
  private readonly fields = new Map<string, [string, string | readonly string[]]>();
  private sent = false;

  constructor(req: ClientRequest, socket: Socket, head: Buffer) {
    super();
    this.req = req;
    this.socket = socket;
    this.head = head;
    socket.pause();
    socket.on('close', this.onSocketClose);
    socket.on('error', this.onSocketClose);
  }

  get headersSent(): boolean {
    return this.sent;
  }

  private readonly onSocketClose = (): void => {
    if (!this.destroyed) this.destroy();
  };

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.fields.set(name.toLowerCase(), [name, typeof value === 'number' ? String(value) : value]);
    return this;
  }

  removeHeader(name: string): void {
    this.fields.delete(name.toLowerCase());
  }

  writeHead(status: number, headers?: OutgoingHttpHeaders | OutgoingHttpHeader[]): this {
    if (this.sent) throw new Error('the response head was already sent');
    if (status === 101 || status < 200 || status > 999) throw new RangeError(`status ${status} is not allowed here; use switchProtocols()`);
    this.statusCode = status;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) this.add(String(headers[i]), headers[i + 1] as string);
    } else if (headers !== undefined) {
      for (const name in headers) {
        const value = headers[name];
        if (value !== undefined) this.add(name, value);
      }
    }
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    for (const [name, value] of this.fields.values()) {
      if (FRAMING.has(name.toLowerCase())) continue;
      for (const one of typeof value === 'string' ? [value] : value) {
        if (UNSAFE.test(name) || UNSAFE.test(one)) throw new TypeError(`invalid header ${name}`);
        head += `${name}: ${one}\r\n`;
      }
    }
    this.sent = true;
    (this.socket as Socket).write(`${head}Connection: close\r\n\r\n`, 'latin1');
    return this;
  }

  private add(name: string, value: number | string | readonly string[]): void {
    const key = name.toLowerCase();
    const text = typeof value === 'number' ? String(value) : value;
    const previous = this.fields.get(key);
    if (previous === undefined) this.fields.set(key, [name, text]);
    else this.fields.set(key, [previous[0], ([] as string[]).concat(previous[1], text)]);
  }

  /** 101 with these headers; the socket and the bytes the client sent past the upgrade head now belong to the caller. */
  switchProtocols(headers: string[]): { socket: Socket; head: Buffer } {
    const socket = this.socket;
    if (this.sent || socket === null || socket.destroyed) throw new Error('switchProtocols() after the response started');
    let head = 'HTTP/1.1 101 Switching Protocols\r\n';
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i] as string;
      const value = headers[i + 1] as string;
      if (UNSAFE.test(name) || UNSAFE.test(value)) throw new TypeError(`invalid header ${name}`);
      head += `${name}: ${value}\r\n`;
    }
    this.sent = true;
    this.statusCode = 101;
    socket.off('close', this.onSocketClose);
    socket.off('error', this.onSocketClose);
    this.socket = null;
    socket.write(`${head}\r\n`, 'latin1');
    return { socket, head: this.head };
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.sent) this.writeHead(this.statusCode);
    const socket = this.socket;
    if (socket === null || socket.destroyed) callback(new Error('the client connection closed'));
    else socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.sent) this.writeHead(this.statusCode);
    this.socket?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket?.destroy();
    callback(error);
  }
}
