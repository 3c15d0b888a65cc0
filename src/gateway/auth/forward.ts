/**
 * Claims → upstream request headers. Arrays are joined with ","; objects are sent as JSON. A value with
 * a control character or a character above U+00FF cannot travel in an HTTP header (jwt-attacks I10):
 * the policy either refuses the token (FORWARD) or percent-encodes every value that is not plain
 * printable ASCII. Client-sent copies of every configured header are always removed (I11), and the
 * Authorization header too when configured.
 */
export type UnsafeValues = 'reject' | 'encode';

export const UNSAFE_CLAIM = 'FORWARD';

interface Mapping {
  readonly header: string;
  readonly path: readonly string[];
  readonly claim: string;
}

function lookup(payload: Record<string, unknown>, mapping: Mapping): unknown {
  if (Object.hasOwn(payload, mapping.claim)) return payload[mapping.claim];
  let value: unknown = payload;
  for (const part of mapping.path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value) {
      const t = typeof item === 'object' && item !== null ? JSON.stringify(item) : text(item);
      if (t !== undefined) parts.push(t);
    }
    return parts.join(',');
  }
  return JSON.stringify(value);
}

function isPrintableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function isHeaderSafe(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/** Shared by every decision of a policy that forwards no claim, so a miss allocates no empty array. */
const NO_HEADERS: ReadonlyArray<readonly [string, string]> = Object.freeze([]);

export class ClaimForwarder {
  private readonly mappings: readonly Mapping[];
  /** Lower-case header names the gateway removes from every upstream request of this policy. */
  readonly removeHeaders: readonly string[];
  /** Lower-case names of the headers this policy sets from claims. */
  readonly headerNames: readonly string[];

  constructor(headers: Readonly<Record<string, string>>, private readonly unsafeValues: UnsafeValues, stripAuthorization: boolean) {
    this.mappings = Object.entries(headers).map(([header, claim]) => ({ header: header.toLowerCase(), claim, path: claim.split('.') }));
    this.headerNames = Object.freeze(this.mappings.map((m) => m.header));
    const remove = [...this.headerNames];
    if (stripAuthorization && !remove.includes('authorization')) remove.push('authorization');
    this.removeHeaders = Object.freeze(remove);
  }

  /** Header pairs to set upstream, or UNSAFE_CLAIM when a value cannot be sent and the policy rejects. */
  headersFor(payload: Record<string, unknown>): ReadonlyArray<readonly [string, string]> | typeof UNSAFE_CLAIM {
    if (this.mappings.length === 0) return NO_HEADERS;
    const out: Array<readonly [string, string]> = [];
    for (const mapping of this.mappings) {
      const value = text(lookup(payload, mapping));
      if (value === undefined) continue;
      if (isPrintableAscii(value)) out.push([mapping.header, value]);
      else if (this.unsafeValues === 'encode') out.push([mapping.header, encodeURIComponent(value)]);
      else if (isHeaderSafe(value)) out.push([mapping.header, value]);
      else return UNSAFE_CLAIM;
    }
    return Object.freeze(out);
  }
}
