/** Child processes for the end-to-end auth tests and the JWT benchmark: started, awaited on TCP, stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { canConnect } from '../../../support/services.js';

/** A free TCP port on 127.0.0.1 (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Spawns `command` and resolves once 127.0.0.1:`port` accepts connections; fails if it exits first. */
export async function startProcess(command: string, args: string[], port: number, env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 400 && !(await canConnect('127.0.0.1', port, 200)); i++) {
    if (child.exitCode !== null) throw new Error(`${command} exited early:\n${output}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!(await canConnect('127.0.0.1', port, 500))) {
    child.kill('SIGKILL');
    throw new Error(`${command} does not listen on ${port}:\n${output}`);
  }
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
