/**
 * The outcome of one case on one proxy, and its signature: the class of each final answer the client got
 * (A 2xx/3xx; R a refusal: 4xx, 501, 505; E another 5xx; U 101; `x` when the connection closed without
 * any answer, `-` when it stayed open without one) and how many requests the backend received for the
 * case: `A R | fwd 1`. The servers refuse the same request with different codes (400, 414 or 431 for the
 * same excess; 401 or 403 or 400 for a path that means /private), so refusals are compared as one class:
 * what matters is what reached the backend and what the client was answered from it. The exact statuses
 * are kept for the failure report.
 */
import type { Case } from './corpus/index.js';
import type { BackendRequest } from './recording-backend.js';
import type { Exchange } from './client.js';
import { ownersIn } from './markers.js';
import { parseResponses, type ResponseStream } from './response-parser.js';

export interface Outcome {
  readonly proxy: string;
  readonly statuses: readonly number[];
  readonly closed: boolean;
  /** Backend requests of this case: `METHOD target`. */
  readonly forwarded: readonly string[];
  readonly signature: string;
  readonly responses: ResponseStream;
  readonly exchange: Exchange;
}

function statusClass(status: number): string {
  if (status === 101) return 'U';
  if (status < 400) return 'A';
  if (status < 500 || status === 501 || status === 505) return 'R';
  return 'E';
}

export function signatureOf(statuses: readonly number[], closed: boolean, forwarded: number): string {
  const answers = statuses.length === 0 ? (closed ? 'x' : '-') : statuses.map(statusClass).join(' ');
  return `${answers} | fwd ${forwarded}`;
}

/** The backend requests whose bytes carry the case's markers. */
export function requestsOfCase(requests: readonly BackendRequest[], id: number): BackendRequest[] {
  return requests.filter((r) => ownersIn(r.raw.toString('latin1')).has(id));
}

export function outcomeOf(proxy: string, c: Case, exchange: Exchange, backend: readonly BackendRequest[]): Outcome {
  const heads = new Set(c.headResponses ?? []);
  const responses = parseResponses(exchange.text, (i) => heads.has(i), exchange.closed);
  const mine = requestsOfCase(backend, c.id);
  const forwarded = mine.map((r) => `${r.method} ${r.target.length > 80 ? `${r.target.slice(0, 77)}...` : r.target}`);
  return { proxy, statuses: responses.statuses, closed: exchange.closed, forwarded, signature: signatureOf(responses.statuses, exchange.closed, mine.length), responses, exchange };
}

/** One line per proxy, for failure reports. */
export function describeOutcome(o: Outcome): string {
  const forwarded = o.forwarded.length === 0 ? 'nothing forwarded' : `forwarded ${o.forwarded.join(' ; ')}`;
  return `${o.proxy.padEnd(9)} ${o.signature.padEnd(16)} statuses [${o.statuses.join(' ')}]${o.closed ? ' closed' : ''}; ${forwarded}`;
}
