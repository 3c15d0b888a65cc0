/**
 * HTML built only through the `html` tagged template: every interpolated value is escaped unless it is
 * already `Html` (the result of another `html` call). Arrays are rendered item by item; null, undefined
 * and false render as nothing. There is no other way to put text into a page (no raw-HTML escape hatch).
 */
import { escapeHtml } from '../../shared/html.js';
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export { escapeHtml };

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}
