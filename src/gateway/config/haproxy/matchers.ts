/**
 * A condition (`if`/`unless` with ACLs) as route matchers. A positive condition on `path_beg`,
 * `hdr(host)`, `hdr_end(host) .domain` and `method` becomes the plain keys host, path_prefix, methods (each
 * OR-group one or more routes, one per path prefix). Anything else (negation, `unless`, exact paths,
 * `path_end`, `path_reg`, other headers, `src`, two tests of a kind ANDed...) becomes one route whose
 * `match` holds the whole condition (./match-terms.ts). What neither can express is a reason naming the
 * nearest gatehouse.yaml key.
 */
import type { AclTest, Condition } from './conditions.js';
import { conditionMatch } from './match-terms.js';

export interface Matcher {
  host?: string[];
  path_prefix?: string;
  methods?: string[];
  match?: Array<Record<string, unknown>>;
}

function hostPatterns(test: AclTest): string[] | string {
  const name = (test.sample.fetch.args[0] ?? '').toLowerCase();
  if (name !== 'host' || test.sample.converters.length > 0) return `${test.sample.text}: only hdr(host) can route`;
  const method = test.method ?? 'str';
  const out: string[] = [];
  for (const p of test.patterns) {
    if (p.includes(':')) return `hdr(host) ${p}: a host pattern with a port is not supported (Gatehouse matches the host without its port)`;
    if (method === 'str') out.push(p.toLowerCase());
    else if (method === 'end' && p.startsWith('.')) out.push(`*${p.toLowerCase()}`);
    else return `hdr(host) -m ${method} ${p}: only exact hosts and hdr_end(host) .domain (→ *.domain) are supported`;
  }
  return out;
}

/** Differences a translated condition keeps (said as a warning, documented in docs/haproxy.md). */
export const CASE_NOTE = 'hdr(host) without -i: HAProxy compares the host case-sensitively, Gatehouse case-insensitively (host names are case-insensitive)';

/** One ACL test as the alternatives it allows in one dimension. */
function dimension(test: AclTest, notes: Set<string>): { key: 'host' | 'path' | 'methods'; values: string[] } | string {
  const fetch = test.sample.fetch.name;
  if (test.patterns.length === 0) return `${test.sample.text}: no patterns`;
  if (fetch === 'path' && test.method === 'beg' && test.sample.converters.length === 0 && !test.ignoreCase) return { key: 'path', values: [...test.patterns] };
  if (fetch === 'path') return `${test.sample.text} -m ${test.method ?? 'str'}: only path_beg routes (nearest: routes[].path_prefix)`;
  if (fetch === 'hdr' || fetch === 'req.hdr') {
    const hosts = hostPatterns(test);
    if (typeof hosts === 'string') return hosts;
    if (!test.ignoreCase) notes.add(CASE_NOTE);
    return { key: 'host', values: hosts };
  }
  if (fetch === 'method' && test.sample.converters.length === 0) return { key: 'methods', values: test.patterns.map((m) => m.toUpperCase()) };
  if (fetch === 'src') return `src: source addresses do not route in Gatehouse (nearest: routes[].allow_from / deny_from, which answer 403 instead of trying the next rule)`;
  return `${test.sample.text}: not supported in a routing condition (path_beg, hdr(host), hdr_end(host), method are)`;
}

/** The matchers for a condition (undefined condition: one matcher matching everything); `notes` collects differences kept. */
export function conditionMatchers(cond: Condition | undefined, notes: Set<string> = new Set()): Matcher[] | string {
  if (cond === undefined) return [{}];
  const plain = new Set<string>();
  const keys = plainMatchers(cond, plain);
  if (typeof keys !== 'string') {
    for (const note of plain) notes.add(note);
    return keys;
  }
  const match = conditionMatch(cond);
  return typeof match === 'string' ? match : [{ match }];
}

/** The condition as host/path_prefix/methods only, or why it cannot be. */
function plainMatchers(cond: Condition, notes: Set<string>): Matcher[] | string {
  if (cond.unless) return '"unless" cannot be a route (write the positive condition with "if")';
  const out: Matcher[] = [];
  for (const group of cond.groups) {
    const dims: { host?: string[]; path?: string[]; methods?: string[] } = {};
    for (const term of group) {
      if (term.negate) return `"!${term.name ?? '{ ... }'}": negated conditions cannot be a route`;
      let values: string[] = [];
      let key: 'host' | 'path' | 'methods' | undefined;
      for (const test of term.tests) {
        const d = dimension(test, notes);
        if (typeof d === 'string') return d;
        if (key !== undefined && key !== d.key) return `ACL "${term.name ?? ''}" mixes ${key} and ${d.key} alternatives`;
        key = d.key;
        values = values.concat(d.values);
      }
      if (key === undefined) return 'an empty ACL';
      if (dims[key] !== undefined) return `two ${key} tests in one AND-group are not supported`;
      dims[key] = values;
    }
    for (const path of dims.path ?? [undefined]) {
      const m: Matcher = {};
      if (dims.host !== undefined) m.host = dims.host;
      if (path !== undefined) m.path_prefix = path;
      if (dims.methods !== undefined) m.methods = dims.methods;
      out.push(m);
    }
  }
  return out;
}
