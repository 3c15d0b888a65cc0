/**
 * Runs `gatehouse gateway` as a real child process with a config written to a temp dir, and finds the
 * ports it bound from its JSON log lines (configs use port 0).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly configPath: string;
  readonly lines: Array<Record<string, unknown>>;
  readonly stderr: string[];
  port(frontend: string): number;
  adminPort(): number | undefined;
  writeConfig(yaml: string): void;
  /** Resolves with the first log line for which `match` returns true (already seen or future). */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDir(prefix = 'gatehouse-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startGatewayProcess(yaml: string, args: string[] = [], env: Record<string, string> = {}, fileName = 'gatehouse.yaml'): Promise<GatewayProcess> {
  const dir = tempDir();
  const configPath = join(dir, fileName);
  writeFileSync(configPath, yaml);
  const child = spawn(process.execPath, [CLI, 'gateway', '--config', configPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'info', ...env },
  });
  const lines: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const waiters: Array<{ match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  let buffer = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (data: string) => {
    buffer += data;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { raw: text };
      }
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const waiter = waiters[i] as (typeof waiters)[number];
        if (waiter.match(line)) {
          waiters.splice(i, 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (data: string) => stderr.push(data));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const waitForLine = (match: (l: Record<string, unknown>) => boolean, timeoutMs = 10_000) => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr.join('')}`)), timeoutMs);
      waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`gateway exited; stderr: ${stderr.join('')}`));
      });
    });
  };
  const gateway: GatewayProcess = {
    child,
    configPath,
    lines,
    stderr,
    port(frontend) {
      const line = lines.find((l) => l.frontend === frontend && typeof l.port === 'number');
      if (line === undefined) throw new Error(`frontend ${frontend} has not logged its port`);
      return line.port as number;
    },
    adminPort() {
      return lines.find((l) => l.admin === true)?.port as number | undefined;
    },
    writeConfig(text) {
      writeFileSync(configPath, text);
    },
    waitForLine,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return gateway;
}

/** The smallest config: frontend `web` on port 0 in front of one server; `extra` adds top-level YAML. */
export function oneServerYaml(address: string, extra = ''): string {
  return `${extra}
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app: { servers: { a: { address: "${address}" } } }
`;
}

/** Starts the gateway process and waits until frontend `web` has logged its port. */
export async function startReadyGateway(yaml: string, args: string[] = []): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess(yaml, args);
  await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
  return gateway;
}

/** Waits until `count` workers have logged frontend `web` listening; returns their pids. */
export async function waitForWorkers(gateway: GatewayProcess, count: number): Promise<Set<unknown>> {
  const workers = new Set<unknown>();
  await gateway.waitForLine((l) => {
    if (l.frontend === 'web' && typeof l.port === 'number') workers.add(l.pid);
    return workers.size === count;
  });
  return workers;
}
