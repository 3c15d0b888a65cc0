/**
 * Ordered, conditional request header rules (`request_header_rules` of a frontend, then of the backend;
 * HAProxy's `http-request set-header|add-header|del-header … [if|unless …]` in file order). Each rule whose
 * `match` holds (every rule without one) edits the upstream head in turn: `remove` drops every copy, `set`
 * replaces every copy with one, `add` appends one more. They run after `request_headers`, so they see its
 * result. Conditions read the request as the client sent it (route/conditions.ts), not earlier rules'
 * edits. A header an auth policy forwards as a claim is never touched: the claim wins, as over `set`.
 */
import { compileMatch, type Condition, type RequestFacts } from '../route/conditions.js';
import type { RequestHeaderRuleConfig } from '../config/match-schema.js';
import { normaliseHeaderName, SKIP_CLAIM, type SkipKind } from './client-headers.js';

export interface OrderedHeaderRule {
  readonly when: Condition | undefined;
  /** Lower-case names whose copies go first (`remove` and `set`). */
  readonly drop: readonly string[];
  /** [name, value] pairs appended (`set`, then `add`). */
  readonly add: ReadonlyArray<readonly [string, string]>;
}

export function compileOrderedRules(configs: readonly RequestHeaderRuleConfig[]): OrderedHeaderRule[] {
  return configs.map((rule) => {
    const set = Object.entries(rule.set ?? {});
    return {
      when: rule.match === undefined ? undefined : compileMatch(rule.match),
      drop: [...(rule.remove ?? []), ...set.map(([n]) => n)].map((n) => n.toLowerCase()),
      add: [...set, ...Object.entries(rule.add ?? {})],
    };
  });
}

/**
 * The flat [name, value, ...] upstream head with the rules whose condition holds applied in order.
 * `skip`: the route's client header screen; a name it marks as a claim header is never edited.
 */
export function applyOrderedRules(headers: string[], rules: readonly OrderedHeaderRule[], facts: RequestFacts, skip: ReadonlyMap<string, SkipKind>): string[] {
  let out = headers;
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r] as OrderedHeaderRule;
    if (rule.when !== undefined && !rule.when(facts)) continue;
    const next: string[] = [];
    for (let i = 0; i < out.length; i += 2) {
      const lower = (out[i] as string).toLowerCase();
      if (!rule.drop.includes(lower) || isClaim(skip, lower)) next.push(out[i] as string, out[i + 1] as string);
    }
    for (const [name, value] of rule.add) if (!isClaim(skip, name.toLowerCase())) next.push(name, value);
    out = next;
  }
  return out;
}

function isClaim(skip: ReadonlyMap<string, SkipKind>, lower: string): boolean {
  return skip.get(normaliseHeaderName(lower)) === SKIP_CLAIM;
}
