/** Helpers for the end-to-end walkthrough: free ports, real curl, hand-made tokens, the IdP's admin API. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';

/** What `gatehouse up` prints last, once everything answers. */
export const READY = /Press Ctrl-C to stop\./;
/** Generous: CI machines and this shared one can be slow to start three parts. */
export const START_TIMEOUT_MS = 90_000;

/** The fields of `<data-dir>/demo.json` the tests use. */
export interface Demo {
  issuer: string;
  applicationId: string;
  apiKey: string;
  loginId: string;
  password: string;
  gatewayUrl: string;
  idpUrl: string;
  echoUrl: string;
  userId: string;
  adminApiKey: string;
}

export function readDemo(dataDir: string): Demo {
  return JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as Demo;
}

/** Ports that were free a moment ago (bound on port 0, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = createServer();
      return new Promise<ReturnType<typeof createServer>>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

export interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command line exactly as a user would paste it into a terminal (sh -c). */
export function shell(commandLine: string, timeoutMs = 20_000): Promise<ShellResult> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', commandLine], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** First status line of `curl -I` / `curl -i` output, without the CR. */
export function statusLine(curlOutput: string): string {
  return (curlOutput.split('\n')[0] ?? '').replace(/\r$/, '');
}

export function headerValue(curlOutput: string, name: string): string | undefined {
  const line = curlOutput.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** An unsigned token: `alg: none`, empty signature. */
export function noneToken(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

/** RS256 tokens signed with a key the identity provider never saw. */
export async function foreignSigner(): Promise<(header: Record<string, unknown>, claims: Record<string, unknown>) => Promise<string>> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  return (header, claims) =>
    new SignJWT(claims).setProtectedHeader({ ...header, alg: 'RS256' } as { alg: string }).sign(privateKey);
}

export interface AdminApi {
  request(method: string, path: string, body?: unknown, tenantId?: string): Promise<{ status: number; json: any }>;
}

export function adminApi(idpUrl: string, apiKey: string): AdminApi {
  return {
    async request(method, path, body, tenantId) {
      const response = await fetch(`${idpUrl}${path}`, {
        method,
        headers: {
          authorization: apiKey,
          ...(tenantId === undefined ? {} : { 'x-fusionauth-tenantid': tenantId }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
    },
  };
}
