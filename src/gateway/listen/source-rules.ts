/**
 * Source address rules (HAProxy's `http-request deny if { src 203.0.113.0/24 }` and
 * `http-request deny unless { src 10.0.0.0/8 }`): `deny_from` and `allow_from` lists of addresses and CIDR
 * ranges on a frontend or a route; a route's list replaces its frontend's list of the same kind. A request
 * from a `deny_from` address is refused; with `allow_from`, so is every request from an address not on it.
 *
 * The address judged is the client's: the TCP peer, or, when the peer is a trusted proxy
 * (`trusted_proxies`), the rightmost X-Forwarded-For entry that is not a trusted proxy itself — the address
 * the outermost trusted proxy saw. Entries left of it were written by the client and are never believed.
 */
import { ipInRanges, type Cidr } from '../config/index.js';

export interface SourceRules {
  readonly allow: readonly Cidr[] | undefined;
  readonly deny: readonly Cidr[] | undefined;
}

export interface SourceRulesConfig {
  readonly allow_from?: readonly Cidr[] | undefined;
  readonly deny_from?: readonly Cidr[] | undefined;
}

/** The route's lists where it has them, else the frontend's; undefined when neither has any. */
export function compileSourceRules(frontend: SourceRulesConfig, route: SourceRulesConfig | undefined): SourceRules | undefined {
  const allow = route?.allow_from ?? frontend.allow_from;
  const deny = route?.deny_from ?? frontend.deny_from;
  return allow === undefined && deny === undefined ? undefined : { allow, deny };
}

/** The client's address (see above). `peer` as Node reports it; `forwardedFor` the X-Forwarded-For header. */
export function sourceAddress(peer: string, peerTrusted: boolean, forwardedFor: string | string[] | undefined, trustedProxies: readonly Cidr[]): string {
  if (!peerTrusted || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = (hops[i] as string).trim();
    if (hop === '') continue;
    if (i > 0 && ipInRanges(hop, trustedProxies)) continue;
    return hop;
  }
  return peer;
}

/** Whether a request from `address` may pass. An address that is not an IP matches no range. */
export function sourceAllowed(rules: SourceRules, address: string): boolean {
  if (rules.deny !== undefined && ipInRanges(address, rules.deny)) return false;
  return rules.allow === undefined || ipInRanges(address, rules.allow);
}
