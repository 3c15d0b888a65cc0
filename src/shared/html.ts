/**
 * HTML escaping for every server-rendered page (gateway stats page, hosted login page, admin console).
 * Escapes the characters that can end a text node or a quoted attribute value (every page quotes its
 * attribute values), and the backtick old browsers treated as a quote.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
const SPECIAL = /[&<>"'`]/g;

export function escapeHtml(value: unknown): string {
  return String(value).replace(SPECIAL, (c) => ESCAPES[c]!);
}
