/** Raw TCP HTTP exchanges for inputs no well-behaved client would send (smuggling, obs-fold, trickling). */
import { connect } from 'node:net';

export interface RawResult {
  /** Everything the server sent before closing (or before the wait ended). */
  text: string;
  status: number;
  /** True when the server closed the connection. */
  closed: boolean;
}

/**
 * Sends `chunks` (with `gapMs` between them, for trickling) and collects the answer until the server
 * closes or `waitMs` passes after the last chunk.
 */
export function rawRequest(port: number, chunks: string | string[], options: { gapMs?: number; waitMs?: number } = {}): Promise<RawResult> {
  const list = typeof chunks === 'string' ? [chunks] : chunks;
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: match === null ? 0 : Number(match[1]), closed });
    };
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (text += data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', async () => {
      for (let i = 0; i < list.length; i++) {
        if (socket.destroyed) return;
        socket.write(list[i] as string);
        if (options.gapMs !== undefined && i < list.length - 1) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      timer = setTimeout(finish, options.waitMs ?? 2_000);
    });
  });
}
