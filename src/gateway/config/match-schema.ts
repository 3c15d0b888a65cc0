/**
 * The schema of route conditions (`routes[].match`) and of ordered, conditional request header rules
 * (`request_header_rules` on frontends and backends). Evaluated by ../route/conditions.ts.
 */
import { z } from 'zod';
import { HTTP_TOKEN } from '../../shared/http-token.js';
import type { MatchTerm } from '../route/conditions.js';
import { forbiddenRuleHeader, REQUEST_RULE_FORBIDDEN } from '../forward/header-rules.js';
import { parseCidr } from './address.js';

const patterns = z.array(z.string().min(1, 'expected a non-empty pattern')).min(1);
const regexes = z.array(
  z.string().refine((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, 'expected a regular expression (JavaScript syntax)'),
).min(1);

const STRING_KINDS = ['equals', 'begins', 'ends', 'contains', 'regex'] as const;
const stringFields = {
  equals: patterns.optional(),
  begins: patterns.optional(),
  ends: patterns.optional(),
  contains: patterns.optional(),
  regex: regexes.optional(),
  ignore_case: z.boolean().optional(),
};
const oneKind = (t: Record<string, unknown>) => STRING_KINDS.filter((k) => t[k] !== undefined).length === 1;
const ONE_KIND = 'give exactly one of equals, begins, ends, contains, regex';

export const cidr = z.string().transform((value, ctx) => {
  const parsed = parseCidr(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected an IP address or CIDR range like 10.0.0.0/8' });
    return z.NEVER;
  }
  return parsed;
});

export const ruleHeaderName = z.string().regex(HTTP_TOKEN, 'expected an HTTP header name');

const TERM_KEYS = ['path', 'header', 'method', 'source', 'not', 'any', 'all'] as const;
const ONE_TERM = 'give exactly one of path, header, method, source, not, any, all';

// an object of optional keys (not a union), so a problem inside a term is reported at its own key path
export const matchTermSchema: z.ZodType<MatchTerm, unknown> = z.lazy(() =>
  z
    .strictObject(
      {
        path: z.strictObject(stringFields).refine(oneKind, ONE_KIND).optional(),
        header: z
          .strictObject({ name: ruleHeaderName, present: z.literal(true).optional(), ...stringFields })
          .refine((h) => (h.present === true ? STRING_KINDS.every((k) => h[k] === undefined) : oneKind(h)), 'give present: true, or exactly one of equals, begins, ends, contains, regex')
          .optional(),
        method: z.array(z.string().regex(/^[A-Za-z]{1,20}$/, 'expected an HTTP method such as GET')).min(1).optional(),
        source: z.array(cidr).min(1).optional(),
        not: matchTermSchema.optional(),
        any: z.array(matchTermSchema).min(1).optional(),
        all: z.array(matchTermSchema).min(1).optional(),
      },
    )
    .refine((t) => TERM_KEYS.filter((k) => t[k] !== undefined).length === 1, ONE_TERM)
    .transform((t) => t as MatchTerm),
);

/** A `match` list: every term must hold. */
export const matchSchema = z.array(matchTermSchema).min(1);

/** Visible Latin-1 and tabs, no CR, LF or NUL: a value that cannot split or end a header. */
export const ruleHeaderValue = z.string().regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'expected a header value without control characters');
const FORBIDDEN = 'a request header rule cannot set or remove framing, hop-by-hop or X-Forwarded headers';
const ruleName = ruleHeaderName.refine((n) => !forbiddenRuleHeader(n, REQUEST_RULE_FORBIDDEN), FORBIDDEN);

/**
 * Ordered request header rules, each applied when its `match` holds (always without one), after the
 * frontend's and route's `request_headers` (HAProxy's `http-request set-header|add-header|del-header … if …`).
 */
export const requestHeaderRuleListSchema = z.array(
  z
    .strictObject({
      match: matchSchema.optional(),
      set: z.record(ruleHeaderName, ruleHeaderValue).optional(),
      add: z.record(ruleHeaderName, ruleHeaderValue).optional(),
      remove: z.array(ruleName).optional(),
    })
    .superRefine((rule, ctx) => {
      if (rule.set === undefined && rule.add === undefined && rule.remove === undefined) ctx.addIssue({ code: 'custom', path: [], message: 'give at least one of set, add, remove' });
      for (const key of ['set', 'add'] as const) {
        for (const name of Object.keys(rule[key] ?? {})) if (forbiddenRuleHeader(name, REQUEST_RULE_FORBIDDEN)) ctx.addIssue({ code: 'custom', path: [key, name], message: FORBIDDEN });
      }
    }),
);

export type RequestHeaderRuleConfig = z.output<typeof requestHeaderRuleListSchema>[number];
