/**
 * Strict compact JWS parsing, one part at a time so that the seed response mode can fail in the order
 * HAProxy reads a token (header, payload, then signature). Exactly three segments (jwt-attacks A2–A5;
 * the seed mode locates header and payload as HAProxy does and refuses the shape with the signature),
 * each strict canonical base64url (A6–A9, A11), header and payload strict JSON objects (A12–A14, A16,
 * C11, E1, E4). The token was already capped in size by the extractor (A15).
 */
import { decodeBase64url } from './base64url.js';
import { DEFAULTS } from './defaults.js';
import type { DenyReason } from './reasons.js';
import { parseStrictJsonObject, type JsonProblem } from './strict-json.js';

export interface CompactToken {
  readonly text: string;
  /** Index of the first and second '.'. */
  readonly dot1: number;
  readonly dot2: number;
}

/** Splits into exactly three segments with non-empty header and payload; the signature may be empty here. */
export function splitCompact(text: string): CompactToken | undefined {
  const dot1 = text.indexOf('.');
  if (dot1 <= 0) return undefined;
  const dot2 = text.indexOf('.', dot1 + 1);
  if (dot2 < 0 || dot2 === dot1 + 1) return undefined;
  if (text.indexOf('.', dot2 + 1) >= 0) return undefined;
  return { text, dot1, dot2 };
}

/**
 * Where HAProxy 2.6's `jwt_header_query` / `jwt_payload_query` look (the seed mode's reading): the header
 * is the text before the first '.' (all of it when there is none), the payload the text between the first
 * and the second '.' (or the end; empty when there is no '.'). Whatever follows is only looked at by
 * `jwt_verify`, so a token with two or four segments, a trailing '.' or a space and a second token in it
 * fails the signature rule, not the algorithm rule. `hasThreeSegments` is the strict shape check.
 */
export function locateParts(text: string): CompactToken {
  const dot1 = text.indexOf('.');
  if (dot1 < 0) return { text, dot1: text.length, dot2: text.length };
  const dot2 = text.indexOf('.', dot1 + 1);
  return { text, dot1, dot2: dot2 < 0 ? text.length : dot2 };
}

/** Exactly three segments with non-empty header and payload (what splitCompact accepts). */
export function hasThreeSegments(token: CompactToken): boolean {
  const { text, dot1, dot2 } = token;
  return dot1 > 0 && dot2 > dot1 + 1 && dot2 < text.length && text.indexOf('.', dot2 + 1) < 0;
}

function problemReason(problem: JsonProblem): DenyReason {
  return problem === 'depth' ? 'SIZE' : 'MALFORMED';
}

export type PartResult = Record<string, unknown> | DenyReason;

function decodeJsonSegment(text: string, start: number, end: number, allowNul: boolean): PartResult {
  const segment = text.slice(start, end);
  const bytes = decodeBase64url(segment);
  if (bytes === undefined) return 'MALFORMED';
  const parsed = parseStrictJsonObject(bytes, DEFAULTS.maxJsonDepth, allowNul);
  return parsed.ok ? parsed.value : problemReason(parsed.problem);
}

export function decodeHeader(token: CompactToken): PartResult {
  return decodeJsonSegment(token.text, 0, token.dot1, true);
}

export function decodePayload(token: CompactToken): PartResult {
  return decodeJsonSegment(token.text, token.dot1 + 1, token.dot2, false);
}

/** The signature bytes, or undefined when the segment is empty or not strict base64url. */
export function decodeSignature(token: CompactToken): Buffer | undefined {
  const segment = token.text.slice(token.dot2 + 1);
  if (segment.length === 0) return undefined;
  return decodeBase64url(segment);
}

/** The JWS signing input (ASCII `header.payload`), as bytes. */
export function signingInput(token: CompactToken): Buffer {
  return Buffer.from(token.text.slice(0, token.dot2), 'latin1');
}

