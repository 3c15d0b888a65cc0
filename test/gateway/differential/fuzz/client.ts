/**
 * One fuzz client: keep-alive connections to the gateway, batches of messages (grammar.ts) written in one
 * or a few writes, answers read until every answerable message got one (and, after a terminal message,
 * until the close). Checks, at the client, that no byte of another client arrives and that each answer
 * from the backend names the message it answers.
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { markersIn } from '../markers.js';
import { parseResponses } from '../response-parser.js';
import { batch, type Message } from './grammar.js';

export interface FuzzViolation {
  readonly client: number;
  readonly problem: string;
  /** Everything this client wrote on the connection, in order (the reproduction). */
  readonly transcript: string[];
}

export interface ClientStats {
  messages: number;
  connections: number;
  /** Answerable messages that got no answer before the connection closed or the wait ended. */
  unanswered: number;
}

export interface ClientContext {
  readonly port: number;
  /** HTTP/1.1 over TLS (ALPN `http/1.1`; the gateway's certificate is not verified). */
  readonly tls: boolean;
  readonly random: () => number;
  /** Called when a message is about to be sent (the backend checks against this registry). */
  readonly sent: (client: number, message: Message) => void;
  readonly violation: (v: FuzzViolation) => void;
  readonly waitMs: number;
}

interface Connection {
  socket: Socket;
  text: string;
  closed: boolean;
  transcript: string[];
  wake: (() => void) | undefined;
}

function open(port: number, tls: boolean): Promise<Connection> {
  return new Promise((resolve) => {
    const socket = tls ? tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }) : connect({ host: '127.0.0.1', port });
    const conn: Connection = { socket, text: '', closed: false, transcript: [], wake: undefined };
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      conn.text += d.toString('latin1');
      conn.wake?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      conn.closed = true;
      conn.wake?.();
    });
    socket.once(tls ? 'secureConnect' : 'connect', () => resolve(conn));
  });
}

/** Resolves when `done()` holds, the connection closes, or `ms` pass (false). */
function until(conn: Connection, done: () => boolean, ms: number): Promise<boolean> {
  if (done()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => ((conn.wake = undefined), resolve(false)), ms);
    conn.wake = () => {
      if (!done() && !conn.closed) return;
      clearTimeout(timer);
      conn.wake = undefined;
      resolve(done());
    };
  });
}

/** Sends batches until `budget()` says stop. */
export async function runClient(k: number, ctx: ClientContext, budget: () => boolean, stats: ClientStats): Promise<void> {
  let seq = 0;
  let conn: Connection | undefined;
  while (budget()) {
    if (conn === undefined || conn.closed) {
      conn = await open(ctx.port, ctx.tls);
      stats.connections++;
    }
    const messages = batch(ctx.random, k, () => seq++);
    const start = conn.text.length;
    const bytes = messages.map((m) => m.text).join('');
    for (const m of messages) ctx.sent(k, m);
    stats.messages += messages.length;
    // one write, or the same bytes cut at random places
    const cuts = ctx.random() < 0.3 ? [Math.floor(ctx.random() * bytes.length)].sort((a, b) => a - b) : [];
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      conn.transcript.push(bytes.slice(from, cut));
      conn.socket.write(Buffer.from(bytes.slice(from, cut), 'latin1'));
      from = cut;
    }
    const last = messages[messages.length - 1] as Message;
    if (last.kind === 'early-close') {
      conn.socket.destroy();
      conn = undefined;
      continue;
    }
    const answerable = messages.filter((m) => m.answered);
    const heads = messages.filter((m) => m.answered).map((m) => m.head);
    const read = () => parseResponses(conn!.text.slice(start), (i) => heads[i] === true, conn!.closed);
    const complete = () => read().statuses.length >= answerable.length && (!last.terminal || conn!.closed);
    const finished = await until(conn, complete, ctx.waitMs);
    const stream = read();
    check(k, ctx, conn, messages, answerable, stream.responses.filter((r) => r.status >= 200 || r.status === 101).map((r) => r.body + r.headers.map(([n, v]) => `${n}:${v}`).join(' ') + r.trailers.map(([n, v]) => `${n}:${v}`).join(' ')), stream.rest);
    if (stream.statuses.length < answerable.length && !last.terminal) stats.unanswered += answerable.length - stream.statuses.length;
    if (!finished || last.terminal || stream.statuses.length < answerable.length) {
      conn.socket.destroy();
      conn = undefined;
    }
  }
  conn?.socket.destroy();
}

function check(k: number, ctx: ClientContext, conn: Connection, messages: Message[], answerable: Message[], answers: string[], rest: string): void {
  const fail = (problem: string) => ctx.violation({ client: k, problem, transcript: [...conn.transcript] });
  const all = answers.join('\n') + rest;
  for (const m of markersIn(all)) {
    if (m.owner === k) continue;
    const at = all.indexOf(`~C${m.owner}`);
    return fail(`client ${k} received bytes of client ${m.owner}: ${JSON.stringify(all.slice(Math.max(0, at - 80), at + 40))}`);
  }
  for (let i = 0; i < answers.length && i < answerable.length; i++) {
    const seen = markersIn(answers[i] as string).filter((m) => m.kind === 'request').map((m) => m.index);
    const expected = (answerable[i] as Message).seq;
    if (seen.length > 0 && !seen.every((s) => s === expected)) {
      return fail(`answer ${i} of a batch names request(s) ${[...new Set(seen)].join(',')} of client ${k}, expected ${expected}: answers are out of step with requests`);
    }
  }
  void messages;
}
