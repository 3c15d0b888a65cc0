/**
 * Header rules of a frontend or route (HAProxy's `http-request set-header / del-header` and
 * `http-response set-header / del-header`): `set` replaces every copy of a header with one value,
 * `add` adds one more copy, `remove` drops every copy. A route's rules apply after its frontend's (its `set` wins for the same
 * name). On requests they apply to what the client sent; an auth policy's forwarded claims come after
 * and win. Framing and hop-by-hop headers, and the X-Forwarded family the gateway owns, cannot be named.
 */

export interface HeaderRulesConfig {
  readonly set: Readonly<Record<string, string>>;
  /** One more copy each, the existing copies kept (HAProxy's `add-header`). */
  readonly add?: Readonly<Record<string, string>> | undefined;
  readonly remove: readonly string[];
}

export interface HeaderRules {
  /** Lower-case names whose client (or upstream) copies are dropped: every `remove` and every `set` name. */
  readonly drop: readonly string[];
  /** [name, value] pairs to add, names as configured: each `set`, then each `add`. */
  readonly set: ReadonlyArray<readonly [string, string]>;
}

const FRAMING = ['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length', 'expect', 'http2-settings'];
/** Request header names no rule may set or remove. */
export const REQUEST_RULE_FORBIDDEN = [...FRAMING, 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded'];
/** Response header names no rule may set or remove. */
export const RESPONSE_RULE_FORBIDDEN = FRAMING;

/** A header name a rule may not name (also every `proxy-*`), or undefined. */
export function forbiddenRuleHeader(name: string, forbidden: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return forbidden.includes(lower) || lower.startsWith('proxy-');
}

/** The frontend's rules, then the route's; undefined when neither has any. */
export function compileHeaderRules(frontend: HeaderRulesConfig | undefined, route: HeaderRulesConfig | undefined): HeaderRules | undefined {
  const set = new Map<string, [string, string]>();
  const removed = new Set<string>();
  let added: Array<[string, string]> = [];
  for (const rules of [frontend, route]) {
    if (rules === undefined) continue;
    // a later remove or set of a name replaces the copies an earlier add made
    const replaced = new Set([...rules.remove, ...Object.keys(rules.set)].map((n) => n.toLowerCase()));
    added = added.filter(([n]) => !replaced.has(n.toLowerCase()));
    for (const name of rules.remove) {
      removed.add(name.toLowerCase());
      set.delete(name.toLowerCase());
    }
    for (const [name, value] of Object.entries(rules.set)) {
      removed.delete(name.toLowerCase());
      set.set(name.toLowerCase(), [name, value]);
    }
    for (const [name, value] of Object.entries(rules.add ?? {})) added.push([name, value]);
  }
  if (set.size === 0 && removed.size === 0 && added.length === 0) return undefined;
  return { drop: [...removed, ...set.keys()], set: [...set.values(), ...added] };
}

/** A flat [name, value, ...] header list without the `drop` names (lower case), then the `add` pairs. */
export function replaceHeaders(headers: readonly string[], drop: readonly string[], add: ReadonlyArray<readonly [string, string]>): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!drop.includes(name.toLowerCase())) out.push(name, headers[i + 1] as string);
  }
  for (const [name, value] of add) out.push(name, value);
  return out;
}

/** A response's flat header list with the rules applied. */
export function applyResponseRules(headers: readonly string[], rules: HeaderRules): string[] {
  return replaceHeaders(headers, rules.drop, rules.set);
}
