/**
 * JOSE header parameters Gatehouse accepts on a token (RFC 7515 §4, RFC 8725). The key always comes
 * from configuration, so key-carrying parameters (jwk, jku, x5u, x5c, x5t, x5t#S256) are ignored and
 * never dereferenced (jwt-attacks C1–C3). Refused (HDR): `crit` in any form — no extension is supported
 * (C5, C6); `b64` (C7, RFC 7797); `cty` — a nested JWT is never unwrapped (C8); JWE-only parameters
 * (C10); a `typ` outside the configured list when one is configured (C9); `kid` that is not a string.
 */
export const FORBIDDEN_PARAMS = ['crit', 'b64', 'cty', 'enc', 'zip', 'p2c', 'p2s', 'epk', 'apu', 'apv', 'iv', 'tag'] as const;

export const MAX_KID_LENGTH = 1024;

/** Normalises a typ value for comparison (RFC 7515 §4.1.9: "application/" may be omitted; case-insensitive). */
export function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

export class HeaderRules {
  private readonly typs: ReadonlySet<string> | undefined;

  constructor(typs: readonly string[] | undefined) {
    this.typs = typs === undefined ? undefined : new Set(typs.map(normaliseTyp));
  }

  /** 'HDR' for a forbidden parameter, 'KEY' for an unusable kid, undefined when acceptable. */
  check(header: Record<string, unknown>): 'HDR' | 'KEY' | undefined {
    for (let i = 0; i < FORBIDDEN_PARAMS.length; i++) {
      if (Object.hasOwn(header, FORBIDDEN_PARAMS[i] as string)) return 'HDR';
    }
    if (this.typs !== undefined) {
      const typ = header.typ;
      if (typeof typ !== 'string' || !this.typs.has(normaliseTyp(typ))) return 'HDR';
    } else if (header.typ !== undefined && typeof header.typ !== 'string') {
      return 'HDR';
    }
    const kid = header.kid;
    if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH)) return 'KEY';
    return undefined;
  }
}
