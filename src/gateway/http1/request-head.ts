/**
 * One request head as the parser delivers it, and the checks that refuse a head before it becomes a request.
 *
 * llhttp hands a head over in one piece when it has fewer than 32 fields. A longer head comes in pieces
 * (kOnHeaders, each with part of the URL), and so do a chunked body's trailer fields, through the same
 * callback. The pieces of one head are collected in a `HeadParts` that the connection creates when that
 * message begins and drops when its head is complete, so nothing of one message can reach another.
 */
import { ErrorCode } from '../../shared/errors.js';
import { TE_OK, transferEncodingStatus } from './transfer-encoding.js';

/** A refusal of the client's input, delivered as a 'clientError' (the listener answers and closes). */
export type ClientError = Error & { code: string };

export function clientError(code: string, message: string): ClientError {
  return Object.assign(new Error(message), { code });
}

export class HeadParts {
  /** [name, value, …], at most `limit` fields; past it only `tooMany` is kept. */
  readonly fields: string[] = [];
  url = '';
  tooMany = false;

  add(headers: readonly string[], url: string, maxFields: number): void {
    this.url += url;
    if (this.fields.length + headers.length > maxFields * 2) {
      this.tooMany = true;
      return;
    }
    for (let i = 0; i < headers.length; i++) this.fields.push(headers[i] as string);
  }
}

/** More header (or trailer) fields than the limit: refused, never truncated (llhttp frames by all of them). */
export function fieldsRefusal(fields: number, maxFields: number): ClientError | undefined {
  return fields > maxFields ? clientError(ErrorCode.HTTP_TOO_MANY_HEADERS, `more than ${maxFields} header fields`) : undefined;
}

/** A head the server refuses whatever the request is (undefined: none of these). */
export function headRefusal(major: number, fields: number, maxFields: number, method: string | undefined): ClientError | undefined {
  if (fields > maxFields) return fieldsRefusal(fields, maxFields);
  // HTTP/0.9 and HTTP/2.0 (which llhttp accepts, strict as it is) are not HTTP/1.x: 505, as nginx answers
  if (major !== 1) return clientError(ErrorCode.HTTP_VERSION_NOT_SUPPORTED, `HTTP/${major}.x is not supported on an HTTP/1.1 port`);
  // node:http closes these too (PRI: an HTTP/2 preface; CONNECT: no tunnels here; RTSP's methods)
  if (method === undefined || method === 'CONNECT') return clientError(ErrorCode.HTTP_METHOD_NOT_SUPPORTED, 'method not supported');
  return undefined;
}

/** A Transfer-Encoding the gateway cannot pass on intact (./transfer-encoding.ts): 501 or 400, and the connection closes. */
export function transferEncodingRefusal(rawHeaders: readonly string[], minor: number): ClientError | undefined {
  const status = transferEncodingStatus(rawHeaders, minor);
  if (status === TE_OK) return undefined;
  return status === 501
    ? clientError(ErrorCode.HTTP_TRANSFER_CODING_NOT_IMPLEMENTED, 'a transfer coding other than chunked')
    : clientError(ErrorCode.HTTP_BAD_TRANSFER_ENCODING, 'Transfer-Encoding must be one field with one "chunked" coding, on HTTP/1.1');
}

/**
 * An upgrade the server refuses (contract C1): one with a body (Content-Length other than 0, or any
 * Transfer-Encoding), one whose Connection also says close (`keepAlive` false), and an HTTP/1.0 one.
 * The upgrade request reaching the listener therefore never has a body, and the bytes after its head are
 * either the new protocol or the next request, never a part of it.
 */
export function upgradeRefusal(rawHeaders: readonly string[], minor: number, keepAlive: boolean): ClientError | undefined {
  if (minor === 0 || !keepAlive) return clientError(ErrorCode.HTTP_BAD_UPGRADE, 'an upgrade must be HTTP/1.1 and must not ask to close the connection');
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return clientError(ErrorCode.HTTP_BAD_UPGRADE, 'an upgrade request may not have a body');
    if (name.length === 14 && name.toLowerCase() === 'content-length' && rawHeaders[i + 1] !== '0') return clientError(ErrorCode.HTTP_BAD_UPGRADE, 'an upgrade request may not have a body');
  }
  return undefined;
}
