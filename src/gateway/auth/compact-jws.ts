/**
 * Strict compact JWS parsing, one part at a time so that the seed response mode can fail in the order
 * HAProxy reads a token (header, payload, then signature). Exactly three segments (jwt-attacks A2–A5),
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

