/**
 * The only values a theme may put into the hosted pages' stylesheet and `<img src>`, checked by grammar so
 * nothing else reaches them: no `;`, `}`, `<`, `url(`, `expression(` — a value either matches or is refused.
 *
 * - a colour: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()`, `hsl()`/`hsla()` with numbers
 *   (named colours are not accepted: one spelling each keeps the check small);
 * - a length: `0` or a number with px, rem, em or %;
 * - a logo: an `https:` URL without credentials, or a base64 `data:image/…` URL (png, jpeg, gif, webp,
 *   svg+xml — an SVG in `<img>` runs no script) of at most 64 KiB. Never `javascript:` or `http:`.
 */

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d+)?|\.\d+)`;
const PART = `${NUMBER}%?`;
const SEP = String.raw`\s*(?:,\s*|\s+)`;
const ALPHA = String.raw`(?:\s*[,/]\s*${PART})?`;
const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const FUNCTION = new RegExp(String.raw`^(?:rgba?|hsla?)\(\s*${PART}(?:deg)?${SEP}${PART}${SEP}${PART}${ALPHA}\s*\)$`, 'i');
const LENGTH = new RegExp(String.raw`^(?:0|${NUMBER}(?:px|rem|em|%))$`);

export function isColour(value: string): boolean {
  return value.length <= 64 && (HEX.test(value) || FUNCTION.test(value));
}

export function isLength(value: string): boolean {
  return value.length <= 16 && LENGTH.test(value);
}

export const MAX_DATA_LOGO = 64 * 1024;
const DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;

/** A logo URL as the page may load it, with the Content-Security-Policy `img-src` source that allows it alone. */
export interface Logo {
  src: string;
  cspSource: string;
}

/** The logo of `value`, or why it is refused. */
export function parseLogo(value: string): Logo | { problem: string } {
  if (value.startsWith('data:')) {
    if (value.length > MAX_DATA_LOGO) return { problem: `a data: URL of at most ${MAX_DATA_LOGO} characters` };
    if (!DATA_IMAGE.test(value)) return { problem: 'a base64 data:image/png, jpeg, gif, webp or svg+xml URL' };
    return { src: value, cspSource: 'data:' };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'an absolute https URL or a data:image URL' };
  }
  if (url.protocol !== 'https:') return { problem: 'an https URL or a data:image URL' };
  if (url.username !== '' || url.password !== '') return { problem: 'an https URL without a user name or password' };
  // the CSP source names the logo's path exactly; ',' ';' and quotes would end or split a source
  if (/[,;'"\s]/.test(url.pathname) || url.href.length > 2048) return { problem: 'an https URL of at most 2048 characters without , ; or quotes in its path' };
  return { src: url.href, cspSource: `${url.origin}${url.pathname}` };
}
