/**
 * The server's isolation invariant over random input: on many concurrent keep-alive connections, random
 * pipelined sequences of valid and invalid messages (long heads, bodies, chunked bodies with trailers,
 * upgrades answered either way, Connection: close, HTTP/1.0, HTTP/2.0, malformed heads and bodies, too many
 * fields), split at random points. Every message carries its own marker in its URL, fields, body and
 * trailers. A request the handler sees must carry only its own marker, and a client must receive answers
 * for its own messages only. Fixed seeds; this finds the trailer and URL carry-over of issue 15 on 393e48a.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { prng } from '../../support/prng.js';
import type { Http1Request, Http1Response } from '../../../src/gateway/http1/index.js';
import { overEach, stop } from './raw-server.js';

type Switch = (headers: string[]) => { socket: Socket; head: Buffer };

function messages(random: () => number, marker: () => string): string {
  const mk = marker();
  const h = `Host: t\r\nX-M: mk-${mk}\r\n`;
  const fields = (count: number) => Array.from({ length: count }, (_, i) => `X-${i}: mk-${mk}\r\n`).join('');
  const long = random() < 0.2 ? fields(35) : '';
  const kinds = [
    () => `GET /m/${mk} HTTP/1.1\r\n${h}${long}\r\n`,
    () => `POST /m/${mk} HTTP/1.1\r\n${h}Content-Length: ${3 + mk.length}\r\n\r\nmk-${mk}`,
    () => `POST /m/${mk} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\n\r\n${(3 + mk.length).toString(16)}\r\nmk-${mk}\r\n0\r\nX-Trailer: mk-${mk}\r\nAuthorization: mk-${mk}\r\n${long}\r\n`,
    () => `GET /m/${mk} HTTP/1.1\r\n${h}Upgrade: x\r\nConnection: Upgrade\r\n\r\n`,
    () => `GET /m/${mk} HTTP/1.1\r\n${h}Connection: close\r\n\r\n`,
    () => `GET /m/${mk} HTTP/1.0\r\n${h}\r\n`,
    () => `GET /m/${mk} HTTP/2.0\r\n${h}\r\n`,
    () => `GET /m/${mk} HTTP/1.1\r\n${h}Bad Header: mk-${mk}\r\n\r\n`,
    () => `POST /m/${mk} HTTP/1.1\r\n${h}Transfer-Encoding: chunked\r\n\r\nzz\r\n`,
    () => `GET /m/${mk} HTTP/1.1\r\n${h}${fields(45)}\r\n`,
  ];
  return (kinds[Math.floor(random() * kinds.length)] as () => string)();
}

overEach('over random pipelined sequences on 20 concurrent connections, no request or answer carries another message\'s marker', async ({ serve, connect }) => {
  const random = prng(15);
  const problems: string[] = [];
  let handled = 0;
  const handler = (req: Http1Request, res: Http1Response): void => {
    handled++;
    const marker = /^\/m\/(\w+)$/.exec(req.url)?.[1];
    if (marker === undefined) problems.push(`a URL made of more than one message: ${req.url}`);
    for (const value of [...req.rawHeaders, ...req.rawTrailers]) {
      const other = /mk-(\w+)/.exec(value)?.[1];
      if (other !== undefined && other !== marker) problems.push(`${other}'s field in ${marker}'s request`);
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      for (const other of Buffer.concat(chunks).toString().match(/mk-\w+/g) ?? []) if (other !== `mk-${marker}`) problems.push(`${other}'s body in ${marker}'s request`);
      setTimeout(() => {
        if (res.destroyed) return;
        if (req.upgrade && random() < 0.3) {
          const { socket } = (res.switchProtocols as Switch)(['Upgrade', 'x', 'Connection', 'Upgrade']);
          socket.on('error', () => undefined);
          socket.on('end', () => socket.destroy()).resume(); // the server is half-open: the new owner reads to the end and closes
          socket.end(`[answer ${marker}]`);
        } else res.end(`[answer ${marker}]`);
      }, Math.floor(random() * 5));
    });
  };
  const { server, port } = await serve(handler, undefined, { maxHeaderFields: 40 });
  let next = 0;
  const marker = () => `c${next++}`;
  const client = () =>
    new Promise<void>((resolve) => {
      const own = new Set<string>();
      let received = '';
      const socket: Socket = connect(port, async () => {
        let all = '';
        for (let i = 1 + Math.floor(random() * 6); i > 0; i--) {
          const text = messages(random, marker);
          own.add(`c${next - 1}`);
          all += text;
        }
        for (let at = 0; at < all.length && !socket.destroyed; ) {
          const length = 1 + Math.floor(random() * 200);
          socket.write(all.slice(at, at + length));
          at += length;
          if (random() < 0.3) await new Promise((r) => setTimeout(r, 1));
        }
        setTimeout(() => socket.destroy(), 100);
      });
      socket.setEncoding('latin1');
      socket.on('error', () => undefined);
      socket.on('data', (data: string) => (received += data));
      socket.on('close', () => {
        for (const match of received.matchAll(/\[answer (\w+)\]/g)) if (!own.has(match[1] as string)) problems.push(`a client got the answer to ${match[1]}`);
        resolve();
      });
    });
  try {
    for (let round = 0; round < 30; round++) await Promise.all(Array.from({ length: 20 }, client));
    assert.deepEqual(problems.slice(0, 10), []);
    assert.ok(handled > 300, `${handled} requests handled of ${next} messages`);
  } finally {
    await stop(server);
  }
});
