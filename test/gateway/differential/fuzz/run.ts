/**
 * The stateful keep-alive fuzzer: a real gateway process (the differential suite's config) in front of
 * the recording backend, scripted per request to answer with varied framing, and `clients` fuzz clients
 * on keep-alive connections. The backend checks that every request it gets carries exactly one client's
 * markers and is a message that client sent as a request line (never text from a body), and that it was
 * a message the gateway may forward; the clients check that no other client's byte reaches them and
 * that answers stay in step with requests. Used by the fixed-seed test and by `npm run fuzz:http1`.
 */
import { prng } from '../../../support/prng.js';
import { markersIn, ownersIn } from '../markers.js';
import { startRecordingBackend, type BackendRequest } from '../recording-backend.js';
import { startGatehouse, type Proxy } from '../proxies.js';
import { runClient, type ClientStats, type FuzzViolation } from './client.js';
import type { Message } from './grammar.js';

export interface FuzzOptions {
  readonly seed: number;
  readonly messages: number;
  readonly clients?: number;
  /** How long a client waits for its answers before giving up on a connection. */
  readonly waitMs?: number;
  /** The gateway frontend's `server:` setting (e.g. `node`), or the default. */
  readonly server?: string;
  /** The frontend terminates TLS and the clients speak HTTP/1.1 over it (ALPN `http/1.1`). */
  readonly tls?: boolean;
  readonly onProgress?: (messages: number) => void;
  /** Keep going after the first violation (default false; at most 20 are kept). */
  readonly keepGoing?: boolean;
  /** Another proxy in place of Gatehouse (to check the fuzzer itself against a reference). */
  readonly startProxy?: (upstream: string) => Promise<Proxy>;
}

export interface FuzzSummary {
  readonly seed: number;
  readonly messages: number;
  readonly connections: number;
  readonly backendRequests: number;
  readonly unanswered: number;
  readonly violations: FuzzViolation[];
}

const MAX_VIOLATIONS = 20;


export async function fuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const clients = options.clients ?? 8;
  const sent = new Map<number, Map<number, Message>>();
  const transcripts = new Map<number, string[]>();
  const violations: FuzzViolation[] = [];
  let violationCount = 0;
  const record = (v: FuzzViolation) => {
    violationCount++;
    if (violations.length < MAX_VIOLATIONS) violations.push(v);
  };
  let backendRequests = 0;
  const onRequest = (req: BackendRequest) => {
    backendRequests++;
    const text = req.raw.toString('latin1');
    const owners = [...ownersIn(text)];
    const show = `${req.method} ${req.target.slice(0, 60)}`;
    if (owners.length !== 1) {
      record({ client: owners[0] ?? -1, problem: `the backend got ${show} carrying ${owners.length === 0 ? 'no marker' : `the markers of clients ${owners.join(', ')}`}`, transcript: transcripts.get(owners[0] ?? -1) ?? [] });
      return;
    }
    const k = owners[0] as number;
    const marker = markersIn(req.target).find((m) => m.kind !== 'owner');
    const message = marker?.kind === 'request' ? sent.get(k)?.get(marker.index) : undefined;
    if (message === undefined) {
      record({ client: k, problem: `the backend got ${show}, which client ${k} never sent as a request${marker?.kind === 'smuggled' ? ' (it was text inside a body)' : ''}`, transcript: transcripts.get(k) ?? [] });
    } else if (!message.valid) {
      record({ client: k, problem: `the backend got ${show}, a ${message.kind} message the gateway must refuse`, transcript: transcripts.get(k) ?? [] });
    }
  };
  const backend = await startRecordingBackend({
    keep: false,
    onRequest,
    onError: (conn, raw) => {
      const owners = [...ownersIn(raw.toString('latin1'))];
      record({ client: owners[0] ?? -1, problem: `the backend could not parse what the gateway sent on connection ${conn.id}: ${conn.error}`, transcript: transcripts.get(owners[0] ?? -1) ?? [] });
    },
  });
  const gateway: Proxy = await (options.startProxy ?? ((upstream: string) => startGatehouse(upstream, options.server, false, options.tls === true)))(backend.address);
  const stats: ClientStats[] = [];
  let total = 0;
  let reported = 0;
  try {
    await Promise.all(
      Array.from({ length: clients }, async (_, k) => {
        const s: ClientStats = { messages: 0, connections: 0, unanswered: 0 };
        stats.push(s);
        sent.set(k, new Map());
        const random = prng((options.seed ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0);
        await runClient(
          k,
          {
            port: gateway.port,
            tls: options.tls === true,
            random,
            waitMs: options.waitMs ?? 2_000,
            sent: (client, message) => {
              const mine = sent.get(client) as Map<number, Message>;
              mine.set(message.seq, message);
              if (mine.size > 4096) mine.delete(mine.keys().next().value as number);
              transcripts.set(client, [...(transcripts.get(client) ?? []).slice(-7), message.text]);
              total++;
              if (options.onProgress !== undefined && total - reported >= 10_000) options.onProgress((reported = total));
            },
            violation: record,
          },
          () => total < options.messages && (options.keepGoing === true || violations.length === 0),
          s,
        );
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    await gateway.stop();
    await backend.close();
  }
  return {
    seed: options.seed,
    messages: stats.reduce((n, s) => n + s.messages, 0),
    connections: stats.reduce((n, s) => n + s.connections, 0),
    backendRequests,
    unanswered: stats.reduce((n, s) => n + s.unanswered, 0),
    violations,
  };
}

/** A readable report: the summary, then each violation with its reproduction. */
export function report(summary: FuzzSummary): string {
  const lines = [
    `seed ${summary.seed}: ${summary.messages} messages on ${summary.connections} connections, ${summary.backendRequests} backend requests, ${summary.unanswered} unanswered, ${summary.violations.length} violations`,
  ];
  for (const v of summary.violations.slice(0, 5)) {
    lines.push(`- client ${v.client}: ${v.problem}`);
    lines.push(`  reproduction (the client's last writes on one connection, in order; other clients ran in parallel):`);
    for (const t of v.transcript.slice(-8)) lines.push(`    ${JSON.stringify(t.length > 400 ? `${t.slice(0, 400)}...` : t)}`);
  }
  return lines.join('\n');
}
