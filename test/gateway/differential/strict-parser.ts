/**
 * A small, strict HTTP/1.1 request parser written for the differential suite, independent of llhttp and
 * of Gatehouse: RFC 9112 with no leniency. Lines end in CRLF (a bare CR or LF is an error), header names
 * are tokens with no space before the colon, obs-fold is an error, values hold no control character but
 * HTAB, the version is HTTP/1.0 or HTTP/1.1, a body is framed by exactly one Content-Length (digits only)
 * or by `Transfer-Encoding: chunked` alone, never both. Chunk sizes are hex (at most 16 digits), extensions
 * are accepted and ignored, trailers are parsed like headers.
 *
 * It is used on both sides: on the bytes a client sent (what a correct gateway must have understood) and
 * on the bytes the recording backend received (what the gateway actually sent).
 */

export interface ParsedRequest {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  /** Header fields in order, names as sent. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly trailers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** The bytes of the whole message, head to end of body. */
  readonly raw: Buffer;
  /** Connection: upgrade + Upgrade present. */
  readonly upgrade: boolean;
}

export type ParseStep =
  | { readonly kind: 'request'; readonly request: ParsedRequest; readonly used: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'error'; readonly error: string };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TARGET = /^[\x21-\x7e]+$/;
const VALUE_BAD = /[\x00-\x08\x0a-\x1f\x7f]/;
const MAX_HEAD = 256 * 1024;

/** The value of the last header `name` (case-insensitive), or undefined. */
export function header(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  let found: string | undefined;
  for (const [n, v] of headers) if (n.toLowerCase() === name) found = v;
  return found;
}

export function headerValues(headers: ReadonlyArray<readonly [string, string]>, name: string): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) if (n.toLowerCase() === name) out.push(v);
  return out;
}

/** Splits lines that must all end in CRLF; returns an error for a bare CR or LF. */
function lines(text: string): string[] | string {
  const out = text.split('\r\n');
  for (const line of out) if (line.includes('\r') || line.includes('\n')) return 'bare CR or LF';
  return out;
}

function fields(list: string[]): Array<[string, string]> | string {
  const out: Array<[string, string]> = [];
  for (const line of list) {
    if (line.startsWith(' ') || line.startsWith('\t')) return 'obs-fold';
    const colon = line.indexOf(':');
    if (colon <= 0) return `header line without a name: ${JSON.stringify(line.slice(0, 40))}`;
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return `header name not a token: ${JSON.stringify(name.slice(0, 40))}`;
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (VALUE_BAD.test(value)) return `control character in ${name}`;
    out.push([name, value]);
  }
  return out;
}

function tokens(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
}

export function isUpgrade(headers: ReadonlyArray<readonly [string, string]>): boolean {
  return header(headers, 'upgrade') !== undefined && headerValues(headers, 'connection').some((v) => tokens(v).includes('upgrade'));
}

/** Parses one chunked body starting at `from`; returns [end offset, body, trailers] or a step. */
function chunked(buf: Buffer, from: number): { end: number; body: Buffer; trailers: Array<[string, string]> } | ParseStep {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', at, 'latin1');
    if (eol < 0) return buf.length - at > 1024 ? { kind: 'error', error: 'chunk size line too long' } : { kind: 'incomplete' };
    const line = buf.toString('latin1', at, eol);
    if (line.includes('\n') || line.includes('\r')) return { kind: 'error', error: 'bare CR or LF in chunk size' };
    const m = /^([0-9A-Fa-f]{1,16})(;[\x21-\x7e\t ;=]*)?$/.exec(line);
    if (m === null) return { kind: 'error', error: `bad chunk size ${JSON.stringify(line.slice(0, 30))}` };
    const size = Number.parseInt(m[1] as string, 16);
    if (!Number.isSafeInteger(size)) return { kind: 'error', error: 'chunk size too large' };
    at = eol + 2;
    if (size === 0) {
      const trailerEnd = buf.indexOf('\r\n\r\n', at - 2, 'latin1');
      if (trailerEnd < 0) return { kind: 'incomplete' };
      const text = buf.toString('latin1', at, trailerEnd);
      const parsed = text === '' ? [] : lines(text);
      if (typeof parsed === 'string') return { kind: 'error', error: `trailers: ${parsed}` };
      const trailers = fields(parsed);
      if (typeof trailers === 'string') return { kind: 'error', error: `trailers: ${trailers}` };
      return { end: trailerEnd + 4, body: Buffer.concat(parts), trailers };
    }
    if (buf.length < at + size + 2) return { kind: 'incomplete' };
    parts.push(buf.subarray(at, at + size));
    if (buf[at + size] !== 0x0d || buf[at + size + 1] !== 0x0a) return { kind: 'error', error: 'chunk data not followed by CRLF' };
    at += size + 2;
  }
}

