/**
 * The raw client of the suite: one TCP connection per case, the case's writes with their pauses, and
 * everything the proxy sends back until it closes, or stays quiet for `idleMs` after its last byte once
 * `complete()` says every answer the client can expect is there. Before that, and before the first byte,
 * it waits up to `slowMs` (3 s) of quiet: a loaded machine may pause between answers, and a proxy that never
 * answers some request costs only that wait.
 */
import { connect } from 'node:net';
import type { Part } from './corpus/case.js';

export interface Exchange {
  /** What the proxy sent (latin1). */
  readonly text: string;
  /** The proxy closed the connection. */
  readonly closed: boolean;
}

export interface ExchangeOptions {
  readonly idleMs?: number;
  readonly slowMs?: number;
  readonly capMs?: number;
  readonly substitute?: (s: string) => string;
  /** Whether the text received so far holds every answer the client can expect. */
  readonly complete?: (text: string, closed: boolean) => boolean;
}

export function exchange(port: number, parts: readonly Part[], options: ExchangeOptions = {}): Promise<Exchange> {
  const idleMs = options.idleMs ?? 250;
  const slowMs = options.slowMs ?? 3_000;
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let closed = false;
    let writing = true;
    let idle: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(idle);
      clearTimeout(cap);
      socket.destroy();
      resolve({ text: Buffer.concat(received).toString('latin1'), closed });
    };
    const cap = setTimeout(finish, options.capMs ?? 8_000);
    const arm = () => {
      clearTimeout(idle);
      if (writing) return;
      const done = received.length > 0 && (options.complete?.(Buffer.concat(received).toString('latin1'), false) ?? true);
      idle = setTimeout(finish, done ? idleMs : slowMs);
    };
    socket.on('data', (data: Buffer) => {
      received.push(data);
      arm();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        if (typeof part === 'number') await new Promise((r) => setTimeout(r, part));
        else socket.write(Buffer.from(options.substitute === undefined ? part : options.substitute(part), 'latin1'));
      }
      writing = false;
      arm();
    });
  });
}

/** Runs `tasks` with at most `limit` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
