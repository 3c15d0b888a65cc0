/**
 * Cases where Gatehouse's outcome differs from BOTH HAProxy 2.6 and nginx 1.22 by design: the signature
 * Gatehouse must give (outcome.ts) and why. docs/http1-server.md "Differential suite and fuzzer" has
 * the same table. A difference not listed here fails the suite; a listed case must give exactly this.
 */

export interface Documented {
  readonly gatehouse: string;
  readonly reason: string;
}

export const DOCUMENTED: Readonly<Record<string, Documented>> = {};
