/**
 * Node's own HTTP/1.1 parser (llhttp, compiled into Node), as node:http uses it. The gateway's HTTP/1.1
 * server parses every client request with it and the upstream client every upstream response, both in
 * strict mode (no lenient flags), so both directions share one well-tested, smuggling-hardened codec.
 *
 * It is reached through `_http_common`, the module node:http itself uses. That module is not documented,
 * so everything the gateway needs from it is named here, in one place, and checked at load. Importing this
 * module never throws: when a Node lacks what is needed, `llhttpAvailable()` is false (with the reason in
 * `llhttpMissing()`), the constants are placeholders, and making a parser throws. The listener then serves
 * the frontend with node:http instead (contract C4, `nativeParserAvailable()` in index.ts).
 */
import { METHODS } from 'node:http';
import { createRequire } from 'node:module';

export interface ResponseParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  /** Parses bytes; calls the callbacks synchronously; returns an Error (with `code`, e.g. HPE_INVALID_CONSTANT) on bad input. */
  execute(data: Buffer): number | Error;
  /** The peer closed: completes a read-until-close body, or returns an Error for a cut message. */
  finish(): number | Error | undefined;
  close(): void;
  /** Inside the kOnExecute callback of a consumed read: a copy of the bytes just read. */
  getCurrentBuffer(): Buffer;
  /** Reads straight from a socket's native handle (no JS 'data' events); results come to kOnExecute. */
  consume(handle: object): void;
  unconsume(): void;
  /** Continues after a PAUSE returned by the headers-complete callback. */
  resume(): void;
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

function loadBinding(): ParserBinding | undefined {
  try {
    const found = (createRequire(import.meta.url)('_http_common') as { HTTPParser?: ParserBinding }).HTTPParser;
    if (typeof found !== 'function' || typeof found.RESPONSE !== 'number' || typeof found.kOnHeadersComplete !== 'number' || typeof found.kOnMessageBegin !== 'number' || typeof found.kOnExecute !== 'number') return undefined;
    const proto = found.prototype as Partial<ResponseParser>;
    if (typeof proto.consume !== 'function' || typeof proto.execute !== 'function' || typeof proto.initialize !== 'function') return undefined;
    return found;
  } catch {
    return undefined;
  }
}

const binding = loadBinding();
/** Why the parser cannot be used on this Node (undefined: it can); set once, at load. */
let missing: string | undefined = binding === undefined ? `this Node.js (${process.version}) does not expose the HTTP parser (_http_common.HTTPParser) Gatehouse's HTTP/1.1 code needs` : undefined;
/** Placeholders keep the constants numbers when the binding is missing; nothing parses then. */
const HTTPParser = (binding ?? { REQUEST: 1, RESPONSE: 2, kOnMessageBegin: 0, kOnHeaders: 1, kOnHeadersComplete: 2, kOnBody: 3, kOnMessageComplete: 4, kOnExecute: 5, kLenientNone: 0 }) as ParserBinding;

/** Whether llhttp is usable here: the binding exists and behaves as checked at load. */
export function llhttpAvailable(): boolean {
  return missing === undefined;
}

/** Why llhttp is not usable here (undefined when it is). */
export function llhttpMissing(): string | undefined {
  return missing;
}

/**
 * What to do about it, after the reason. Only a Node that `engines` allows helps: the upstream client parses
 * every response with llhttp and has no node:http fallback (a frontend does: `server: node`).
 */
export const LLHTTP_ADVICE = 'run Gatehouse on Node.js 22 or later (24 LTS is the baseline), as package.json "engines" says';

function newParser(type: number, maxHeaderSize: number): ResponseParser {
  if (binding === undefined || missing !== undefined) throw new Error(`${missing ?? 'llhttp is unavailable'}; ${LLHTTP_ADVICE}`);
  const parser = new binding();
  parser.initialize(type, {}, maxHeaderSize, STRICT);
  return parser;
}

export const REQUEST = HTTPParser.REQUEST;
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

/** What the headers-complete callback of a request returns for an upgrade: stop parsing, the rest is the tunnel's. */
export const UPGRADE = 2;
/**
 * What the headers-complete callback returns to stop the parser after this head (llhttp's HPE_PAUSED):
 * execute() then returns an Error with code HPE_PAUSED and `bytesParsed`; after resume() the rest is
 * parsed from there. Checked at load below.
 */
export const PAUSE = 21;

/** A strict response parser; the callbacks are attached by the connection that owns it. */
export function responseParser(maxHeaderSize: number): ResponseParser {
  return newParser(RESPONSE, maxHeaderSize);
}

export type RequestParser = ResponseParser;

/**
 * Deletes the native parser once the current stack has unwound. Called from inside one of the parser's own
 * callbacks (a read, an upgrade hand-off), close() would free it while Node's C++ still uses it.
 */
