/**
 * How different backends read a path Gatehouse forwarded, to check that none of them reads it as under
 * `/private` when Gatehouse routed it elsewhere. Deliberately naive: each is a known reading of a real
 * stack, not a correct parser.
 */

function decodeOnce(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function resolveDots(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/** Tomcat/Jetty/Spring: `;params` stripped from each segment, then decoded, then dot segments resolved. */
function servlet(path: string): string {
  return resolveDots(decodeOnce(path.split('/').map((s) => s.split(';')[0]).join('/')));
}

/** IIS / Windows: decoded, `\` is `/`, trailing dots and spaces of each name trimmed. */
function windows(path: string): string {
  return resolveDots(decodeOnce(path).replace(/\\/g, '/').split('/').map((s) => s.replace(/[. ]+$/, (m) => (s === m ? s : ''))).join('/'));
}

/** A stack that decodes twice (a proxy that decodes, then an app that decodes again), then strips parameters. */
function doubleDecoding(path: string): string {
  const twice = decodeOnce(decodeOnce(path));
  return resolveDots(twice.split('/').map((s) => s.split(';')[0]).join('/'));
}

/** A lax UTF-8 decoder (old IIS): two-byte overlong sequences are their ASCII character (`%C0%AE` is `.`). */
function laxUtf8(path: string): string {
  const ascii = path.replace(/%(C[01])%([89AB][0-9A-F])/gi, (_, lead: string, cont: string) => String.fromCharCode(((parseInt(lead, 16) & 1) << 6) | (parseInt(cont, 16) & 0x3f)));
  return resolveDots(decodeOnce(ascii));
}

/** nginx-like: decoded, slashes merged, dots resolved. */
function decoding(path: string): string {
  return resolveDots(decodeOnce(path));
}

export const INTERPRETATIONS: ReadonlyArray<readonly [string, (path: string) => string]> = [
  ['raw', (p) => p],
  ['decoding', decoding],
  ['servlet', servlet],
  ['windows', windows],
  ['double-decoding', doubleDecoding],
  ['lax-utf8', laxUtf8],
];

/** HAProxy's `path_beg /private` (or another prefix): a plain string prefix. */
export function underPrivate(path: string, prefix = '/private'): boolean {
  return path.startsWith(prefix);
}
