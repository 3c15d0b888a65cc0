/**
 * The process's staplers, so a response fetched once reaches every stapler of the same certificate: the
 * other frontends of this process at once, and (in a cluster worker, where `share` sends it to the primary,
 * which passes it to every other worker) the other workers. Each receiver verifies it again before
 * stapling it, and pushes its own next fetch back: a refresh is fetched about once per cluster.
 */
import type { OcspStapler } from './stapler.js';

/** A fetched response as sent over IPC: the certificate's SHA-256 fingerprint and the DER in base64. */
export interface WireOcsp {
  readonly fingerprint: string;
  readonly der: string;
}

export class OcspShare {
  private readonly staplers = new Set<OcspStapler>();
  /** Where a fetched response goes besides this process (the cluster worker sends it to the primary). */
  share: (response: WireOcsp) => void = () => undefined;

  add(stapler: OcspStapler): void {
    this.staplers.add(stapler);
  }

  remove(stapler: OcspStapler): void {
    this.staplers.delete(stapler);
  }

  /** A response `from` fetched: to the same certificate's other staplers here, and to the other workers. */
  publish(from: OcspStapler, der: Buffer): void {
    const fingerprint = from.fingerprint;
    for (const stapler of this.staplers) if (stapler !== from && stapler.fingerprint === fingerprint) stapler.receive(der);
    this.share({ fingerprint, der: der.toString('base64') });
  }

  /** A response another worker fetched. */
  receive(response: WireOcsp): void {
    let der: Buffer | undefined;
    for (const stapler of this.staplers) {
      if (stapler.fingerprint !== response.fingerprint) continue;
      der ??= Buffer.from(response.der, 'base64');
      stapler.receive(der);
    }
  }
}

/** The process's one registry. */
export const ocspShare = new OcspShare();
