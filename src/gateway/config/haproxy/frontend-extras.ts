/**
 * Frontend statements with a direct gatehouse.yaml key: `http-request deny if|unless { src … }` →
 * `deny_from`/`allow_from`, `compression algo|type|offload` → `compression`, `bind … ssl crt …` → `tls`, and the `!{ ssl_fc }`
 * condition of `redirect scheme https` (→ `redirect_https`, in frontend.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Statement } from './lexer.js';
import type { Condition } from './conditions.js';
import type { Diagnostics } from './diagnostics.js';

type Loose = Record<string, unknown>;

/** `!{ ssl_fc }`: the request did not come over TLS (always true on a plain frontend). */
export function isNotSslFc(cond: Condition): boolean {
  const term = cond.groups.length === 1 && cond.groups[0]!.length === 1 ? cond.groups[0]![0]! : undefined;
  const test = term?.tests.length === 1 ? term.tests[0]! : undefined;
  return test !== undefined && test.sample.fetch.name === 'ssl_fc' && test.patterns.length === 0 && term!.negate !== cond.unless;
}

/** `deny if { src … }` → deny_from; `deny unless { src … }` (or `if !{ src … }`) → allow_from. False: not a source rule. */
export function sourceRule(st: Statement, cond: Condition | undefined, frontend: Loose, path: readonly string[], diag: Diagnostics): boolean {
  const term = cond !== undefined && cond.groups.length === 1 && cond.groups[0]!.length === 1 ? cond.groups[0]![0]! : undefined;
  if (term === undefined || !term.tests.every((t) => t.sample.fetch.name === 'src' && t.sample.converters.length === 0 && (t.method === undefined || t.method === 'ip'))) return false;
  const key = term.negate !== cond!.unless ? 'allow_from' : 'deny_from';
  if (frontend[key] !== undefined) {
    diag.unsupported(st, `a second ${key} rule`, `${key} (one list)`);
    return true;
  }
  frontend[key] = term.tests.flatMap((t) => t.patterns);
  diag.from([...path, key], st);
  return true;
}

const ALGORITHMS: Record<string, string> = { gzip: 'gzip', deflate: 'deflate' };

/** `compression algo gzip deflate` / `compression type text/html …` / `compression offload`. */
export function compressionStatement(st: Statement, args: readonly string[], frontend: Loose, path: readonly string[], diag: Diagnostics): void {
  const block = (frontend.compression ?? {}) as Loose;
  const [what, ...values] = args;
  if (what === 'algo' && values.length > 0 && values.every((v) => ALGORITHMS[v] !== undefined)) block.algorithms = values.map((v) => ALGORITHMS[v]);
  else if (what === 'type' && values.length > 0) block.types = [...values];
  else if (what === 'offload' && values.length === 0) block.offload = true;
  else return diag.unsupported(st, `compression ${what ?? ''} ${values.join(' ')}`.trim(), 'compression: { algorithms: [gzip, deflate, br], types, offload }');
  frontend.compression = block;
  diag.from([...path, 'compression'], st);
}

const COMPANIONS = /\.(key|issuer|ocsp|sctl)$/;

/** The certificate files of `crt <file|dir>` (a dir: every file in name order but companions and dotfiles). */
function crtFiles(path: string, baseDir: string): string[] | string {
  const absolute = resolve(baseDir, path);
  try {
    if (!statSync(absolute).isDirectory()) return [path];
    return readdirSync(absolute)
      .filter((name) => !name.startsWith('.') && !COMPANIONS.test(name))
      .sort()
      .map((name) => join(path, name));
  } catch (error) {
    return `crt ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`;
  }
}

/** `bind … ssl crt <file|dir>… [alpn h2,http/1.1] [ssl-min-ver TLSv1.2|TLSv1.3]` → the frontend's `tls`. */
export function bindTls(st: Statement, options: readonly string[], frontend: Loose, path: readonly string[], baseDir: string, diag: Diagnostics): void {
  let ssl = false;
  const files: string[] = [];
  let http2 = false;
  let minVersion: string | undefined;
  for (let i = 0; i < options.length; i++) {
    const o = options[i] as string;
    const value = options[i + 1];
    if (o === 'ssl') ssl = true;
    else if (o === 'crt' && value !== undefined) {
      const found = crtFiles(value, baseDir);
      if (typeof found === 'string') return diag.error(st, found);
      files.push(...found);
      i++;
    } else if (o === 'alpn' && value !== undefined) {
      const protocols = value.split(',');
      if (!protocols.every((p) => p === 'h2' || p === 'http/1.1')) return diag.unsupported(st, `alpn ${value}`, 'tls.http2 (h2 and http/1.1)');
      http2 = protocols.includes('h2');
      i++;
    } else if (o === 'ssl-min-ver' && (value === 'TLSv1.2' || value === 'TLSv1.3')) {
      minVersion = value;
      i++;
    } else return diag.unsupported(st, `bind option "${o}"`, 'frontends.<name>.tls (cert, key, certificates, min_version, ciphers, http2, client_certificates)');
  }
  if (!ssl || files.length === 0) return diag.error(st, ssl ? 'ssl needs at least one crt (as in HAProxy)' : 'crt/alpn without ssl');
  // HAProxy's crt is the certificate chain with its key, or the key in <file>.key beside it
  const pairs = files.map((cert) => ({ cert, key: existsSync(resolve(baseDir, `${cert}.key`)) ? `${cert}.key` : cert }));
  const [first, ...rest] = pairs;
  const tls: Loose = { cert: first!.cert, key: first!.key, http2 };
  if (rest.length > 0) tls.certificates = rest;
  if (minVersion !== undefined) tls.min_version = minVersion;
  frontend.tls = tls;
  diag.from([...path, 'tls'], st);
}

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
