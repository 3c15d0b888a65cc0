/**
 * `bind … ssl crt <file|dir>… [alpn h2,http/1.1] [ssl-min-ver …]` → the frontend's `tls`: HAProxy's crt
 * files hold the chain with its key (or the key in <file>.key beside it); a directory gives its files in
 * name order; the first is the default certificate. A `<crt>.ocsp` beside any crt file turns OCSP stapling
 * on from files (`tls.ocsp: file`), as HAProxy staples such a file (and a crt without one gets no staple).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Statement } from './lexer.js';
import type { Diagnostics } from './diagnostics.js';

type Loose = Record<string, unknown>;

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
    } else return diag.unsupported(st, `bind option "${o}"`, 'frontends.<name>.tls (cert, key, certificates, min_version, ciphers, http2, client_certificates, ocsp)');
  }
  if (!ssl || files.length === 0) return diag.error(st, ssl ? 'ssl needs at least one crt (as in HAProxy)' : 'crt/alpn without ssl');
  // HAProxy's crt is the certificate chain with its key, or the key in <file>.key beside it
  const pairs = files.map((cert) => ({ cert, key: existsSync(resolve(baseDir, `${cert}.key`)) ? `${cert}.key` : cert }));
  const [first, ...rest] = pairs;
  const tls: Loose = { cert: first!.cert, key: first!.key, http2 };
  if (rest.length > 0) tls.certificates = rest;
  if (minVersion !== undefined) tls.min_version = minVersion;
  if (pairs.some((p) => existsSync(resolve(baseDir, `${p.cert}.ocsp`)))) tls.ocsp = 'file';
  frontend.tls = tls;
  diag.from([...path, 'tls'], st);
}
