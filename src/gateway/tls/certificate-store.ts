/**
 * A TLS frontend's certificates: one secure context per certificate, picked by the client's SNI name
 * (exact name first, then a `*.` wildcard, else the first certificate). `reload()` re-reads every file;
 * a certificate that no longer loads keeps its previous version, with a logged error, so a bad file
 * never takes a frontend down. New handshakes see new contexts at once; open connections keep theirs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { loadCertificate, type LoadedCertificate } from './certificate.js';
import type { FrontendTlsConfig } from './schema.js';

interface Entry {
  readonly certificate: LoadedCertificate;
  readonly options: SecureContextOptions;
  readonly context: SecureContext;
}

export interface CertificateInfo {
  readonly frontend: string;
  readonly file: string;
  readonly names: readonly string[];
  readonly subject: string;
  readonly notAfter: number;
}

function pairs(config: FrontendTlsConfig): Array<{ cert: string; key: string }> {
  const list = config.cert !== undefined && config.key !== undefined ? [{ cert: config.cert, key: config.key }] : [];
  return [...list, ...config.certificates];
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `cannot read client CA file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
  }
}

function errorFields(error: unknown): { message: string; code: string | undefined } {
  return { message: (error as Error).message, code: (error as { code?: string }).code };
}

export class CertificateStore {
  readonly frontend: string;
  private config: FrontendTlsConfig;
  private baseDir: string;
  private readonly logger: Logger;
  private entries: Entry[] = [];
  private exact = new Map<string, Entry>();
  private wildcard = new Map<string, Entry>();
  private clientCa: string | undefined;

  /** Loads every certificate; throws ERR_TLS_CERTIFICATE when one is missing or invalid. */
  constructor(frontend: string, config: FrontendTlsConfig, baseDir: string, logger: Logger) {
    this.frontend = frontend;
    this.config = config;
    this.baseDir = baseDir;
    this.logger = logger;
    this.clientCa = config.client_certificates === undefined ? undefined : readCa(resolve(baseDir, config.client_certificates.ca));
    this.install(pairs(config).map((p) => this.entry(loadCertificate(p.cert, p.key, baseDir))));
  }

  private entry(certificate: LoadedCertificate): Entry {
    const options: SecureContextOptions = {
      cert: certificate.cert,
      key: certificate.key,
      minVersion: this.config.min_version,
      ciphers: this.config.ciphers,
      ...(this.clientCa === undefined ? {} : { ca: this.clientCa }),
    };
    try {
      return { certificate, options, context: createSecureContext(options) };
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `cannot use the certificate ${certificate.file} (${code}: ${(error as Error).message})`);
    }
  }

  private install(entries: Entry[]): void {
    const exact = new Map<string, Entry>();
    const wildcard = new Map<string, Entry>();
    for (const entry of entries) {
      for (const name of entry.certificate.names) {
        const map = name.startsWith('*.') ? wildcard : exact;
        const key = name.startsWith('*.') ? name.slice(2) : name;
        if (!map.has(key)) map.set(key, entry);
      }
    }
    this.entries = entries;
    this.exact = exact;
    this.wildcard = wildcard;
  }

  /** The default certificate's context options (clients that send no SNI name, e.g. to an IP address). */
  defaultOptions(): SecureContextOptions {
    return (this.entries[0] as Entry).options;
  }

  /** The context for an SNI name; the default certificate when none matches. */
  contextFor(servername: string): SecureContext {
    const name = servername.toLowerCase();
    const hit = this.exact.get(name);
    if (hit !== undefined) return hit.context;
    const dot = name.indexOf('.');
    const wild = dot < 0 ? undefined : this.wildcard.get(name.slice(dot + 1));
    return (wild ?? (this.entries[0] as Entry)).context;
  }

  readonly sniCallback = (servername: string, callback: (error: Error | null, context?: SecureContext) => void): void => {
    callback(null, this.contextFor(servername));
  };

  /**
   * Re-reads every certificate (of `next`, when the config changed). Returns the problems; each failed
   * certificate keeps its previous version (same file, else same position) and is logged as an error.
   */
  reload(next: FrontendTlsConfig = this.config, baseDir: string = this.baseDir): string[] {
    const problems: string[] = [];
    const previous = this.entries;
    const previousCa = this.clientCa;
    this.config = next;
    this.baseDir = baseDir;
    if (next.client_certificates !== undefined) {
      try {
        this.clientCa = readCa(resolve(baseDir, next.client_certificates.ca));
      } catch (error) {
        problems.push((error as Error).message);
        this.clientCa = previousCa;
      }
    } else this.clientCa = undefined;
    const entries: Entry[] = [];
    pairs(next).forEach((pair, i) => {
      try {
        entries.push(this.entry(loadCertificate(pair.cert, pair.key, baseDir)));
      } catch (error) {
        problems.push((error as Error).message);
        const file = resolve(baseDir, pair.cert);
        const kept = previous.find((e) => e.certificate.file === file) ?? previous[i];
        if (kept !== undefined && !entries.includes(kept)) entries.push(kept);
        this.logger.error(
          { frontend: this.frontend, file, err: errorFields(error), kept: kept?.certificate.file },
          kept === undefined ? 'TLS certificate not loaded' : 'TLS certificate not reloaded; the previous certificate keeps serving',
        );
      }
    });
    this.install(entries.length > 0 ? entries : previous);
    if (problems.length === 0) {
      this.logger.info({ frontend: this.frontend, certificates: entries.map((e) => e.certificate.file) }, 'TLS certificates reloaded');
    }
    return problems;
  }

  certificates(): CertificateInfo[] {
    return this.entries.map(({ certificate: c }) => ({ frontend: this.frontend, file: c.file, names: c.names, subject: c.subject, notAfter: c.notAfter }));
  }
}
