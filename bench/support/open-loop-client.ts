/**
 * The latency suite's load generator, run as its own process (`node open-loop-client.js '<json>'`):
 * open-loop constant-rate load in the manner of wrk2. Request i is *scheduled* at t0 + i / rate and
 * assigned to connection i mod N; its latency is measured from that scheduled time, not from when it
 * could be sent, so a stall that holds a connection also counts for every request that had to wait
 * behind it (coordinated-omission correction). HTTP/1.1 keep-alive on raw sockets (plain or TLS, one
 * request in flight per connection, the rest queued on that connection). HTTP/2 is driven by h2load
 * (./h2load-rate.ts), not by this client.
 * Prints one JSON line: the histogram (µs), counts, and the client's own scheduling lag and CPU use.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { LatencyHistogram } from './histogram.js';

export interface ClientOptions {
  readonly protocol: 'http1' | 'http1-tls';
  readonly port: number;
  readonly connections: number;
  readonly rate: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Optional file of bearer tokens, one a line, sent round-robin in request order. */
  readonly tokensFile?: string;
}

export interface ClientResult {
  readonly histogram: ReturnType<LatencyHistogram['toJSON']>;
  readonly scheduled: number;
  readonly completed: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Requests still unanswered 5 s after the end: recorded at their age then, and counted here. */
  readonly unanswered: number;
  readonly achievedRate: number;
  /** The client's own worst lateness in issuing a due request (ms): large values mean the client, not the target, lagged. */
  readonly clientLagMaxMs: number;
  readonly clientCpuS: number;
  /** The measured window in wall-clock ms since the epoch. */
  readonly measuredFrom: number;
  readonly measuredTo: number;
}

const o = JSON.parse(process.argv[2] as string) as ClientOptions;
const tokens = o.tokensFile === undefined ? undefined : readFileSync(o.tokensFile, 'utf8').split('\n').filter((l) => l.length > 0);
const hist = new LatencyHistogram();
let completed = 0;
let non2xx = 0;
let errors = 0;
let t0 = 0;
let measureFrom = 0;
let stopAt = 0;

const record = (scheduled: number, status: number) => {
  if (scheduled >= measureFrom && scheduled < stopAt) {
    hist.record((performance.now() - scheduled) * 1000);
    completed++;
    if (status < 200 || status > 399) non2xx++;
  }
};

interface Conn {
  send(i: number, scheduled: number): void;
  outstanding(): number[];
}

function http1Request(i: number): Buffer {
  const auth = tokens === undefined ? '' : `Authorization: Bearer ${tokens[i % tokens.length]}\r\n`;
  return Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${o.port}\r\n${auth}\r\n`);
}
const prebuilt = tokens === undefined ? [http1Request(0)] : tokens.map((_, i) => http1Request(i));

function http1Conn(): Conn {
  const queue: number[] = []; // scheduled times: the head is in flight
  let socket: Socket;
  let buf: Buffer = Buffer.alloc(0);
  const requestIndex: number[] = [];
  const open = () => {
    socket = o.protocol === 'http1-tls' ? tlsConnect({ host: '127.0.0.1', port: o.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }) : netConnect({ host: '127.0.0.1', port: o.port });
    socket.setNoDelay(true);
    buf = Buffer.alloc(0);
    socket.on('data', onData);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      // requests lost with the connection are errors; reconnect and go on with the queue
      if (queue.length > 0) {
        errors++;
        queue.shift();
        requestIndex.shift();
      }
      if (performance.now() < stopAt) {
        open();
        if (queue.length > 0) socket.write(prebuilt[(requestIndex[0] as number) % prebuilt.length] as Buffer);
      }
    });
  };
  const onData = (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (length === null) throw new Error(`response without Content-Length:\n${head}`);
      const total = end + 4 + Number(length[1]);
      if (buf.length < total) return;
      buf = buf.subarray(total);
      const status = Number(head.slice(9, 12));
      record(queue.shift() as number, status);
      requestIndex.shift();
      if (queue.length > 0) socket.write(prebuilt[(requestIndex[0] as number) % prebuilt.length] as Buffer);
    }
  };
  open();
  return {
    send(i, scheduled) {
      queue.push(scheduled);
      requestIndex.push(i);
      if (queue.length === 1) socket.write(prebuilt[i % prebuilt.length] as Buffer);
    },
    outstanding: () => queue,
  };
}

const conns: Conn[] = Array.from({ length: o.connections }, () => http1Conn());
await new Promise((r) => setTimeout(r, 300)); // connections (and TLS handshakes) before the clock starts

const cpuBefore = process.cpuUsage();
t0 = performance.now();
measureFrom = t0 + o.warmupSeconds * 1000;
stopAt = measureFrom + o.seconds * 1000;
const intervalMs = 1000 / o.rate;
let next = 0;
let lagMax = 0;
await new Promise<void>((done) => {
  const tick = () => {
    const now = performance.now();
    for (let due = t0 + next * intervalMs; due <= now && due < stopAt; due = t0 + next * intervalMs) {
      if (due >= measureFrom) lagMax = Math.max(lagMax, now - due);
      (conns[next % conns.length] as Conn).send(next, due);
      next++;
    }
    const dueNext = t0 + next * intervalMs;
    if (dueNext >= stopAt) return done();
    setTimeout(tick, Math.max(0, dueNext - performance.now()));
  };
  tick();
});
// answers still coming: wait up to 5 s, then record what is left at its age
const scheduledInWindow = Math.max(0, Math.ceil((stopAt - measureFrom) / intervalMs));
const deadline = performance.now() + 5_000;
while (completed + errors < scheduledInWindow && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
let unanswered = 0;
for (const conn of conns) {
  for (const scheduled of conn.outstanding()) {
    if (scheduled >= measureFrom && scheduled < stopAt) {
      hist.record((performance.now() - scheduled) * 1000);
      unanswered++;
    }
  }
}
const cpu = process.cpuUsage(cpuBefore);
const result: ClientResult = {
  histogram: hist.toJSON(),
  scheduled: scheduledInWindow,
  completed,
  non2xx,
  errors,
  unanswered,
  achievedRate: completed / o.seconds,
  clientLagMaxMs: Math.round(lagMax * 100) / 100,
  clientCpuS: (cpu.user + cpu.system) / 1e6,
  measuredFrom: Math.round(performance.timeOrigin + measureFrom),
  measuredTo: Math.round(performance.timeOrigin + stopAt),
};
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
