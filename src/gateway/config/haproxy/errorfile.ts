/** HAProxy's `errorfile` (frontend and listen sections) → the frontend's `error_pages`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Statement } from './lexer.js';
import type { Diagnostics } from './diagnostics.js';

type Loose = Record<string, unknown>;

/**
 * `errorfile <code> <file>`: HAProxy's file is a whole raw HTTP response; its body and Content-Type become
 * `error_pages.<code>` (read now, and again on every reload since the file is re-translated).
 */
export function errorfileStatement(st: Statement, args: readonly string[], frontend: Loose, path: readonly string[], baseDir: string, diag: Diagnostics): void {
  const [code, file] = args;
  if (code === undefined || file === undefined || args.length !== 2) return diag.error(st, 'expected errorfile <code> <file>');
  if (!/^[45]\d\d$/.test(code)) return diag.unsupported(st, `errorfile ${code}`, 'error_pages (4xx and 5xx only)');
  let raw: string;
  try {
    raw = readFileSync(resolve(baseDir, file), 'latin1');
  } catch (error) {
    return diag.error(st, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const split = /\r?\n\r?\n/.exec(raw);
  const head = split === null ? raw : raw.slice(0, split.index);
  const body = split === null ? '' : raw.slice(split.index + split[0].length);
  const [statusLine = '', ...headerLines] = head.split(/\r?\n/);
  if (!/^HTTP\/1\.[01] \d{3}/.test(statusLine)) return diag.error(st, `${file} is not a raw HTTP response (HAProxy's errorfile format: status line, headers, blank line, body)`);
  let contentType: string | undefined;
  const dropped: string[] = [];
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'content-type') contentType = line.slice(colon + 1).trim();
    else if (!['content-length', 'connection', 'cache-control'].includes(name)) dropped.push(name);
  }
  if (dropped.length > 0) diag.warn(st, `the headers ${dropped.join(', ')} of ${file} are not sent (error_pages has a body and a content type)`);
  const pages = (frontend.error_pages ?? {}) as Loose;
  pages[code] = contentType === undefined ? { body } : { body, content_type: contentType };
  frontend.error_pages = pages;
  diag.from([...path, 'error_pages', code], st);
}
