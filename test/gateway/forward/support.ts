/**
 * For the client-header tests: a gateway in this process with a debug logger (drops are logged at debug)
 * and a raw HTTP/1.1 request whose header names go out byte for byte, answered by the echo upstream.
 */
import type { Echo } from '../support/upstream.js';
import { rawRequest } from '../support/raw-http.js';
import { startInProcess, type InProcessGateway } from '../support/in-process.js';
import type { RunningGateway } from '../../../src/gateway/index.js';

/** A gateway in this process whose log captures debug lines (where dropped headers are logged). */
export function startDebugGateway(config: Record<string, unknown>): Promise<InProcessGateway> {
  return startInProcess(config, 'web', undefined, 'debug');
}

/** The port of one of the gateway's frontends. */
export function portOf(gw: InProcessGateway, frontend: string): number {
  return gw.gateway.frontends.find((f) => f.name === frontend)?.port ?? 0;
}

/** `GET path` with exactly these header lines (name: value), Connection: close; the upstream's echo, or the status when the gateway answered. */
export async function sendHeaders(port: number, path: string, lines: readonly string[]): Promise<{ status: number; echo: Echo | undefined }> {
  const request = [`GET ${path} HTTP/1.1`, 'Host: gateway.test', ...lines, 'Connection: close', '', ''].join('\r\n');
  const answer = await rawRequest(port, request, { waitMs: 5_000 });
  const split = answer.text.indexOf('\r\n\r\n');
  const head = answer.text.slice(0, split);
  const body = /^transfer-encoding: *chunked/im.test(head) ? dechunk(answer.text.slice(split + 4)) : answer.text.slice(split + 4);
  let echo: Echo | undefined;
  try {
    const parsed = JSON.parse(body) as Echo;
    if (Array.isArray(parsed.rawHeaders)) echo = parsed;
  } catch {
    echo = undefined;
  }
  return { status: answer.status, echo };
}

function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    const size = eol < 0 ? 0 : parseInt(text.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** Every header name the upstream received, as sent (raw case), normalised as CGI stacks read it. */
export function cgiNames(echo: Echo): string[] {
  const out: string[] = [];
  for (let i = 0; i < echo.rawHeaders.length; i += 2) out.push((echo.rawHeaders[i] as string).toUpperCase().replace(/-/g, '_'));
  return out;
}

/** The value of a Prometheus sample, 0 when absent. */
export async function sample(gateway: RunningGateway, name: string, labels: Record<string, string>): Promise<number> {
  const text = (await gateway.metrics.text()).body;
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    if (want.every((w) => inside.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}
