/**
 * Where a policy takes its token from (`token_from:`), in the stated order: the Authorization header
 * (`header`) and/or named cookies (`{ cookie: app.at }`). The first source that is PRESENT supplies the
 * token — an Authorization header of any value, a cookie of that name — and a present but bad token is
 * denied, never skipped for the next source: a junk header cannot steer the gateway to a cookie, and two
 * credentials are never merged.
 *
 * A policy with only the header (the default) never builds one of these: policy.ts keeps calling
 * extractBearer directly, so the header path costs what it did.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { extractBearer, NO_HEADER, TOO_LONG, type ExtractFailure } from '../extract.js';
import { COOKIE_TOO_LONG, DUPLICATE_COOKIE, findCookie, NO_COOKIE } from './cookie.js';

/** As in the config: `header`, or `{ cookie: <name> }`. */
export type TokenSource = 'header' | { readonly cookie: string };

/** A cookie of the token's name was sent twice (cookie.ts): refused as malformed. */
export const DUPLICATE = 3;
export type SourceFailure = ExtractFailure | typeof DUPLICATE;

export class TokenSources {
  /** Whether the last `extract()` that returned a token took it from a cookie (read right after the call). */
  fromCookie = false;

  constructor(
    private readonly sources: readonly TokenSource[],
    private readonly maxTokenBytes: number,
  ) {}

  /** Returns the token (possibly empty) of the first present source, or why there is none (NO_HEADER: no source present). */
  extract(headers: IncomingHttpHeaders): string | SourceFailure {
    for (const source of this.sources) {
      if (source === 'header') {
        if (headers.authorization === undefined) continue;
        this.fromCookie = false;
        return extractBearer(headers.authorization, this.maxTokenBytes);
      }
      const value = findCookie(headers.cookie, source.cookie, this.maxTokenBytes);
      if (value === NO_COOKIE) continue;
      if (value === DUPLICATE_COOKIE) return DUPLICATE;
      if (value === COOKIE_TOO_LONG) return TOO_LONG;
      this.fromCookie = true;
      return value;
    }
    return NO_HEADER;
  }
}

