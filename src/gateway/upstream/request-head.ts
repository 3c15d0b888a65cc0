/**
 * The request head sent upstream, built as one latin1 string (header values reach the gateway as latin1
 * text from Node's parser, so the bytes go out exactly as they came in). Framing is the gateway's own:
 * a body of known length keeps its Content-Length, a body of unknown length is sent chunked, and a
 * POST/PUT/PATCH without a body says `content-length: 0`.
 */
import { badHeader, badTarget } from './errors.js';

/**
 * CR, LF or NUL in a header name or value would end the header early: request splitting. Three indexOf
 * scans (memchr-like in V8) instead of a character-class regex: a FusionAuth token makes Authorization
 * ~850 characters, and the regex showed as ~1.3 % of a worker's CPU under the JWT benchmark.
 */
function breaksLine(text: string): boolean {
  return text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1 || text.indexOf('\0') !== -1;
}

const DECIMAL = /^\d{1,15}$/;

/** RFC 9110 token (a method) and an origin-form target without controls or spaces. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TARGET_BREAKER = /[\x00-\x20\x7f]/;

const EXPECTS_PAYLOAD = new Set(['POST', 'PUT', 'PATCH']);

/** Methods that may be sent again when no answer came (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

export const enum Framing {
  None = 0,
  Length = 1,
  Chunked = 2,
}

export interface RequestHead {
  readonly text: string;
  readonly framing: Framing;
  /** The declared Content-Length when framing is Length: the body must be exactly this long. */
  readonly length: number;
}

export function requestHead(method: string, path: string, headers: readonly string[], hasBody: boolean, hostHeader: string): RequestHead | Error {
  // node:http and the router already guarantee both; checked again because a break here splits the request
  if (!TOKEN.test(method)) return badTarget('method');
  if (path.length === 0 || TARGET_BREAKER.test(path)) return badTarget('request target');
  let text = `${method} ${path} HTTP/1.1\r\n`;
  let host = false;
  let length = -1;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    if (breaksLine(value) || breaksLine(name)) return badHeader(name);
    if (name.length === 4 && name.toLowerCase() === 'host') host = true;
    else if (name.length === 14 && name.toLowerCase() === 'content-length') {
      // one plain decimal length, or the request is not sent: a second or malformed one could desync the upstream
      if (length >= 0 || !DECIMAL.test(value)) return badHeader(name);
      length = Number(value);
    }
    text += `${name}: ${value}\r\n`;
  }
  if (!host) text += `host: ${hostHeader}\r\n`;
  let framing = Framing.None;
  if (hasBody) {
    if (length >= 0) framing = Framing.Length;
    else {
      framing = Framing.Chunked;
      text += 'transfer-encoding: chunked\r\n';
    }
  } else if (length < 0 && EXPECTS_PAYLOAD.has(method)) text += 'content-length: 0\r\n';
  return { text: `${text}\r\n`, framing, length };
}
