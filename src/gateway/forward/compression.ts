/**
 * Response compression on a frontend or route (HAProxy's `compression algo` / `compression type` /
 * `compression offload`): a proxied response is compressed with the first of the configured algorithms the
 * client accepts, when it is worth it and safe — a listed type, not already encoded, not `no-transform`,
 * a 200–203 answer with a body of at least `min_size` — and streamed through zlib with backpressure both
 * ways. Content-Length goes (the length changes), Content-Encoding and `Vary: Accept-Encoding` come, a
 * strong ETag becomes weak (the bytes differ) and Accept-Ranges goes (ranges would address other bytes).
 */
import { constants, createBrotliCompress, createDeflate, createGzip, type BrotliCompress, type Deflate, type Gzip } from 'node:zlib';
import { headerValue } from '../../shared/header-list.js';

export type Algorithm = 'br' | 'gzip' | 'deflate';

export interface CompressionConfig {
  readonly algorithms: readonly Algorithm[];
  /** Media types (`application/json`) or families (`text/*`), lower case. */
  readonly types: readonly string[];
  readonly min_size: number;
  /** Drop the client's Accept-Encoding on the way upstream, so servers send plain bytes for the gateway to compress. */
  readonly offload: boolean;
}

export interface CompressionPolicy {
  readonly algorithms: readonly Algorithm[];
  readonly exactTypes: ReadonlySet<string>;
  /** `text/*` → `text/`. */
  readonly typePrefixes: readonly string[];
  readonly minSize: number;
  readonly offload: boolean;
}

export const DEFAULT_TYPES = ['text/html', 'text/plain', 'text/css', 'text/javascript', 'application/javascript', 'application/json', 'application/xml', 'image/svg+xml'];

/** The route's block, else the frontend's; `false` on the route turns it off. */
export function compileCompression(frontend: CompressionConfig | undefined, route: CompressionConfig | false | undefined): CompressionPolicy | undefined {
  const config = route === undefined ? frontend : route === false ? undefined : route;
  if (config === undefined) return undefined;
  return {
    algorithms: config.algorithms,
    exactTypes: new Set(config.types.filter((t) => !t.endsWith('/*'))),
    typePrefixes: config.types.filter((t) => t.endsWith('/*')).map((t) => t.slice(0, -1)),
    minSize: config.min_size,
    offload: config.offload,
  };
}

/**
 * The algorithm to use for a client's Accept-Encoding, in the policy's order of preference: one the client
 * lists with q > 0, or that `*` covers (q > 0) without listing it at q=0. Undefined: send it as it is.
 */
export function negotiate(policy: CompressionPolicy, acceptEncoding: string | undefined): Algorithm | undefined {
  if (acceptEncoding === undefined || acceptEncoding === '') return undefined;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [token = '', ...params] = part.split(';');
    const name = token.trim().toLowerCase();
    if (name === '') continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=');
      if (key?.trim().toLowerCase() === 'q') q = Number(value?.trim());
    }
    weights.set(name, Number.isFinite(q) ? q : 0);
  }
  const any = weights.get('*');
  for (const algorithm of policy.algorithms) {
    const q = weights.get(algorithm) ?? (algorithm === 'gzip' ? weights.get('x-gzip') : undefined) ?? any;
    if (q !== undefined && q > 0) return algorithm;
  }
  return undefined;
}

/** Whether a response with these headers is worth compressing and safe to (the algorithm is already agreed). */
export function compressible(policy: CompressionPolicy, method: string, status: number, headers: readonly string[]): boolean {
  if (method === 'HEAD' || status < 200 || status > 203) return false;
  const encoding = headerValue(headers, 'content-encoding');
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return false;
  const cacheControl = headerValue(headers, 'cache-control');
  if (cacheControl !== undefined && /(^|,)\s*no-transform\s*(,|$)/i.test(cacheControl)) return false;
  const length = headerValue(headers, 'content-length');
  if (length !== undefined && Number(length) < policy.minSize) return false;
  const type = headerValue(headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type === undefined || type === '') return false;
  if (policy.exactTypes.has(type)) return true;
  for (const prefix of policy.typePrefixes) if (type.startsWith(prefix)) return true;
  return false;
}

/** The response headers for the compressed representation. */
export function compressedHeaders(headers: readonly string[], algorithm: Algorithm): string[] {
  const out: string[] = [];
  let vary: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'content-encoding' || lower === 'accept-ranges') continue;
    if (lower === 'vary') {
      vary = vary === undefined ? value : `${vary}, ${value}`;
      continue;
    }
    // a strong validator promises these exact bytes; the compressed ones are not
    out.push(name, lower === 'etag' && !value.startsWith('W/') ? `W/${value}` : value);
  }
  const varies = vary === undefined ? [] : vary.split(',').map((v) => v.trim().toLowerCase());
  if (varies.includes('*')) out.push('Vary', vary as string);
  else out.push('Vary', varies.includes('accept-encoding') ? (vary as string) : vary === undefined || vary.trim() === '' ? 'Accept-Encoding' : `${vary}, Accept-Encoding`);
  out.push('Content-Encoding', algorithm);
  return out;
}

export type Compressor = Gzip | BrotliCompress | Deflate;

/** A zlib stream for the algorithm: speed-leaning levels, as a gateway compresses every response it sends. */
export function createCompressor(algorithm: Algorithm, sizeHint: number | undefined): Compressor {
  if (algorithm === 'br') {
    const params: Record<number, number> = { [constants.BROTLI_PARAM_QUALITY]: 4 };
    if (sizeHint !== undefined && sizeHint > 0) params[constants.BROTLI_PARAM_SIZE_HINT] = sizeHint;
    return createBrotliCompress({ params });
  }
  return algorithm === 'gzip' ? createGzip({ level: 6 }) : createDeflate({ level: 6 });
}
