/**
 * Node's own HTTP/1.1 parser (llhttp, compiled into Node) as the upstream client uses it. node:http
 * parses every client request with this parser; the gateway parses every upstream response with it too,
 * in strict mode (no lenient flags), so both directions share one well-tested, smuggling-hardened codec.
 *
 * It is reached through `_http_common`, the module node:http itself uses. That module is not documented,
 * so everything the gateway needs from it is named here, in one place, and checked at load: if a future
 * Node changes the binding, the gateway fails at start with a clear message instead of misparsing.
 */
import { createRequire } from 'node:module';

export interface ResponseParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  /** Parses bytes; calls the callbacks synchronously; returns an Error (with `code`, e.g. HPE_INVALID_CONSTANT) on bad input. */
  execute(data: Buffer): number | Error;
  /** The peer closed: completes a read-until-close body, or returns an Error for a cut message. */
  finish(): number | Error | undefined;
  close(): void;
  /** Reads straight from a socket's native handle (no JS 'data' events); results come to kOnExecute. */
  consume(handle: object): void;
  unconsume(): void;
  [key: number]: unknown;
}

interface ParserBinding {
  new (): ResponseParser;
  readonly REQUEST: number;
  readonly RESPONSE: number;
  readonly kOnMessageBegin: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
  readonly kOnExecute: number;
  readonly kLenientNone: number;
}

const binding = (createRequire(import.meta.url)('_http_common') as { HTTPParser?: ParserBinding }).HTTPParser;
if (typeof binding !== 'function' || typeof binding.RESPONSE !== 'number' || typeof binding.kOnHeadersComplete !== 'number' || typeof binding.kOnMessageBegin !== 'number' || typeof binding.kOnExecute !== 'number' || typeof binding.prototype.consume !== 'function' || typeof binding.prototype.execute !== 'function') {
  throw new Error(`this Node.js (${process.version}) does not expose the HTTP parser Gatehouse's upstream client needs; use Node.js 20`);
}
const HTTPParser: ParserBinding = binding;

export const RESPONSE = HTTPParser.RESPONSE;
export const STRICT = HTTPParser.kLenientNone;
export const ON_MESSAGE_BEGIN = HTTPParser.kOnMessageBegin;
export const ON_HEADERS = HTTPParser.kOnHeaders;
export const ON_HEADERS_COMPLETE = HTTPParser.kOnHeadersComplete;
export const ON_BODY = HTTPParser.kOnBody;
export const ON_MESSAGE_COMPLETE = HTTPParser.kOnMessageComplete;
export const ON_EXECUTE = HTTPParser.kOnExecute;

/** What the headers-complete callback returns: parse the body as framed, or expect none (a HEAD response). */
export const PARSE_BODY = 0;
export const SKIP_BODY = 1;

/** A strict response parser; the callbacks are attached by the connection that owns it. */
export function responseParser(maxHeaderSize: number): ResponseParser {
  const parser = new HTTPParser();
  parser.initialize(RESPONSE, {}, maxHeaderSize, STRICT);
  return parser;
}
