/**
 * Roles and scopes: what a verified token grants (FusionAuth's `roles` array; OAuth `scope`, a
 * space-separated string, or `scp`, an array) and whether that satisfies the policy's and the route's
 * requirements. A miss is 403 insufficient_scope, not 401.
 */
import type { RouteRequirements } from './types.js';

export interface Grants {
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
}

const NONE: readonly string[] = Object.freeze([]);

/** The string members of an array claim; anything that is not an array grants nothing. */
function strings(value: unknown): readonly string[] {
  if (!Array.isArray(value)) return NONE;
  return value.filter((v): v is string => typeof v === 'string');
}

export function grantsOf(payload: Record<string, unknown>): Grants {
  const roles = strings(payload.roles);
  let scopes: readonly string[] = NONE;
  if (typeof payload.scope === 'string') scopes = payload.scope.split(' ').filter((s) => s.length > 0);
  else if (payload.scp !== undefined) scopes = typeof payload.scp === 'string' ? payload.scp.split(' ').filter((s) => s.length > 0) : strings(payload.scp);
  return { roles, scopes };
}

export type Match = 'any' | 'all';

function satisfies(have: readonly string[], want: readonly string[] | undefined, match: Match): boolean {
  if (want === undefined || want.length === 0) return true;
  if (match === 'all') {
    for (let i = 0; i < want.length; i++) if (!have.includes(want[i] as string)) return false;
    return true;
  }
  for (let i = 0; i < want.length; i++) if (have.includes(want[i] as string)) return true;
  return false;
}

export class Requirements {
  constructor(
    private readonly roles: readonly string[],
    private readonly rolesMatch: Match,
    private readonly scopes: readonly string[],
    private readonly scopesMatch: Match,
  ) {}

  /** True when the grants satisfy the policy's requirements and the route's (same match modes). */
  allows(grants: Grants, route: RouteRequirements | undefined): boolean {
    return (
      satisfies(grants.roles, this.roles, this.rolesMatch) &&
      satisfies(grants.scopes, this.scopes, this.scopesMatch) &&
      (route === undefined || (satisfies(grants.roles, route.roles, this.rolesMatch) && satisfies(grants.scopes, route.scopes, this.scopesMatch)))
    );
  }

  /** Scopes to name in the insufficient_scope challenge. */
  scopeList(route: RouteRequirements | undefined): readonly string[] {
    return route?.scopes === undefined || route.scopes.length === 0 ? this.scopes : [...this.scopes, ...route.scopes];
  }
}
