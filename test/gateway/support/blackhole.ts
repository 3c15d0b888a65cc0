/**
 * A port where TCP connects time out, on loopback: a listener with a backlog of 1 in a Node child process
 * whose main thread sleeps in Atomics.wait right after listening, so nothing is ever accepted. A couple of
 * connections fill its accept queue; after that the kernel drops further SYNs.
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

const SCRIPT = `const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000));
});`;

export interface Blackhole {
  readonly port: number;
  close(): void;
}

/** Starts the never-accepting listener and fills its accept queue. */
export async function startBlackhole(): Promise<Blackhole> {
  const sleeper = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const held: Socket[] = [];
  const port = await new Promise<number>((resolve) => sleeper.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  for (let i = 0; i < 6; i++) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      held.push(socket);
      socket.on('error', () => resolve(false));
      const timer = setTimeout(() => resolve(false), 300);
      socket.once('connect', () => (clearTimeout(timer), resolve(true)));
    });
    if (!connected) break; // the queue is full: SYNs are dropped from now on
  }
  return {
    port,
    close() {
      held.forEach((s) => s.destroy());
      sleeper.kill('SIGKILL');
    },
  };
}
