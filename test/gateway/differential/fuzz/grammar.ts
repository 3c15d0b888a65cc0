/**
 * The fuzzer's grammar of request messages. Every message of client k carries k's marker in its path
 * (`~Ck Rseq~`), in a header and in its body; request-shaped text hidden in a body carries `~Ck Sseq~`.
 * A message is valid (the gateway must forward it and answer it), terminal (the connection ends after
 * it: Connection: close, HTTP/1.0, an invalid message, an early close) or both.
 */
import { ownerMarker, requestMarker, smuggledMarker } from '../markers.js';

export type Kind = 'get' | 'post' | 'chunked' | 'head' | 'expect' | 'private' | 'close' | 'http10' | 'upgrade' | 'invalid' | 'early-close';

export interface Message {
  readonly seq: number;
  readonly kind: Kind;
  readonly text: string;
  /** The gateway must forward it (a backend request with its marker is expected, but not required). */
  readonly valid: boolean;
  /** Gets one final answer (before any close). */
  readonly answered: boolean;
  /** The connection ends after it. */
  readonly terminal: boolean;
  readonly head: boolean;
}

const BACKEND_MODES = ['cl', 'cl', 'chunked', 'close', 'cont', 'slow'];
const EXTRA_HEADERS = ['Accept: */*\r\n', 'User-Agent: fuzz\r\n', 'Cookie: a=1\r\n', 'X-Dup: 1\r\nX-Dup: 2\r\n', 'Accept-Encoding: identity\r\n', ''];
const H = 'Host: gw.test\r\n';

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function smuggle(k: number, seq: number): string {
  return `GET /private/${smuggledMarker(k, seq)} HTTP/1.1\r\n${H}X-Client: ${ownerMarker(k)}\r\n\r\n`;
}

/** Invalid messages: each is refused by a strict parser before any request of it is complete. */
function invalid(random: () => number, k: number, seq: number, target: string, mine: string): string {
  const body = `${mine}${smuggle(k, seq)}`;
  switch (Math.floor(random() * 8)) {
    case 0: return `POST ${target} HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggle(k, seq)}`;
    case 1: return `POST ${target} HTTP/1.1\r\n${H}Content-Length: 5, 6\r\n\r\n${body}`;
    case 2: return `POST ${target} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`;
    case 3: return `GET ${target} HTTP/1.1\r\n${H}X-Fold: a\r\n b\r\n\r\n`;
    case 4: return `GET ${target} HTTP/1.1\r\n${H}X-Bad : ${mine}\r\n\r\n`;
    case 5: return `GET ${target} HTTP/1.1\nHost: gw.test\n\n`;
    case 6: return `\x00\x01garbage ${mine}\r\n\r\n`;
    default: return `POST ${target} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Bad Trailer: ${mine}\r\n\r\n`;
  }
}

export function message(random: () => number, k: number, seq: number): Message {
  const mine = ownerMarker(k);
  const be = pick(random, BACKEND_MODES);
  const target = `/fz/${requestMarker(k, seq)}?be=${be}`;
  const headers = `${H}X-Client: ${mine}\r\n${pick(random, EXTRA_HEADERS)}`;
  const body = `body of ${mine} `.repeat(1 + Math.floor(random() * 4));
  const r = random();
  const m = (kind: Kind, text: string, o: Partial<Pick<Message, 'valid' | 'answered' | 'terminal' | 'head'>> = {}): Message =>
    ({ seq, kind, text, valid: o.valid ?? true, answered: o.answered ?? true, terminal: o.terminal ?? false, head: o.head ?? false });
  if (r < 0.3) return m('get', `GET ${target} HTTP/1.1\r\n${headers}\r\n`);
  if (r < 0.45) return m('post', `POST ${target} HTTP/1.1\r\n${headers}Content-Length: ${body.length}\r\n\r\n${body}`);
  if (r < 0.57) {
    const trailers = random() < 0.5 ? `X-Trailer: ${mine}\r\nAuthorization: Bearer ${mine}\r\n` : '';
    const half = body.length >> 1;
    return m('chunked', `POST ${target} HTTP/1.1\r\n${headers}Transfer-Encoding: chunked\r\n\r\n${half.toString(16)}\r\n${body.slice(0, half)}\r\n${(body.length - half).toString(16)}\r\n${body.slice(half)}\r\n0\r\n${trailers}\r\n`);
  }
  if (r < 0.62) return m('head', `HEAD ${target} HTTP/1.1\r\n${headers}\r\n`, { head: true });
  if (r < 0.66) return m('expect', `PUT ${target} HTTP/1.1\r\n${headers}Expect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  if (r < 0.72) return m('private', `GET /private${target} HTTP/1.1\r\n${headers}\r\n`, { valid: false });
  if (r < 0.75) return m('close', `GET ${target} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`, { terminal: true });
  if (r < 0.78) return m('http10', `GET ${target} HTTP/1.0\r\n${headers}\r\n`, { terminal: true });
  if (r < 0.82) return m('upgrade', `GET ${target} HTTP/1.1\r\n${headers}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  if (r < 0.96) return m('invalid', invalid(random, k, seq, target, mine), { valid: false, answered: false, terminal: true });
  const full = `POST ${target} HTTP/1.1\r\n${headers}Content-Length: ${body.length + 50}\r\n\r\n${body}`;
  return m('early-close', full, { valid: false, answered: false, terminal: true });
}

/** 1–4 messages, cut at the first terminal one. */
export function batch(random: () => number, k: number, nextSeq: () => number): Message[] {
  const out: Message[] = [];
  const n = 1 + Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    const msg = message(random, k, nextSeq());
    out.push(msg);
    if (msg.terminal) break;
  }
  return out;
}
