/**
 * ACLs and conditions (`acl` lines, `if`/`unless` with named ACLs, `{ }` anonymous ACLs, `!`, `||`/`or`,
 * implicit AND; ../shared/reference/haproxy-cfg.md §4), parsed into a small tree the translators read.
 */
import type { Diagnostics } from './diagnostics.js';
import type { Statement } from './lexer.js';
import { parseSample, type SampleExpr } from './sample.js';

export interface AclTest {
  readonly sample: SampleExpr;
  /** The match method: `-m` or implied by an ACL derivative (`path_beg` → beg); undefined = the type's default. */
  readonly method: string | undefined;
  readonly ignoreCase: boolean;
  readonly patterns: readonly string[];
}

export interface Term {
  readonly negate: boolean;
  /** A named ACL (its alternatives, OR-ed) or an anonymous one. */
  readonly name: string | undefined;
  readonly tests: readonly AclTest[];
}

export interface Condition {
  readonly unless: boolean;
  /** OR of AND-groups. */
  readonly groups: readonly (readonly Term[])[];
}

const DERIVED = /^(path|hdr|req\.hdr|url|query|base)_(beg|end|sub|reg|dir|dom|len)$/;
const FLAGS_WITH_ARG = new Set(['-m', '-f', '-M', '-u']);

/** `acl <name> <criterion> ...` in a frontend, listen or backend: one more test under the name (tests of one name are ORed). */
export function addAcl(acls: Map<string, AclTest[]>, args: readonly string[], st: Statement, d: Diagnostics): void {
  const [name, ...test] = args;
  const parsed = parseAclTest(test);
  if (name === undefined || typeof parsed === 'string') d.error(st, typeof parsed === 'string' ? parsed : 'expected acl <name> <criterion> ...');
  else acls.set(name, [...(acls.get(name) ?? []), parsed]);
}

/** Parses `<criterion> [flags] [patterns]` (an acl line after its name, or the inside of `{ }`). */
export function parseAclTest(words: readonly string[]): AclTest | string {
  const [criterion, ...rest] = words;
  if (criterion === undefined) return 'an ACL needs a criterion';
  let fetchText = criterion;
  let method: string | undefined;
  // derivatives: path_beg → path -m beg, hdr_end(host) → hdr(host) -m end
  const open = criterion.indexOf('(');
  const head = open < 0 ? criterion : criterion.slice(0, open);
  const derived = DERIVED.exec(head.split(',')[0] as string);
  if (derived !== null) {
    fetchText = derived[1] + criterion.slice(head.length);
    method = derived[2];
  }
  const sample = parseSample(fetchText);
  if (sample === undefined) return `"${criterion}" is not a sample expression`;
  let ignoreCase = false;
  const patterns: string[] = [];
  let flags = true;
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i] as string;
    if (flags && w === '--') {
      flags = false;
      continue;
    }
    if (flags && w.startsWith('-') && w.length > 1 && !/^-\d/.test(w)) {
      if (w === '-i') ignoreCase = true;
      else if (w === '-m') {
        method = rest[++i];
        if (method === undefined) return '-m needs a match method';
      } else if (FLAGS_WITH_ARG.has(w)) return `the ACL flag ${w} is not supported`;
      else if (w !== '-n') return `unknown ACL flag ${w}`;
      continue;
    }
    flags = false;
    patterns.push(w);
  }
  return { sample, method, ignoreCase, patterns };
}

/** Parses the words after `if`/`unless` (the keyword included as words[0]). */
export function parseCondition(words: readonly string[], acls: ReadonlyMap<string, readonly AclTest[]>): Condition | string {
  const unless = words[0] === 'unless';
  const groups: Term[][] = [[]];
  let negate = false;
  for (let i = 1; i < words.length; i++) {
    let w = words[i] as string;
    while (w.startsWith('!')) {
      negate = !negate;
      w = w.slice(1);
    }
    if (w === '') continue;
    if (w === '||' || w === 'or') {
      if (negate) return '"!" before "||"';
      groups.push([]);
      continue;
    }
    const group = groups[groups.length - 1] as Term[];
    if (w === '{') {
      const close = words.indexOf('}', i + 1);
      if (close < 0) return 'a "{" without its "}"';
      const test = parseAclTest(words.slice(i + 1, close));
      if (typeof test === 'string') return test;
      group.push({ negate, name: undefined, tests: [test] });
      i = close;
    } else {
      const tests = acls.get(w);
      if (tests === undefined) return `unknown ACL "${w}"`;
      group.push({ negate, name: w, tests });
    }
    negate = false;
  }
  if (groups.some((g) => g.length === 0)) return 'an empty condition';
  return { unless, groups };
}

/** Splits `... if|unless cond` at the condition keyword. */
export function splitCondition(words: readonly string[]): { head: readonly string[]; cond: readonly string[] | undefined } {
  const at = words.findIndex((w) => w === 'if' || w === 'unless');
  return at < 0 ? { head: words, cond: undefined } : { head: words.slice(0, at), cond: words.slice(at) };
}
