/**
 * A whole HAProxy condition as a route's `match` list (../match-schema.ts): every ACL test becomes a term
 * with HAProxy's own semantics — `path` exact, `path_beg` as a plain string prefix, `path_end`, `path_sub`,
 * `path_reg`, `hdr(<name>)` and its derivatives on each comma-separated value (`hdr(host)` with its port,
 * case-sensitive unless `-i`), `-m found`, `method`, `src` — joined with `not`, `any` and `all` as the
 * condition's `!`, `||` and implicit AND, and `unless` as a `not` of the whole. Used when the condition
 * cannot be the route's plain host/path_prefix/methods keys (./matchers.ts).
 */
import type { AclTest, Condition, Term } from './conditions.js';

type Loose = Record<string, unknown>;

const STRING_METHODS: Record<string, string> = { str: 'equals', beg: 'begins', end: 'ends', sub: 'contains', reg: 'regex' };

function stringTest(test: AclTest, subject: string): Loose | string {
  const method = test.method ?? 'str';
  const kind = STRING_METHODS[method];
  if (kind === undefined) return `${test.sample.text} -m ${method}: not supported in a condition (nearest: routes[].match ${subject} with equals, begins, ends, contains or regex)`;
  if (test.patterns.length === 0) return `${test.sample.text}: no patterns`;
  return { [kind]: [...test.patterns], ...(test.ignoreCase ? { ignore_case: true } : {}) };
}

/** One ACL test as a match term, or why it cannot be one. */
export function testTerm(test: AclTest): Loose | string {
  const { fetch, converters } = test.sample;
  if (converters.length > 0) return `${test.sample.text}: converters are not supported in a condition`;
  if (fetch.name === 'path' && fetch.args.length === 0) {
    if (test.method === 'found') return { path: { begins: ['/'] } };
    const t = stringTest(test, 'path');
    return typeof t === 'string' ? t : { path: t };
  }
  if ((fetch.name === 'hdr' || fetch.name === 'req.hdr') && fetch.args.length === 1 && /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(fetch.args[0] as string)) {
    const name = (fetch.args[0] as string).toLowerCase();
    if (test.method === 'found') return test.patterns.length === 0 ? { header: { name, present: true } } : `${test.sample.text} -m found takes no patterns`;
    const t = stringTest(test, 'header');
    return typeof t === 'string' ? t : { header: { name, ...t } };
  }
  if (fetch.name === 'method' && fetch.args.length === 0 && (test.method === undefined || test.method === 'str') && test.patterns.length > 0) {
    return { method: test.patterns.map((m) => (test.ignoreCase ? m.toUpperCase() : m)) };
  }
  if (fetch.name === 'src' && fetch.args.length === 0 && (test.method === undefined || test.method === 'ip') && test.patterns.length > 0) return { source: [...test.patterns] };
  return `${test.sample.text}: not supported in a condition (path, path_beg, path_end, path_sub, path_reg, hdr(<name>) and its _beg/_end/_sub/_reg forms, -m found, method and src are; nearest: routes[].match)`;
}

function termOf(term: Term): Loose | string {
  const tests: Loose[] = [];
  for (const test of term.tests) {
    const t = testTerm(test);
    if (typeof t === 'string') return t;
    tests.push(t);
  }
  // a named ACL declared on several lines matches when any of them does
  const inner = tests.length === 1 ? (tests[0] as Loose) : { any: tests };
  return term.negate ? { not: inner } : inner;
}

/** The condition as a `match` list (one term per AND-ed term of a single group; `any` of `all`s otherwise). */
export function conditionMatch(cond: Condition): Loose[] | string {
  const groups: Loose[][] = [];
  for (const group of cond.groups) {
    const terms: Loose[] = [];
    for (const term of group) {
      const t = termOf(term);
      if (typeof t === 'string') return t;
      terms.push(t);
    }
    groups.push(terms);
  }
  const whole: Loose[] = groups.length === 1 ? (groups[0] as Loose[]) : [{ any: groups.map((g) => (g.length === 1 ? g[0] : { all: g })) }];
  if (!cond.unless) return whole;
  return [{ not: whole.length === 1 ? whole[0] : { all: whole } }];
}

/** The headers a condition reads (lower-case), to refuse one that an earlier rule edits. */
export function testedHeaders(cond: Condition | undefined): string[] {
  if (cond === undefined) return [];
  const out: string[] = [];
  for (const group of cond.groups) {
    for (const term of group) {
      for (const test of term.tests) {
        const { name, args } = test.sample.fetch;
        if ((name === 'hdr' || name === 'req.hdr' || name === 'hdr_cnt' || name === 'req.fhdr') && args[0] !== undefined) out.push(args[0].toLowerCase());
      }
    }
  }
  return out;
}
