/**
 * One certificate's OCSP staple. Sources: the DER response in `<crt>.ocsp` beside the certificate (as
 * HAProxy loads it; re-read on reload), and with `mode: auto` the responder, asked at start, then again
 * at half of each response's validity window (within `min_refresh`..`max_refresh`, ±10 % jitter), after
 * a failure with doubling delays from `retry` up to `max_refresh`; one fetch in flight at a time. Every
 * response, from either source, is verified (./verify.ts) before it is stapled; a stapled response stops
 * being served the moment its nextUpdate passes. A `revoked` answer is logged (a warning) and drops the
 * staple.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ErrorCode, GatehouseError } from '../../../shared/errors.js';
import type { Logger } from '../../../shared/logger.js';
import type { OcspConfig } from '../schema.js';
import { fetchOcsp } from './fetch.js';
import { ocspShare } from './share.js';
import { ocspRequest, type OcspTarget } from './target.js';
import { verifyOcspResponse, type OcspRefusal, type OcspVerdict, type VerifiedOcsp } from './verify.js';

/** Where OCSP events are counted (TlsMetrics.ocsp); a no-op when nobody counts (`gatehouse check`). */
export interface OcspObserver {
  stapled(frontend: string): void;
  fetched(frontend: string, ok: boolean): void;
  refused(frontend: string, reason: OcspRefusal): void;
}

export const NO_OCSP_OBSERVER: OcspObserver = { stapled: () => undefined, fetched: () => undefined, refused: () => undefined };

export interface StaplerContext {
  readonly frontend: string;
  readonly logger: Logger;
  readonly observer: OcspObserver;
  /** false: load and check the `.ocsp` file only (`gatehouse check`): no fetch, no timer. */
  readonly live: boolean;
  readonly now?: () => number;
}

type Source = 'file' | 'responder' | 'shared';

export class OcspStapler {
  readonly target: OcspTarget;
  /** The served certificate's DER (what Node's 'OCSPRequest' event names) and SHA-256 fingerprint. */
  readonly der: Buffer;
  readonly fingerprint: string;
  private readonly config: OcspConfig;
  private readonly ctx: StaplerContext;
  private readonly now: () => number;
  private readonly request: Buffer;
  private current: VerifiedOcsp | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private failures = 0;
  private running = false;

  /** Throws ERR_TLS_OCSP naming the file when `<crt>.ocsp` does not verify (`mode: file`), or auto mode has no responder. */
  constructor(target: OcspTarget, config: OcspConfig, ctx: StaplerContext) {
    this.target = target;
    this.der = target.leaf.raw;
    this.fingerprint = target.leaf.fingerprint256;
    this.config = config;
    this.ctx = ctx;
    this.now = ctx.now ?? Date.now;
    this.request = ocspRequest(target);
    if (config.mode === 'auto' && target.url === undefined) {
      throw new GatehouseError(ErrorCode.TLS_OCSP, `OCSP for ${target.file}: the certificate names no OCSP responder (Authority Information Access); set tls.ocsp.responder`);
    }
    const file = `${target.file}.ocsp`;
    if (existsSync(file)) this.loadFile(file);
    else if (config.mode === 'file') ctx.logger.warn({ frontend: ctx.frontend, file: target.file }, `no ${file}: this certificate is served without an OCSP staple`);
  }

