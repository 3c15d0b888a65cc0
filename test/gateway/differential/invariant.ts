/**
 * Gatehouse's invariant over a whole run: each request the backend received is exactly one request the
 * client sent (as the strict parser reads the client's bytes) and exactly one request Gatehouse admitted
 * (an access-log line with a server, tied by the request ID the gateway added, or by method and path for
 * requests without one), with the head Gatehouse's checks saw; no request for /private without a valid
 * token; no byte of one case in another case's request or answer.
 */
import type { Case } from './corpus/index.js';
import type { BackendConnection, BackendRequest } from './recording-backend.js';
import type { Exchange } from './client.js';
import { markersIn, ownersIn, type Marker } from './markers.js';
import { header, parseRequest, type ParsedRequest } from './strict-parser.js';
import { headDifferences } from './expected-head.js';

export interface Violation {
  readonly case: string;
  readonly problem: string;
}

export interface ClientRequest extends ParsedRequest {
  /** The upgrade request answered 101 by the backend (`up=101`) that this request follows, if any. */
  readonly afterUpgrade: ParsedRequest | undefined;
}

/**
 * The requests of a client's bytes, in order, as the strict parser reads them (up to an error). Requests
 * that follow an upgrade the backend answers 101 are listed with it: they are requests only if the proxy
 * did not switch (it refused the upgrade and went on with HTTP).
 */
export function clientRequests(bytes: Buffer): ClientRequest[] {
  const out: ClientRequest[] = [];
  let rest = bytes;
  let afterUpgrade: ParsedRequest | undefined;
  while (rest.length > 0) {
    // a client may send empty lines before a request (RFC 9112 §2.2)
    while (rest[0] === 0x0a || (rest[0] === 0x0d && rest[1] === 0x0a)) rest = rest.subarray(rest[0] === 0x0a ? 1 : 2);
    const step = parseRequest(rest);
    if (step.kind !== 'request') break;
    out.push({ ...step.request, afterUpgrade });
    rest = rest.subarray(step.used);
    if (afterUpgrade === undefined && step.request.upgrade && /[?&]up=101/.test(step.request.target)) afterUpgrade = step.request;
  }
  return out;
}

function decodeOnce(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

function resolveDots(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') out.pop();
    else if (segment !== '.' && segment !== '') out.push(segment);
  }
  return `/${out.join('/')}`;
}

/**
 * Whether a target could mean /private to some server: HAProxy's `path_beg /private` on the raw path, or
 * the same after percent-decoding (twice), `\` as `/`, `;` parameters removed, dot segments resolved.
 */
export function looksPrivate(target: string): boolean {
  let path = target.split('?')[0] as string;
  const absolute = /^[a-z]+:\/\/[^/]*/i.exec(path);
  if (absolute !== null) path = path.slice(absolute[0].length) || '/';
  const candidates = new Set<string>();
  for (let p = path, i = 0; i < 3; i++, p = decodeOnce(p)) {
    for (const q of [p, p.replace(/\\/g, '/')]) {
      candidates.add(q);
      candidates.add(resolveDots(q));
      const noParams = q.split('/').map((s) => s.split(';')[0]).join('/');
      candidates.add(resolveDots(noParams));
    }
  }
  for (const c of candidates) if (c.startsWith('/private')) return true;
  return false;
}

/** The request (or smuggled) marker of a request: in its target, or in its X-M header (`OPTIONS *`, CONNECT). */
function requestMarkerOf(req: ParsedRequest): Marker | undefined {
  return markersIn(`${req.target} ${header(req.headers, 'x-m') ?? ''}`).find((m) => m.kind !== 'owner');
}

interface LogLine {
  readonly method: string;
  readonly path: string;
  readonly server?: string;
  readonly request_id?: string;
}

export interface InvariantInput {
  readonly cases: readonly Case[];
  readonly exchanges: ReadonlyMap<number, Exchange>;
  readonly connections: readonly BackendConnection[];
  readonly requests: readonly BackendRequest[];
  readonly accessLog: ReadonlyArray<Record<string, unknown>>;
  readonly token: string;
  readonly subject: string;
  readonly substitute: (s: string) => string;
}