export function closeWhenUnwound(parser: ResponseParser): void {
  setImmediate(closeParser, parser);
}

function closeParser(parser: ResponseParser): void {
  parser.close();
}

/** The native side of a socket, as far as a consuming parser uses it. */
export interface NativeHandle {
  readonly isStreamBase?: boolean;
  _consumed?: boolean;
  readStart(): number;
  readStop(): number;
}

/**
 * Lets `parser` read straight from the socket's native handle (no JavaScript 'data' per read), as node:http
 * does; results come to the parser's kOnExecute. Returns the handle, or undefined when the socket has none
 * to give (already consumed, or not a stream handle): reads then come as 'data' events.
 */
export function consumeSocket(parser: ResponseParser, socket: object): NativeHandle | undefined {
  const handle = (socket as { _handle?: NativeHandle | null })._handle;
  if (handle == null || handle.isStreamBase !== true || handle._consumed === true) return undefined;
  handle._consumed = true;
  parser.consume(handle);
  return handle;
}

/** A strict request parser (the server side); the callbacks are attached by the connection that owns it. */
export function requestParser(maxHeaderSize: number): RequestParser {
  return newParser(REQUEST, maxHeaderSize);
}

/**
 * Starts `parser` afresh, as a new request parser, keeping its callbacks and the socket it consumes (what
 * node:http does when it reuses a parser). After an upgrade's head llhttp expects the other protocol; when
 * the upgrade is answered by an ordinary response the bytes held after that head are HTTP again.
 */
export function restartRequestParser(parser: RequestParser, maxHeaderSize: number): void {
  parser.initialize(REQUEST, {}, maxHeaderSize, STRICT);
}

/**
 * The parser reports a request's method as llhttp's enum value. node:http maps it with a table it keeps to
 * itself, and the enum has gaps (QUERY is 46, after RTSP's methods), so the table is read off the parser
 * once: each of Node's HTTP methods is parsed and its number recorded.
 */
function methodTable(): readonly (string | undefined)[] {
  const table: (string | undefined)[] = [];
  if (missing !== undefined) return table;
  for (const method of METHODS) {
    const parser = requestParser(8192);
    let index = -1;
    parser[HTTPParser.kOnHeadersComplete] = (_major: number, _minor: number, _headers: string[], value: number) => {
      index = value;
      return SKIP_BODY;
    };
    for (const slot of [HTTPParser.kOnMessageBegin, HTTPParser.kOnHeaders, HTTPParser.kOnBody, HTTPParser.kOnMessageComplete, HTTPParser.kOnExecute]) parser[slot] = () => 0;
    const result = parser.execute(Buffer.from(`${method} / HTTP/1.1\r\nHost: a\r\n\r\n`, 'latin1'));
    parser.close();
    if (!(result instanceof Error) && index >= 0) table[index] = method;
  }
  if (table[1] !== 'GET' || table[2] !== 'HEAD') missing = `this Node.js (${process.version}) numbers HTTP methods in a way Gatehouse does not know`;
  return table;
}

/** llhttp's method number → the method's name (undefined: not an HTTP method, e.g. PRI or RTSP's). */
let methods: readonly (string | undefined)[] = [];
checkAtLoad(() => (methods = methodTable()));
export const METHOD_NAMES = methods;

function checkPause(): void {
  if (missing !== undefined) return;
  const parser = requestParser(8192);
  let heads = 0;
  parser[HTTPParser.kOnHeadersComplete] = () => (++heads === 1 ? PAUSE : PARSE_BODY);
  for (const slot of [HTTPParser.kOnMessageBegin, HTTPParser.kOnHeaders, HTTPParser.kOnBody, HTTPParser.kOnMessageComplete, HTTPParser.kOnExecute]) parser[slot] = () => 0;
  const first = 'GET /a HTTP/1.1\r\nHost: a\r\n\r\n';
  const data = Buffer.from(`${first}GET /b HTTP/1.1\r\nHost: a\r\n\r\n`, 'latin1');
  const paused = parser.execute(data) as Error & { code?: string; bytesParsed?: number };
  let ok = paused instanceof Error && paused.code === 'HPE_PAUSED' && paused.bytesParsed === first.length;
  if (ok) {
    parser.resume();
    ok = parser.execute(data.subarray(first.length)) === data.length - first.length && heads === 2;
  }
  parser.close();
  if (!ok) missing = `this Node.js (${process.version}) cannot pause its HTTP parser the way Gatehouse's HTTP server needs`;
}

/** Load-time checks run once; a Node that fails them leaves the parser unavailable instead of throwing. */
function checkAtLoad(check: () => void): void {
  try {
    check();
  } catch (error) {
    missing ??= `this Node.js (${process.version}) failed Gatehouse's HTTP parser check: ${(error as Error).message}`;
  }
}
checkAtLoad(checkPause);
