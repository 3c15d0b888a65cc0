/**
 * Compares Gatehouse's outcome of each case with the references': a case where Gatehouse differs from
 * every reference must be in the documented table with exactly the documented signature; a gatehouse-only
 * case must give its expected signature. Returns one readable block per problem.
 */
import type { Case } from './corpus/index.js';
import { describeOutcome, type Outcome } from './outcome.js';
import type { Documented } from './documented-differences.js';

export interface Comparison {
  readonly problems: string[];
  /** Documented differences seen in this run. */
  readonly documentedSeen: string[];
  /** Per-case summary lines, for the diagnostic table. */
  readonly table: string[];
}

export function block(c: Case, headline: string, outcomes: Iterable<Outcome>): string {
  return [`${c.name}: ${headline}`, ...[...outcomes].map((o) => `    ${describeOutcome(o)}`)].join('\n');
}

export function compare(cases: readonly Case[], outcomes: Map<number, Map<string, Outcome>>, gatehouse: string, references: readonly string[], documented: Readonly<Record<string, Documented>>, server = 'gatehouse'): Comparison {
  const problems: string[] = [];
  const documentedSeen: string[] = [];
  const table: string[] = [];
  for (const c of cases) {
    const perProxy = outcomes.get(c.id) as Map<string, Outcome>;
    const ours = perProxy.get(gatehouse);
    if (ours === undefined) continue;
    table.push(`${c.name.padEnd(56)} ${[gatehouse, ...references].map((p) => (perProxy.get(p)?.signature ?? '').padEnd(14)).join(' ')}`);
    if (c.gatehouseOnly === true) {
      const expected = (server === 'node' ? c.expectNode : undefined) ?? c.expect;
      if (ours.signature !== expected) problems.push(block(c, `expected ${expected}`, [ours]));
      continue;
    }
    const theirs = references.map((r) => perProxy.get(r)).filter((o): o is Outcome => o !== undefined);
    const agrees = theirs.some((o) => o.signature === ours.signature);
    const entry = documented[c.name];
    if (entry !== undefined) {
      // agreeing with a reference is always fine (a documented difference may disappear with a fix)
      if (agrees) continue;
      if (ours.signature !== entry.gatehouse) problems.push(block(c, `documented as "${entry.gatehouse}" (${entry.reason})`, perProxy.values()));
      else documentedSeen.push(c.name);
    } else if (!agrees && theirs.length > 0) {
      problems.push(block(c, 'Gatehouse differs from every reference (undocumented)', perProxy.values()));
    }
  }
  return { problems, documentedSeen, table };
}
