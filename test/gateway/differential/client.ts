/**
 * The raw client of the suite: one TCP connection per case, the case's writes with their pauses, and
 * everything the proxy sends back until it closes, or stays quiet for `idleMs` after the last byte it
 * sent, or sends nothing for `firstByteMs` after the last write (a loaded machine may take a while to
 * start answering; once answers flow, the gaps between them are short).
 */
import { connect } from 'node:net';
import type { Part } from './corpus/case.js';

export interface Exchange {
  /** What the proxy sent (latin1). */
  readonly text: string;
  /** The proxy closed the connection. */
  readonly closed: boolean;
}

export function exchange(port: number, parts: readonly Part[], options: { idleMs?: number; firstByteMs?: number; capMs?: number; substitute?: (s: string) => string } = {}): Promise<Exchange> {
  const idleMs = options.idleMs ?? 300;
  const firstByteMs = options.firstByteMs ?? 1_500;
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
      if (!writing) idle = setTimeout(finish, received.length === 0 ? firstByteMs : idleMs);
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
