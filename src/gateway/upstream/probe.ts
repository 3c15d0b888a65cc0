/**
 * A health-check request over a server's own pool (the same connections and TLS settings as traffic):
 * resolves with the status once the whole response has been read, rejects with the error's code, or
 * with ERR_UPSTREAM_RESPONSE_TIMEOUT after `timeout` ms.
 */
import { responseTimeout } from './errors.js';
import type { UpstreamPool } from './pool.js';
import type { UpstreamHandler } from './types.js';

class ProbeHandler implements UpstreamHandler {
  private status = 0;
  private abort: ((reason?: Error) => void) | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly resolve: (status: number) => void, private readonly reject: (error: Error) => void, timeout: number) {
    this.timer = setTimeout(() => this.abort?.(responseTimeout(timeout)), timeout);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abort = abort;
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    clearTimeout(this.timer);
    this.resolve(this.status);
  }

  onError(error: Error): void {
    clearTimeout(this.timer);
    this.reject(error);
  }
}

export function probe(pool: UpstreamPool, method: string, path: string, headers: readonly string[], timeout: number): Promise<number> {
  return new Promise((resolve, reject) => {
    pool.dispatch({ method, path, headers, body: null }, new ProbeHandler(resolve, reject, timeout));
  });
}
