/**
 * A route's guard (RouteSpec.guard): a key naming what a request must pass to be admitted there, equal
 * for targets that admit the same requests, undefined for a target that admits any request. The router
 * uses it so that a near miss of a guarded route (`/private.json` for `/private`) never silently reaches
 * a target with other admission rules.
 */
import type { Cidr } from '../config/index.js';

export interface GuardedTarget {
  readonly label: string;
  readonly policy?: { readonly name: string } | undefined;
  readonly requirements?: { readonly roles?: readonly string[] | undefined; readonly scopes?: readonly string[] | undefined } | undefined;
  readonly source: { readonly allow: readonly Cidr[] | undefined; readonly deny: readonly Cidr[] | undefined } | undefined;
  /** A route that answers itself: a `return` of an error status (a 403, 404, 410) guards its prefix; a redirect or a 2xx does not. */
  readonly answer?: { readonly kind: string; readonly status: number } | undefined;
}

function ranges(list: readonly Cidr[] | undefined): string {
  return list === undefined ? '-' : list.map((c) => `${c.family}:${c.bits.toString(16)}/${c.prefix}`).join(',');
}

export function admissionGuard(target: GuardedTarget): string | undefined {
  const source = target.source === undefined ? '' : ` allow ${ranges(target.source.allow)} deny ${ranges(target.source.deny)}`;
  if (target.answer?.kind === 'return' && target.answer.status >= 400) return `return ${target.label}`;
  if (target.policy === undefined) return source === '' ? undefined : `open${source}`;
  const requirements = target.requirements;
  return `auth ${target.policy.name} roles ${requirements?.roles?.join(',') ?? '-'} scopes ${requirements?.scopes?.join(',') ?? '-'}${source}`;
}
