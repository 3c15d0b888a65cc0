/**
 * The shape of a differential case, and the helpers the corpus files write requests with. A case is data:
 * the bytes a client writes (latin1 strings, with pauses in ms between writes), built from markers so
 * that every request line names its case and index (markers.ts).
 */
import { ownerMarker, requestMarker, smuggledMarker } from '../markers.js';

/** A write (latin1 text) or a pause in milliseconds. */
export type Part = string | number;

export interface Case {
  readonly id: number;
  /** `group/name`, unique; what a failure names. */
  readonly name: string;
  readonly send: readonly Part[];
  /** Final responses (by index) that answer a HEAD request. */
  readonly headResponses?: readonly number[];
  /** The case carries a valid token (`{{TOKEN}}`): run through Gatehouse only, against `expect`. */
  readonly gatehouseOnly?: boolean;
  /** For gatehouse-only cases: the outcome signature Gatehouse must give (see outcome.ts). */
  readonly expect?: string;
  /** The same with `server: node`, where it differs (documented there). */
  readonly expectNode?: string;
}

export interface Markers {
  /** The case's own marker. */
  readonly o: string;
  /** Request i's marker. */
  r(i: number): string;
  /** The marker of request-shaped text inside a body. */
  s(i: number): string;
}

export type CaseSpec = Omit<Case, 'id' | 'send'> & { readonly send: (m: Markers) => Part[] };

export const H = 'Host: gw.test\r\n';

export function markers(id: number): Markers {
  return { o: ownerMarker(id), r: (i) => requestMarker(id, i), s: (i) => smuggledMarker(id, i) };
}

/** `GET /c/<marker i> HTTP/1.1` with Host and `extra` header lines (each ending in CRLF). */
export function get(m: Markers, i: number, extra = '', path = '/c/'): string {
  return `GET ${path}${m.r(i)} HTTP/1.1\r\n${H}${extra}\r\n`;
}

/** A POST with a Content-Length body that names the case. */
export function post(m: Markers, i: number, extra = '', path = '/c/'): string {
  const body = `body of ${m.r(i)}`;
  return `POST ${path}${m.r(i)} HTTP/1.1\r\n${H}${extra}Content-Length: ${body.length}\r\n\r\n${body}`;
}

/** Request-shaped text to hide in a body: must never reach the backend as a request. */
export function smuggled(m: Markers, i: number, path = '/private/'): string {
  return `GET ${path}${m.s(i)} HTTP/1.1\r\n${H}X-Smuggled: ${m.o}\r\n\r\n`;
}

/** Chunked encoding of `body` in one chunk plus the last chunk. */
export function chunk(body: string): string {
  return `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
}