  private loadFile(file: string): void {
    let der: Buffer;
    try {
      der = readFileSync(file);
    } catch (error) {
      throw new GatehouseError(ErrorCode.TLS_OCSP, `cannot read the OCSP response ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
    }
    const verdict = this.offer(der, 'file');
    if (verdict.ok) return;
    // auto: the file is only a starting point, the responder is asked at once
    if (this.config.mode === 'auto') return;
    throw new GatehouseError(ErrorCode.TLS_OCSP, `the OCSP response ${file} is refused: ${verdict.detail}`);
  }

  /** Verifies a response and staples it if it is newer than the current one. */
  private offer(der: Buffer, source: Source): OcspVerdict {
    const verdict = verifyOcspResponse(der, this.target, this.now());
    const { frontend, logger, observer } = this.ctx;
    if (!verdict.ok) {
      observer.refused(frontend, verdict.reason);
      if (verdict.reason === 'revoked') {
        this.current = undefined;
        logger.warn({ frontend, file: this.target.file, source, reason: verdict.detail }, 'TLS certificate revoked according to its OCSP response: no longer stapled');
      } else {
        logger.warn({ frontend, file: this.target.file, source, reason: verdict.reason, detail: verdict.detail }, 'OCSP response refused: not stapled');
      }
      return verdict;
    }
    if (this.current === undefined || verdict.thisUpdate >= this.current.thisUpdate) this.current = verdict;
    return verdict;
  }

  /** The response to staple now, if a verified one is still valid. */
  staple(): Buffer | undefined {
    const current = this.current;
    if (current === undefined) return undefined;
    if (current.nextUpdate <= this.now()) {
      this.current = undefined;
      this.ctx.logger.warn({ frontend: this.ctx.frontend, file: this.target.file }, 'OCSP response expired: no longer stapled');
      if (this.running) this.schedule(0);
      return undefined;
    }
    return current.der;
  }

  /** Whether a response is stapled now, and when it expires (ms since the epoch). */
  expires(): { stapled: boolean; nextUpdate: number | undefined } {
    const current = this.current;
    const valid = current !== undefined && current.nextUpdate > this.now();
    return { stapled: valid, nextUpdate: valid ? current.nextUpdate : undefined };
  }

  /** Keeps the previous stapler's response (same certificate, on reload) if newer than the file's. */
  inherit(previous: OcspStapler): void {
    const theirs = previous.current;
    if (theirs !== undefined && (this.current === undefined || theirs.thisUpdate > this.current.thisUpdate)) this.current = theirs;
  }

  /** `mode: auto`: fetch now if nothing valid is stapled, else when the current response is due. */
  start(): void {
    if (this.running || !this.ctx.live) return;
    this.running = true;
    ocspShare.add(this);
    if (this.config.mode !== 'auto') return;
    const current = this.current;
    this.schedule(current === undefined ? 0 : this.refreshDelay(current));
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    ocspShare.remove(this);
  }

  /** A response fetched by another stapler of the same certificate (another frontend or worker). */
  receive(der: Buffer): void {
    if (!this.running) return;
    const before = this.current;
    const verdict = this.offer(der, 'shared');
    if (verdict.ok && this.current !== before && this.config.mode === 'auto' && this.inflight === undefined) {
      this.failures = 0;
      // a quarter later than the stapler that fetched it, whose jittered timer then fires first: the same
      // worker keeps fetching for the cluster, and the others only if it stops
      this.schedule(this.refreshDelay(verdict, RECEIVER_DELAY));
    }
  }

  /** Asks the responder now (joins the fetch in flight, if any). */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchOnce().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (!this.running || this.config.mode !== 'auto') return;
    this.timer = setTimeout(() => void this.refresh(), delay);
    this.timer.unref();
  }

  private async fetchOnce(): Promise<void> {
    const { frontend, logger, observer } = this.ctx;
    let der: Buffer;
    try {
      der = await fetchOcsp(this.target.url as string, this.request, this.config.timeout);
    } catch (error) {
      observer.fetched(frontend, false);
      this.failed((error as Error).message);
      return;
    }
    if (!this.running) return;
    const verdict = this.offer(der, 'responder');
    if (!verdict.ok) {
      observer.fetched(frontend, false);
      this.failed(`response refused: ${verdict.reason}`);
      return;
    }
    observer.fetched(frontend, true);
    this.failures = 0;
    const delay = this.refreshDelay(verdict);
    logger.info({ frontend, file: this.target.file, next_update: new Date(verdict.nextUpdate).toISOString(), refresh_in_ms: Math.round(delay) }, 'OCSP response fetched');
    ocspShare.publish(this, der);
    this.schedule(delay);
  }

  private failed(reason: string): void {
    if (!this.running) return;
    this.failures++;
    const delay = jitter(Math.min(this.config.retry * 2 ** (this.failures - 1), this.config.max_refresh));
    this.ctx.logger.warn(
      { frontend: this.ctx.frontend, file: this.target.file, responder: origin(this.target.url), reason, failures: this.failures, retry_in_ms: Math.round(delay), stapling: this.expires().stapled },
      'OCSP fetch failed',
    );
    this.schedule(delay);
  }

  /** Half of the response's validity window from now, within min_refresh..max_refresh (× factor), never past nextUpdate. */
  private refreshDelay(response: VerifiedOcsp, factor = 1): number {
    const now = this.now();
    const half = response.thisUpdate + (response.nextUpdate - response.thisUpdate) / 2 - now;
    const delay = jitter(Math.min(Math.max(half, this.config.min_refresh), this.config.max_refresh) * factor);
    const left = response.nextUpdate - now;
    return delay < left ? delay : Math.max(1_000, left / 2);
  }
}

/** How much later than the fetching stapler a stapler that received the response refreshes. */
const RECEIVER_DELAY = 1.25;

/** ±10 %, so the workers' timers (and many certificates') spread. */
function jitter(ms: number): number {
  return ms * (0.9 + Math.random() * 0.2);
}

/** The responder's scheme, host and port only (a URL could carry credentials). */
function origin(url: string | undefined): string | undefined {
  try {
    return url === undefined ? undefined : new URL(url).origin;
  } catch {
    return undefined;
  }
}
