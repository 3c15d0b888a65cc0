/**
 * The two ways the echo service answers: JSON for scripts (`Accept: application/json` or `?format=json`)
 * and readable text for people at a terminal (everything else, including curl's default `*\/*`).
 */
import type { EchoedRequest } from './describe.js';

export type EchoFormat = 'json' | 'text';

export function chooseFormat(accept: string | undefined, query: Readonly<Record<string, string | string[]>>): EchoFormat {
  const asked = query.format;
  if (asked === 'json' || asked === 'text') return asked;
  if (accept !== undefined && /\bapplication\/(?:[\w.+-]*\+)?json\b/i.test(accept)) return 'json';
  return 'text';
}

export function renderJson(echoed: EchoedRequest): string {
  return `${JSON.stringify(echoed, null, 2)}\n`;
}

function section(title: string, entries: Readonly<Record<string, string>>): string[] {
  const names = Object.keys(entries);
  if (names.length === 0) return [];
  return ['', `${title}:`, ...names.map((name) => `  ${name}: ${entries[name]}`)];
}

export function renderText(echoed: EchoedRequest): string {
  const lines = [
    `echo service "${echoed.server}" received:`,
    '',
    `  ${echoed.method} ${echoed.url} HTTP/${echoed.httpVersion}`,
    `  from ${echoed.remoteAddress}:${echoed.remotePort}`,
    ...section('Headers', echoed.headers),
  ];
  const claimNames = Object.keys(echoed.claims);
  if (claimNames.length > 0) lines.push(...section('Claims forwarded by the gateway', echoed.claims));
  else lines.push('', 'Claims forwarded by the gateway: none');
  lines.push(...section('Set by a proxy', echoed.forwarded));
  lines.push('', `Body: ${echoed.body.bytes} bytes${echoed.body.truncated ? ' (only the start is shown)' : ''}`);
  if (echoed.body.text !== undefined) lines.push(...echoed.body.text.split('\n').map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}
