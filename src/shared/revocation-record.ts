/**
 * One revocation as it travels from the identity provider to every gateway: an entry of a Redis stream
 * (`XADD <prefix>revocations * kind user sub … at … until …`). Both sides use this module, so the
 * format is written once. Two kinds:
 *
 * - `user`: every token of user `sub` issued at or before `at` (epoch ms) is revoked — its `iat` (whole
 *   seconds) ≤ floor(at / 1000). Logout, refresh-token revocation, password change, deactivation.
 * - `jti`: the one access token with this `jti` is revoked (RFC 7009 revocation of an access token).
 *
 * `until` (epoch ms) is when the entry stops mattering: every token it can deny has expired by then
 * (the IdP sets it from the longest access-token lifetime it issues). `type` and `event` name the
 * FusionAuth event (`jwt.refresh-token.revoke`, `user.deactivate`) and its id, for logs.
 */

export const DEFAULT_REVOCATION_STREAM = 'revocations';

interface Common {
  readonly until: number;
  readonly type: string;
  readonly event: string;
}
export interface UserRevocation extends Common {
  readonly kind: 'user';
  readonly sub: string;
  readonly at: number;
}
export interface JtiRevocation extends Common {
  readonly kind: 'jti';
  readonly jti: string;
}
export type Revocation = UserRevocation | JtiRevocation;

/** The field/value list of XADD. */
export function encodeRevocation(r: Revocation): string[] {
  const common = ['until', String(r.until), 'type', r.type, 'event', r.event];
  return r.kind === 'user' ? ['kind', 'user', 'sub', r.sub, 'at', String(r.at), ...common] : ['kind', 'jti', 'jti', r.jti, ...common];
}

/** Reads the field/value list of a stream entry; undefined when it is not a revocation this version understands. */
export function decodeRevocation(fields: readonly string[]): Revocation | undefined {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] as string, fields[i + 1] as string);
  const until = Number(f.get('until'));
  if (!Number.isSafeInteger(until)) return undefined;
  const type = f.get('type') ?? '';
  const event = f.get('event') ?? '';
  const kind = f.get('kind');
  if (kind === 'user') {
    const sub = f.get('sub');
    const at = Number(f.get('at'));
    if (sub === undefined || sub === '' || !Number.isSafeInteger(at)) return undefined;
    return { kind, sub, at, until, type, event };
  }
  if (kind === 'jti') {
    const jti = f.get('jti');
    if (jti === undefined || jti === '') return undefined;
    return { kind, jti, until, type, event };
  }
  return undefined;
}