/** Parses the first request in `buf`. */
export function parseRequest(buf: Buffer): ParseStep {
  const headEnd = buf.indexOf('\r\n\r\n', 0, 'latin1');
  if (headEnd < 0) {
    if (buf.length > MAX_HEAD) return { kind: 'error', error: 'head too large' };
    // a bare LF or CR anywhere in what arrived so far already decides
    const text = buf.toString('latin1');
    const bad = /\r(?!\n)|(?<!\r)\n/.exec(text);
    if (bad !== null && bad.index < text.length - 1) return { kind: 'error', error: 'bare CR or LF' };
    return { kind: 'incomplete' };
  }
  const all = lines(buf.toString('latin1', 0, headEnd));
  if (typeof all === 'string') return { kind: 'error', error: all };
  const requestLine = all[0] as string;
  // RFC 9112 §3: a recipient may split the request line on runs of spaces
  const parts = requestLine.split(/ +/);
  if (parts.length !== 3) return { kind: 'error', error: `bad request line ${JSON.stringify(requestLine.slice(0, 60))}` };
  const [method, target, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) return { kind: 'error', error: 'method not a token' };
  if (!TARGET.test(target)) return { kind: 'error', error: 'bad target' };
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') return { kind: 'error', error: `version ${version}` };
  const headers = fields(all.slice(1));
  if (typeof headers === 'string') return { kind: 'error', error: headers };
  const hosts = headerValues(headers, 'host');
  if (version === 'HTTP/1.1' && hosts.length !== 1) return { kind: 'error', error: `${hosts.length} Host headers` };
  const te = headerValues(headers, 'transfer-encoding');
  const cl = headerValues(headers, 'content-length');
  const start = headEnd + 4;
  let end = start;
  let body: Buffer = Buffer.alloc(0);
  let trailers: Array<[string, string]> = [];
  if (te.length > 0) {
    if (cl.length > 0) return { kind: 'error', error: 'Content-Length with Transfer-Encoding' };
    if (version !== 'HTTP/1.1') return { kind: 'error', error: 'Transfer-Encoding in HTTP/1.0' };
    if (te.length !== 1 || (te[0] as string).toLowerCase() !== 'chunked') return { kind: 'error', error: `Transfer-Encoding ${JSON.stringify(te.join(', '))}` };
    const c = chunked(buf, start);
    if ('kind' in c) return c;
    ({ end, body, trailers } = c);
  } else if (cl.length > 0) {
    if (cl.length !== 1 || !/^[0-9]{1,15}$/.test(cl[0] as string)) return { kind: 'error', error: `Content-Length ${JSON.stringify(cl.join(', '))}` };
    const length = Number(cl[0]);
    if (buf.length < start + length) return { kind: 'incomplete' };
    body = buf.subarray(start, start + length);
    end = start + length;
  }
  const request: ParsedRequest = { method, target, version, headers, trailers, body: Buffer.from(body), raw: Buffer.from(buf.subarray(0, end)), upgrade: isUpgrade(headers) };
  return { kind: 'request', request, used: end };
}
