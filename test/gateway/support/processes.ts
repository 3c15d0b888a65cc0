/** Child-process upstreams and a steady client load, for the kill/reload tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const UPSTREAM_MAIN = fileURLToPath(new URL('./upstream-main.js', import.meta.url));

export interface UpstreamProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  kill(): Promise<void>;
}

export function startUpstreamProcess(name: string, port = 0): Promise<UpstreamProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [UPSTREAM_MAIN, name, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout?.setEncoding('utf8');
    child.stdout?.once('data', (data: string) => {
      const bound = (JSON.parse(data.split('\n')[0] ?? '{}') as { port: number }).port;
      resolve({
        name,
        port: bound,
        child,
        kill: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`upstream ${name} exited with ${code}`)));
  });
}

export interface LoadResult {
  ok: number;
  failed: number;
  failures: string[];
  bodies: Map<string, number>;
}

/**
 * Runs `concurrency` request loops against `url` until stop() is called; each failure (network error or
 * non-200) is recorded. Bounded: a loop never has more than one request in flight.
 */
export function steadyLoad(url: string, concurrency: number): { stop(): Promise<LoadResult>; result: LoadResult } {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  const result: LoadResult = { ok: 0, failed: 0, failures: [], bodies: new Map() };
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const response = await request(url, { dispatcher: agent });
        const body = await response.body.text();
        if (response.statusCode === 200) {
          result.ok++;
          result.bodies.set(body, (result.bodies.get(body) ?? 0) + 1);
        } else {
          result.failed++;
          result.failures.push(`${response.statusCode} ${body.slice(0, 80)}`);
        }
      } catch (error) {
        result.failed++;
        result.failures.push(String((error as Error).message));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    result,
    async stop() {
      running = false;
      await Promise.all(loops);
      await agent.close();
      return result;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