export function checkInvariant(input: InvariantInput): Violation[] {
  const violations: Violation[] = [];
  const byId = new Map(input.cases.map((c) => [c.id, c]));
  const caseName = (owners: Iterable<number>) => [...owners].map((o) => byId.get(o)?.name ?? `owner ${o}`).join(' + ') || '(no marker)';
  const clientSide = new Map<number, ClientRequest[]>();
  const clientOf = (c: Case) => {
    let list = clientSide.get(c.id);
    if (list === undefined) {
      const bytes = Buffer.from(c.send.filter((p): p is string => typeof p === 'string').map(input.substitute).join(''), 'latin1');
      list = clientRequests(bytes);
      clientSide.set(c.id, list);
    }
    return list;
  };
  const admitted = input.accessLog.filter((l) => l.log === 'access' && typeof l.server === 'string') as unknown as LogLine[];
  const byRequestId = new Map<string, LogLine>();
  for (const line of admitted) if (line.request_id !== undefined) byRequestId.set(line.request_id, line);
  const used = new Set<LogLine>();

  for (const conn of input.connections) {
    if (conn.error !== undefined) {
      const text = Buffer.concat(conn.raw).toString('latin1');
      violations.push({ case: caseName(ownersIn(text)), problem: `the backend could not parse what Gatehouse sent on connection ${conn.id}: ${conn.error}` });
    }
  }
  for (const req of input.requests) {
    const text = req.raw.toString('latin1');
    const owners = ownersIn(text);
    const where = caseName(owners);
    const show = `${req.method} ${req.target.slice(0, 80)}`;
    if (owners.size !== 1) {
      violations.push({ case: where, problem: `backend request ${show} carries ${owners.size === 0 ? 'no marker' : 'the markers of several cases'}` });
      continue;
    }
    const c = byId.get([...owners][0] as number) as Case;
    const marker = requestMarkerOf(req);
    const sent = marker === undefined ? undefined : clientOf(c).find((r) => {
      const m = requestMarkerOf(r);
      return m?.kind === marker.kind && m.index === marker.index;
    });
    if (sent === undefined) {
      const what = marker?.kind === 'smuggled' ? 'text the client sent inside a body' : 'not a request the client sent';
      violations.push({ case: where, problem: `backend request ${show} is ${what} (strict reading of the client's bytes)` });
      continue;
    }
    if (sent.afterUpgrade !== undefined) {
      const upgradeMarker = requestMarkerOf(sent.afterUpgrade);
      const switched = input.requests.some((r) => r !== req && requestMarkerOf(r)?.index === upgradeMarker?.index && ownersIn(r.raw.toString('latin1')).has(c.id));
      if (switched) violations.push({ case: where, problem: `backend request ${show} was sent after an upgrade the backend answered 101: tunnel bytes forwarded as a request` });
    }
    const id = header(req.headers, 'x-request-id');
    const path = req.target.split('?')[0] as string;
    let line = id === undefined ? undefined : byRequestId.get(id);
    if (line === undefined && id === undefined) line = admitted.find((l) => !used.has(l) && l.method === req.method && l.path === path);
    if (line === undefined || used.has(line)) {
      violations.push({ case: where, problem: `backend request ${show} matches no request Gatehouse admitted (access log${id === undefined ? ', no request ID' : `, request ID ${id}`})` });
    } else {
      used.add(line);
      if (line.method !== req.method || line.path !== path) violations.push({ case: where, problem: `backend request ${show} was admitted as ${line.method} ${line.path}` });
    }
    const differences = headDifferences(sent, req);
    if (differences.length > 0) {
      const more = differences.length > 3 ? ` (and ${differences.length - 3} more)` : '';
      violations.push({ case: where, problem: `backend request ${show} differs from the client's: ${differences.slice(0, 3).join('; ')}${more}` });
    }
    const valid = sent.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1] === `Bearer ${input.token}`;
    if (looksPrivate(sent.target) && !valid) violations.push({ case: where, problem: `a request for ${sent.target.slice(0, 60)} reached the backend without a valid token` });
    const userId = header(req.headers, 'x-user-id');
    if (userId !== undefined && (!valid || userId !== input.subject)) violations.push({ case: where, problem: `the backend got X-User-Id ${JSON.stringify(userId)} that no valid token gave` });
    for (const [n] of req.headers) if (n.includes('_')) violations.push({ case: where, problem: `a header name with "_" reached the backend: ${n}` });
  }
  for (const c of input.cases) {
    const exchange = input.exchanges.get(c.id);
    if (exchange === undefined) continue;
    const foreign = [...ownersIn(exchange.text)].filter((o) => o !== c.id);
    if (foreign.length > 0) violations.push({ case: c.name, problem: `the client's answer carries bytes of ${caseName(foreign)}` });
  }
  return violations;
}
