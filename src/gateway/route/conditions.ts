/**
 * Route conditions (`routes[].match`, `request_header_rules[].match`): HAProxy's ACL vocabulary as a
 * small tree, compiled once per config load into a predicate over one request. A `match` list is an AND of
 * terms; a term tests the path, a header, the method or the client's address, or combines terms with
 * `not`, `any` (OR) and `all` (AND). Regexes are compiled here, once, never per request.
 *
 * What a test reads:
 * - `path`: the request's **normalised** path, without the query (the path routing and authorization see);
 * - `header`: each copy the client sent, each split at commas as HAProxy's `hdr()` does (`host` is the
 *   Host header, or HTTP/2's :authority, port included as sent);
 * - `method`: the request method;
 * - `source`: the client's address as source rules read it (through `trusted_proxies`).
 */
import { ipInRanges, type Cidr } from '../config/address.js';

/** A string test: exactly one of its lists, any item of which may match. */
export interface StringTest {
  readonly equals?: readonly string[] | undefined;
  readonly begins?: readonly string[] | undefined;
  readonly ends?: readonly string[] | undefined;
  readonly contains?: readonly string[] | undefined;
  readonly regex?: readonly string[] | undefined;
  readonly ignore_case?: boolean | undefined;
}

export type MatchTerm =
  | { readonly path: StringTest }
  | { readonly header: StringTest & { readonly name: string; readonly present?: boolean | undefined } }
  | { readonly method: readonly string[] }
  | { readonly source: readonly Cidr[] }
  | { readonly not: MatchTerm }
  | { readonly any: readonly MatchTerm[] }
  | { readonly all: readonly MatchTerm[] };

/** What a condition may read of a request (admit/gateway-request.ts implements it). */
export interface RequestFacts {
  /** Normalised, without the query. */
  readonly path: string;
  requestMethod(): string;
  /** Every copy of a header (lower-case name), undefined when absent. */
  headerCopies(name: string): string | readonly string[] | undefined;
  source(): string;
}

export type Condition = (facts: RequestFacts) => boolean;

const STRING_KINDS = ['equals', 'begins', 'ends', 'contains', 'regex'] as const;

function stringTest(test: StringTest): (value: string) => boolean {
  const fold = test.ignore_case === true;
  const kind = STRING_KINDS.find((k) => test[k] !== undefined);
  if (kind === 'regex') {
    const res = (test.regex as readonly string[]).map((r) => new RegExp(r, fold ? 'i' : ''));
    return (value) => res.some((re) => re.test(value));
  }
  const patterns = (test[kind ?? 'equals'] ?? []).map((p) => (fold ? p.toLowerCase() : p));
  const compare: (value: string, pattern: string) => boolean =
    kind === 'begins' ? (v, p) => v.startsWith(p)
    : kind === 'ends' ? (v, p) => v.endsWith(p)
    : kind === 'contains' ? (v, p) => v.includes(p)
    : (v, p) => v === p;
  return (value) => {
    const v = fold ? value.toLowerCase() : value;
    for (let i = 0; i < patterns.length; i++) if (compare(v, patterns[i] as string)) return true;
    return false;
  };
}

/** A header's values as HAProxy's `hdr()` matches them: each copy, split at commas, trimmed. */
export function headerValues(copies: string | readonly string[] | undefined): string[] {
  if (copies === undefined) return [];
  const out: string[] = [];
  for (const copy of typeof copies === 'string' ? [copies] : copies) for (const part of copy.split(',')) out.push(part.trim());
  return out;
}

function compileTerm(term: MatchTerm): Condition {
  if ('not' in term) {
    const inner = compileTerm(term.not);
    return (facts) => !inner(facts);
  }
  if ('any' in term) {
    const inner = term.any.map(compileTerm);
    return (facts) => inner.some((c) => c(facts));
  }
  if ('all' in term) return compileMatch(term.all);
  if ('path' in term) {
    const test = stringTest(term.path);
    return (facts) => test(facts.path);
  }
  if ('method' in term) {
    const methods = new Set(term.method);
    return (facts) => methods.has(facts.requestMethod());
  }
  if ('source' in term) {
    const ranges = term.source;
    return (facts) => ipInRanges(facts.source(), ranges);
  }
  const { name, present } = term.header;
  const lower = name.toLowerCase();
  if (present === true) return (facts) => facts.headerCopies(lower) !== undefined;
  const test = stringTest(term.header);
  return (facts) => headerValues(facts.headerCopies(lower)).some(test);
}

/** The predicate for a `match` list (all of its terms). */
export function compileMatch(terms: readonly MatchTerm[]): Condition {
  const compiled = terms.map(compileTerm);
  if (compiled.length === 1) return compiled[0] as Condition;
  return (facts) => {
    for (let i = 0; i < compiled.length; i++) if (!(compiled[i] as Condition)(facts)) return false;
    return true;
  };
}
