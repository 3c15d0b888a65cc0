/**
 * `http-request set-header|add-header|del-header <name> [<value>] [if|unless …]` of a frontend or backend.
 * Without conditions, and naming each header once, a frontend's rules become `request_headers: { set, add,
 * remove }`; otherwise (a condition, a header named twice, or a backend) they become the ordered
 * `request_header_rules` list, each rule with the `match` of its condition (./match-terms.ts), in file
 * order as HAProxy runs them.
 */
import type { Statement } from './lexer.js';
import type { Condition } from './conditions.js';
import type { Diagnostics } from './diagnostics.js';
import { conditionMatch, testedHeaders } from './match-terms.js';

type Loose = Record<string, unknown>;

interface HeaderRule {
  readonly st: Statement;
  readonly kind: 'set' | 'add' | 'remove';
  readonly name: string;
  readonly value: string | undefined;
  readonly match: Loose[] | undefined;
}

const KINDS: Record<string, HeaderRule['kind']> = { 'set-header': 'set', 'add-header': 'add', 'del-header': 'remove' };

export class HeaderStatements {
  private readonly rules: HeaderRule[] = [];
  /** Statements whose condition reads headers. */
  private readonly readers: Array<{ st: Statement; names: string[] }> = [];

  constructor(private readonly diag: Diagnostics) {}

  /** Takes a header action (the words after `http-request`, before the condition); false when `action` is not one. */
  take(st: Statement, action: string, args: readonly string[], cond: Condition | undefined): boolean {
    const kind = KINDS[action];
    if (kind === undefined) return false;
    const [name, value, ...extra] = args;
    const shape = kind === 'remove' ? value === undefined : value !== undefined && extra.length === 0;
    if (name === undefined || !shape) {
      this.diag.unsupported(st, `http-request ${action} ${kind === 'remove' ? 'with options (-m)' : 'needs a name and one value'}`, 'request_header_rules: [{ set | add | remove }]');
      return true;
    }
    if (value !== undefined && value.includes('%')) {
      this.diag.unsupported(st, `http-request ${action} with a log-format value (%[...], %ci...)`, 'request_header_rules (static values)');
      return true;
    }
    let match: Loose[] | undefined;
    if (cond !== undefined) {
      const m = conditionMatch(cond);
      if (typeof m === 'string') {
        this.diag.unsupported(st, m, 'request_header_rules[].match');
        return true;
      }
      match = m;
    }
    this.reads(st, cond);
    this.rules.push({ st, kind, name, value, match });
    return true;
  }

  /** Notes a statement whose condition may read headers (checked at `finish`). */
  reads(st: Statement, cond: Condition | undefined): void {
    const names = testedHeaders(cond);
    if (names.length > 0) this.readers.push({ st, names });
  }

  /** Lower-case names the rules edit, each with the first line editing it. */
  edits(): Map<string, number> {
    const edits = new Map<string, number>();
    for (const r of this.rules) if (!edits.has(r.name.toLowerCase())) edits.set(r.name.toLowerCase(), r.st.line);
    return edits;
  }

  /**
   * A backend's conditions run after its frontends' header rules: one reading a header that `frontend` edits
   * is refused (HAProxy's would see the edit).
   */
  checkAfter(frontend: HeaderStatements, name: string): void {
    const edits = frontend.edits();
    for (const { st, names } of this.readers) {
      const header = names.find((n) => edits.has(n));
      if (header !== undefined) {
        this.diag.unsupported(st, `this condition reads ${header}, which frontend ${name} edits (line ${edits.get(header) ?? ''}): HAProxy's backend rules see the frontend's edits, Gatehouse's read the request as the client sent it`, 'a condition on what the client sent');
      }
    }
  }

  /**
   * HAProxy's conditions see earlier rules' header edits (and `use_backend` sees them all); Gatehouse's read
   * the request as the client sent it: a condition reading an edited header is refused, not run differently.
   */
  private checkReaders(): void {
    const edits = this.edits();
    for (const { st, names } of this.readers) {
      const name = names.find((n) => edits.has(n) && (st.words[0] === 'use_backend' || (edits.get(n) as number) < st.line));
      if (name !== undefined) {
        this.diag.unsupported(st, `this condition reads ${name}, which line ${edits.get(name) ?? ''} edits: HAProxy's conditions see earlier rules' edits, Gatehouse's read the request as the client sent it`, 'a condition on what the client sent');
      }
    }
  }

  /** Writes the rules into `target` (a frontend or backend entry) at `path`. */
  finish(target: Loose, path: readonly (string | number)[], orderedOnly: boolean): void {
    this.checkReaders();
    if (this.rules.length === 0) return;
    const names = this.rules.map((r) => r.name.toLowerCase());
    const plain = !orderedOnly && this.rules.every((r) => r.match === undefined) && new Set(names).size === names.length;
    if (plain) {
      const block: { set: Record<string, string>; add: Record<string, string>; remove: string[] } = { set: {}, add: {}, remove: [] };
      for (const r of this.rules) {
        if (r.kind === 'remove') block.remove.push(r.name);
        else block[r.kind][r.name] = r.value as string;
        this.diag.from([...path, 'request_headers'], r.st);
      }
      const out: Loose = { set: block.set, remove: block.remove };
      if (Object.keys(block.add).length > 0) out.add = block.add;
      target.request_headers = out;
      return;
    }
    target.request_header_rules = this.rules.map((r, i) => {
      this.diag.from([...path, 'request_header_rules', i], r.st);
      const rule: Loose = r.kind === 'remove' ? { remove: [r.name] } : { [r.kind]: { [r.name]: r.value } };
      return r.match === undefined ? rule : { match: r.match, ...rule };
    });
  }
}
