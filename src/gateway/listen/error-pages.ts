/**
 * A frontend's own error pages (HAProxy's `errorfile`): for the answers the gateway writes itself —
 * 400, 403 (source rules), 404, 408, 413, 414, 431, 500, 502, 503, 504 — a configured body and content type
 * replace the plain-text default, e.g. JSON errors for an API. Auth denials keep their own bodies (the
 * seed's exact texts, or RFC 6750's). Files are read when the config is loaded (at start and on every
 * reload); one that cannot be read refuses the config, with its key path.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export interface ErrorPage {
  readonly body: string;
  readonly contentType: string;
}

export type ErrorPages = ReadonlyMap<number, ErrorPage>;

export interface ErrorPageConfig {
  readonly file?: string | undefined;
  readonly body?: string | undefined;
  readonly content_type: string;
}

export const MAX_ERROR_PAGE_BYTES = 65_536;

export function loadErrorPages(frontend: string, pages: Readonly<Record<string, ErrorPageConfig>> | undefined, baseDir: string): ErrorPages | undefined {
  if (pages === undefined) return undefined;
  const out = new Map<number, ErrorPage>();
  for (const [status, page] of Object.entries(pages)) {
    let body = page.body;
    if (page.file !== undefined) {
      const file = isAbsolute(page.file) ? page.file : resolve(baseDir, page.file);
      const path = `frontends.${frontend}.error_pages.${status}.file`;
      try {
        body = readFileSync(file, 'utf8');
      } catch (error) {
        throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${path}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      if (Buffer.byteLength(body) > MAX_ERROR_PAGE_BYTES) throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${path}: ${file} is larger than ${MAX_ERROR_PAGE_BYTES} bytes`);
    }
    out.set(Number(status), { body: body ?? '', contentType: page.content_type });
  }
  return out;
}
