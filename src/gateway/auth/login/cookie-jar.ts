/**
 * Reading and writing the gateway's own cookies: a value larger than one cookie holds is split into
 * numbered chunks (`name.0`, `name.1`, …) and put back together on the way in; Set-Cookie lines are
 * HttpOnly, SameSite=Lax, Path=/ and Secure when configured. Clearing removes every chunk the browser sent.
 */

/** Bytes of value per cookie chunk: below the ~4096-byte per-cookie limit of browsers, with room for the attributes. */
export const CHUNK_BYTES = 3800;
const DIGITS = /^\d+$/;
/** At most this many chunks are read (a bound on what a client can make us join). */
const MAX_CHUNKS = 16;

export interface CookieAttributes {
  readonly secure: boolean;
  /** Max-Age in seconds; undefined: a browser-session cookie. */
  readonly maxAgeS?: number;
}

/** The request's cookies by name (the first of duplicates wins, as browsers send the most specific first). */
export function parseCookies(header: string | string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (header === undefined) return out;
  const text = Array.isArray(header) ? header.join('; ') : header;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** The whole value of a chunked cookie, or undefined when absent or a chunk is missing. */
export function readChunked(cookies: Map<string, string>, name: string): string | undefined {
  let value = '';
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const chunk = cookies.get(`${name}.${i}`);
    if (chunk === undefined) return i === 0 ? undefined : value;
    value += chunk;
  }
  return value;
}

export function setCookie(name: string, value: string, attributes: CookieAttributes): string {
  const age = attributes.maxAgeS === undefined ? '' : `; Max-Age=${attributes.maxAgeS}`;
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax${attributes.secure ? '; Secure' : ''}${age}`;
}

export function clearCookie(name: string, secure: boolean): string {
  return setCookie(name, '', { secure, maxAgeS: 0 });
}

/** Set-Cookie lines writing `value` in chunks, and clearing chunks the browser has beyond the new count. */
export function writeChunked(cookies: Map<string, string>, name: string, value: string, attributes: CookieAttributes): string[] {
  const lines: string[] = [];
  let i = 0;
  for (let at = 0; at < value.length; at += CHUNK_BYTES, i++) lines.push(setCookie(`${name}.${i}`, value.slice(at, at + CHUNK_BYTES), attributes));
  if (i > MAX_CHUNKS) throw new Error(`session cookie needs ${i} chunks, more than ${MAX_CHUNKS}`);
  lines.push(...clearChunks(cookies, name, attributes.secure, i));
  return lines;
}

/** Set-Cookie lines clearing every chunk of `name` the request carried, from chunk `from` on. */
export function clearChunks(cookies: Map<string, string>, name: string, secure: boolean, from = 0): string[] {
  const lines: string[] = [];
  for (let i = from; i < MAX_CHUNKS; i++) if (cookies.has(`${name}.${i}`)) lines.push(clearCookie(`${name}.${i}`, secure));
  return lines;
}

/** The Cookie header without the session's chunks and the sign-in state cookies. */
export function withoutOwnCookies(header: string | string[] | undefined, name: string): string {
  if (header === undefined) return '';
  const text = Array.isArray(header) ? header.join('; ') : header;
  const kept: string[] = [];
  for (const part of text.split(';')) {
    const pair = part.trim();
    const eq = pair.indexOf('=');
    const cookie = eq < 0 ? pair : pair.slice(0, eq);
    if (pair === '' || cookie.startsWith(`${name}_state_`) || (cookie.startsWith(`${name}.`) && DIGITS.test(cookie.slice(name.length + 1)))) continue;
    kept.push(pair);
  }
  return kept.join('; ');
}
