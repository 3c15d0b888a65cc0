/**
 * `defaults [<name>] [from <name>]` sections, as HAProxy 2.6 reads them: a proxy takes its settings from
 * the last defaults section before it, or from the one its `from <name>` names; a defaults section with
 * `from` starts from that one's settings. Gatehouse's client-side timeouts (client, http-request, tunnel)
 * and access log are gateway-wide, so the defaults of every frontend must agree on them; the server-side
 * timeouts (connect, server, queue) are gateway-wide when every backend's defaults agree, else each
 * backend's `timeouts`. Backend settings a defaults section presets (balance, retries, retry-on,
 * default-server, option httpchk, http-check, timeout check…) and a frontend's maxconn are read by each
 * proxy using it before its own statements.
 */
import type { Statement } from './lexer.js';
import type { Section } from './sections.js';
import type { Diagnostics } from './diagnostics.js';
import { haproxyDuration } from './durations.js';

type Loose = Record<string, unknown>;

export interface DefaultsSet {
  readonly header: Statement;
  http: boolean;
  /** Gatehouse timeout key → value and the line it came from. */
  readonly timeouts: Map<string, { ms: number; st: Statement }>;
  httplog: Statement | undefined;
  /** `option httpclose` (→ the frontends' keep_alive: false). */
  httpclose: Statement | undefined;
  /** Statements a backend (or listen) using these defaults reads before its own (balance, retries, default-server, checks…). */
  readonly backendStatements: Statement[];
  /** Statements a frontend (or listen) using these defaults reads before its own (maxconn). */
  readonly frontendStatements: Statement[];
}

/** What HAProxy lets defaults preset for backends, which Gatehouse translates per backend. */
function backendDefault(st: Statement): boolean {
  const [keyword = '', what = ''] = st.words;
  if (['balance', 'retries', 'retry-on', 'default-server', 'http-check', 'hash-type'].includes(keyword)) return true;
  return (keyword === 'option' && (what === 'httpchk' || what === 'allbackups')) || (keyword === 'timeout' && what === 'check');
}

export const GATEWAY_TIMEOUTS: Record<string, string> = { connect: 'connect', server: 'server', queue: 'queue', client: 'client', 'http-request': 'http_request', tunnel: 'tunnel', 'http-keep-alive': 'keep_alive' };
const CLIENT_SIDE = ['client', 'http_request', 'tunnel', 'keep_alive'];
const SERVER_SIDE = ['connect', 'server', 'queue'];

/** `timeout <name> <time>` as a gateway timeout key and value; a reason when it is not one; undefined when `st` is no timeout. */
export function parseTimeout(st: Statement): { key: string; ms: number } | { problem: string; nearest: string } | undefined {
  const [keyword, name = '', value] = st.words;
  if (keyword !== 'timeout') return undefined;
  const key = GATEWAY_TIMEOUTS[name];
  const ms = haproxyDuration(value);
  if (key === undefined || ms === undefined || ms === 0 || st.words.length !== 3) {
    return { problem: `timeout ${name}`, nearest: key === undefined ? 'timeouts: connect, server, queue, client, http_request, tunnel, keep_alive' : 'a time above 0' };
  }
  return { key, ms };
}

/** Reads a defaults section (`harmless` and `extra` handle what is not a timeout or mode). */
export function readDefaults(section: Section, base: DefaultsSet | undefined, diag: Diagnostics, extra: (st: Statement) => boolean): DefaultsSet {
  const set: DefaultsSet = { header: section.header, http: base?.http ?? false, timeouts: new Map(base?.timeouts), httplog: base?.httplog, httpclose: base?.httpclose, backendStatements: [...(base?.backendStatements ?? [])], frontendStatements: [...(base?.frontendStatements ?? [])] };
  for (const st of section.statements) {
    const text = st.words.join(' ');
    if (text === 'mode http') set.http = true;
    else if (st.words[0] === 'mode') diag.error(st, 'only mode http is supported (HAProxy defaults to mode tcp: write "mode http")');
    else if (text === 'option httplog') set.httplog = st;
    else if (text === 'option httpclose') set.httpclose = st;
    else if (backendDefault(st)) set.backendStatements.push(st);
    else if (st.words[0] === 'maxconn') set.frontendStatements.push(st);
    else {
      const t = parseTimeout(st);
      if (t !== undefined && 'key' in t) set.timeouts.set(t.key, { ms: t.ms, st });
      else if (t !== undefined) diag.unsupported(st, t.problem, t.nearest);
      else if (!extra(st)) diag.unsupported(st, `"${st.words[0] ?? ''}" in defaults`);
    }
  }
  return set;
}

export interface ProxyDefaults {
  readonly kind: Section['kind'];
  readonly name: string;
  readonly defaults: DefaultsSet | undefined;
  /** A frontend's own client-side timeouts (they override its defaults'). */
  readonly own: Map<string, { ms: number; st: Statement }>;
}

/** Applies the defaults every proxy uses to the gateway-wide config and the backends (see the file comment). */
export function applyDefaults(proxies: readonly ProxyDefaults[], config: Loose, backends: Loose, diag: Diagnostics): void {
  const timeouts: Loose = {};
  const frontends = proxies.filter((p) => p.kind !== 'backend');
  for (const key of CLIENT_SIDE) {
    let chosen: { ms: number; st: Statement } | undefined;
    for (const p of frontends) {
      const value = p.own.get(key) ?? p.defaults?.timeouts.get(key);
      if (value === undefined) continue;
      if (chosen !== undefined && chosen.ms !== value.ms) {
        diag.unsupported(value.st, 'frontends with different client timeouts', `timeouts.${key} (gateway-wide)`);
        continue;
      }
      if (chosen === undefined) {
        chosen = value;
        timeouts[key] = value.ms;
        diag.from(['timeouts', key], value.st);
      }
    }
  }
  const servers = proxies.filter((p) => p.kind !== 'frontend');
  for (const key of SERVER_SIDE) {
    const values = servers.map((p) => p.defaults?.timeouts.get(key));
    const distinct = new Set(values.map((v) => v?.ms));
    if (distinct.size === 1) {
      const value = values[0];
      if (value !== undefined) {
        timeouts[key] = value.ms;
        diag.from(['timeouts', key], value.st);
      }
      continue;
    }
    // backends with different defaults: each its own (a backend's own `timeout` line wins)
    servers.forEach((p, i) => {
      const value = values[i];
      const backend = backends[p.name] as Loose | undefined;
      if (value === undefined || backend === undefined) return;
      const own = (backend.timeouts ?? {}) as Loose;
      if (own[key] !== undefined) return;
      backend.timeouts = { ...own, [key]: value.ms };
      diag.from(['backends', p.name, 'timeouts', key], value.st);
    });
  }
  if (Object.keys(timeouts).length > 0) config.timeouts = { ...(config.timeouts as Loose | undefined), ...timeouts };
  const logged = frontends.filter((p) => p.defaults?.httplog !== undefined);
  if (logged.length > 0) {
    config.access_log = true;
    diag.from(['access_log'], logged[0]!.defaults!.httplog!);
    if (logged.length < frontends.length) diag.warn(logged[0]!.defaults!.httplog!, `option httplog is in the defaults of some frontends only: Gatehouse's access log is gateway-wide (on for ${frontends.filter((p) => p.defaults?.httplog === undefined).map((p) => p.name).join(', ')} too)`);
  }
}
