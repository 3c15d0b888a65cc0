/**
 * A TLS frontend's certificates: one secure context per certificate, picked by the client's SNI name
 * (exact name first, then a `*.` wildcard, else the first certificate). `reload()` re-reads every file;
 * a certificate that no longer loads keeps its previous version, with a logged error, so a bad file
 * never takes a frontend down. New handshakes see new contexts at once; open connections keep theirs.
 * With `tls.ocsp`, each certificate has an OCSP stapler (./ocsp): `ocspCallback` answers Node's
 * 'OCSPRequest' event with the stapler's verified response, if any.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { loadCertificate, type LoadedCertificate } from './certificate.js';
import type { FrontendTlsConfig } from './schema.js';
import { mustStaple, NO_OCSP_OBSERVER, OcspStapler, ocspTarget, type OcspObserver } from './ocsp/index.js';

interface Entry {
  readonly certificate: LoadedCertificate;
  readonly options: SecureContextOptions;
  readonly context: SecureContext;
  readonly stapler: OcspStapler | undefined;
}

export interface CertificateInfo {
  readonly frontend: string;
  readonly file: string;
  readonly names: readonly string[];
  readonly subject: string;
  readonly notAfter: number;
  /** With `tls.ocsp`: whether a verified response is stapled now, and until when. */
  readonly ocsp?: { readonly stapled: boolean; readonly nextUpdate: number | undefined } | undefined;
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
  /** Undefined: check only (`gatehouse check`): `.ocsp` files are verified, nothing is fetched. */
  private readonly ocsp: OcspObserver | undefined;

  /**
   * Loads every certificate; throws ERR_TLS_CERTIFICATE when one is missing or invalid, ERR_TLS_OCSP when
   * its OCSP stapling cannot work (a refused `.ocsp` file, no issuer). With `ocsp`, auto mode starts fetching.
   */
  constructor(frontend: string, config: FrontendTlsConfig, baseDir: string, logger: Logger, ocsp?: OcspObserver) {
    this.frontend = frontend;
    this.config = config;
    this.baseDir = baseDir;
    this.logger = logger;
    this.ocsp = ocsp;
    this.clientCa = config.client_certificates === undefined ? undefined : readCa(resolve(baseDir, config.client_certificates.ca));
    this.install(pairs(config).map((p) => this.entry(loadCertificate(p.cert, p.key, baseDir))));
    for (const entry of this.entries) entry.stapler?.start();
  }

  private stapler(certificate: LoadedCertificate): OcspStapler | undefined {
    const config = this.config.ocsp;
    if (config.mode === 'off') {
      if (mustStaple(new X509Certificate(certificate.cert))) {
        this.logger.warn({ frontend: this.frontend, file: certificate.file }, 'the certificate requires OCSP stapling (TLS Feature status_request, "must-staple") but tls.ocsp is off: browsers will refuse it');
      }
      return undefined;
    }
    const target = ocspTarget(certificate.file, certificate.cert, { issuer: config.issuer, responder: config.responder, baseDir: this.baseDir });
    return new OcspStapler(target, config, { frontend: this.frontend, logger: this.logger, observer: this.ocsp ?? NO_OCSP_OBSERVER, live: this.ocsp !== undefined });
  }

  private entry(certificate: LoadedCertificate): Entry {
    const options: SecureContextOptions = {
      cert: certificate.cert,
      key: certificate.key,
      minVersion: this.config.min_version,
      ciphers: this.config.ciphers,
      ...(this.clientCa === undefined ? {} : { ca: this.clientCa }),
    };
    let context: SecureContext;
    try {
      context = createSecureContext(options);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'error';
      throw new GatehouseError(ErrorCode.TLS_CERTIFICATE, `cannot use the certificate ${certificate.file} (${code}: ${(error as Error).message})`);
    }
    return { certificate, options, context, stapler: this.stapler(certificate) };
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

  /** Node's 'OCSPRequest' (the client sent status_request): the served certificate's verified response, if any. */
  readonly ocspCallback = (certificate: Buffer, _issuer: Buffer | null, callback: (error: Error | null, response?: Buffer) => void): void => {
    let response: Buffer | undefined;
    for (const entry of this.entries) {
      if (entry.stapler !== undefined && entry.stapler.der.equals(certificate)) {
        response = entry.stapler.staple();
        break;
      }
    }
    if (response !== undefined) this.ocsp?.stapled(this.frontend);
    callback(null, response);
  };

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
    this.handOver(previous);
    if (problems.length === 0) {
      this.logger.info({ frontend: this.frontend, certificates: entries.map((e) => e.certificate.file) }, 'TLS certificates reloaded');
    }
    return problems;
  }

  /**
   * After a reload: a new stapler of a certificate that was served before keeps the older stapler's
   * response if it is newer (auto mode: no refetch on every reload); staplers no longer served stop.
   */
  private handOver(previous: readonly Entry[]): void {
    for (const entry of this.entries) {
      if (previous.includes(entry) || entry.stapler === undefined || this.config.ocsp.mode !== 'auto') continue;
      const before = previous.find((p) => p.stapler !== undefined && p.stapler.fingerprint === entry.stapler?.fingerprint);
      if (before?.stapler !== undefined) entry.stapler.inherit(before.stapler);
    }
    for (const entry of previous) if (!this.entries.includes(entry)) entry.stapler?.stop();
    for (const entry of this.entries) entry.stapler?.start();
  }

  /** Stops every OCSP refresh (the listener closed). */
  close(): void {
    for (const entry of this.entries) entry.stapler?.stop();
  }

  certificates(): CertificateInfo[] {
    return this.entries.map(({ certificate: c, stapler }) => ({ frontend: this.frontend, file: c.file, names: c.names, subject: c.subject, notAfter: c.notAfter, ocsp: stapler?.expires() }));
  }
}
