/**
 * Frontend statements with a direct gatehouse.yaml key: `http-request deny if|unless { src … }` →
 * `deny_from`/`allow_from`, `compression algo|type|offload` → `compression`, and the `!{ ssl_fc }`
 * condition of `redirect scheme https` (→ `redirect_https`, in frontend.ts).
 */
import type { Statement } from './lexer.js';
import type { Condition } from './conditions.js';
import type { Diagnostics } from './diagnostics.js';

type Loose = Record<string, unknown>;

/** `!{ ssl_fc }`: the request did not come over TLS (always true on a plain frontend). */
export function isNotSslFc(cond: Condition): boolean {
  const term = cond.groups.length === 1 && cond.groups[0]!.length === 1 ? cond.groups[0]![0]! : undefined;
  const test = term?.tests.length === 1 ? term.tests[0]! : undefined;
  return test !== undefined && test.sample.fetch.name === 'ssl_fc' && test.patterns.length === 0 && term!.negate !== cond.unless;
}

/** `deny if { src … }` → deny_from; `deny unless { src … }` (or `if !{ src … }`) → allow_from. False: not a source rule. */
export function sourceRule(st: Statement, cond: Condition | undefined, frontend: Loose, path: readonly string[], diag: Diagnostics): boolean {
  const term = cond !== undefined && cond.groups.length === 1 && cond.groups[0]!.length === 1 ? cond.groups[0]![0]! : undefined;
  if (term === undefined || !term.tests.every((t) => t.sample.fetch.name === 'src' && t.sample.converters.length === 0 && (t.method === undefined || t.method === 'ip'))) return false;
  const key = term.negate !== cond!.unless ? 'allow_from' : 'deny_from';
  if (frontend[key] !== undefined) {
    diag.unsupported(st, `a second ${key} rule`, `${key} (one list)`);
    return true;
  }
  frontend[key] = term.tests.flatMap((t) => t.patterns);
  diag.from([...path, key], st);
  return true;
}

const ALGORITHMS: Record<string, string> = { gzip: 'gzip', deflate: 'deflate' };

/** `compression algo gzip deflate` / `compression type text/html …` / `compression offload`. */
export function compressionStatement(st: Statement, args: readonly string[], frontend: Loose, path: readonly string[], diag: Diagnostics): void {
  const block = (frontend.compression ?? {}) as Loose;
  const [what, ...values] = args;
  if (what === 'algo' && values.length > 0 && values.every((v) => ALGORITHMS[v] !== undefined)) block.algorithms = values.map((v) => ALGORITHMS[v]);
  else if (what === 'type' && values.length > 0) block.types = [...values];
  else if (what === 'offload' && values.length === 0) block.offload = true;
  else return diag.unsupported(st, `compression ${what ?? ''} ${values.join(' ')}`.trim(), 'compression: { algorithms: [gzip, deflate, br], types, offload }');
  frontend.compression = block;
  diag.from([...path, 'compression'], st);
}
