/**
 * A `backend` (or the backend half of a `listen`): servers, balance, checks, retries, timeouts, as one
 * entry of the config's `backends`. Per-server `check` options become the backend's `check` block
 * (Gatehouse checks a backend's servers alike), so they must agree between servers.
 */
import type { Statement } from './lexer.js';
import { Diagnostics } from './diagnostics.js';
import { haproxyDuration } from './durations.js';
import { addAcl, parseCondition, splitCondition, type AclTest } from './conditions.js';
import { answerBlock } from './answer.js';
import { conditionMatch } from './match-terms.js';
import { HeaderStatements } from './header-statements.js';

type Loose = Record<string, unknown>;

interface CheckOptions {
  check: boolean;
  inter?: number;
  rise?: number;
  fall?: number;
}

export interface BackendAnswer {
  readonly st: Statement;
  /** `{ return }` or `{ redirect }`. */
  readonly block: Loose;
  /** The condition as match terms ([] without one). */
  readonly match: Loose[];
}

/** A server's TLS and connection options: Gatehouse has them per backend, so the servers must agree. */
interface ServerTls {
  readonly st: Statement;
  ssl?: boolean;
  verify?: string;
  ca?: string;
  sni?: string;
  maxconn?: number;
}

const SERVER_NEAREST: Record<string, string> = {
  'check-ssl': 'backends.<name>.tls (checks use the servers\' TLS)',
  crt: 'not supported (client certificates to servers)',
  alpn: 'backends.<name>.tls (HTTP/1.1 to servers)',
  'resolvers': 'servers.<name>.address (a host name is resolved at each connection)',
  cookie: 'balance: source or hdr(<name>) (no cookie persistence)',
};

const BALANCES = new Set(['roundrobin', 'leastconn', 'random', 'source', 'uri']);
const RETRY_ON: Record<string, number | string> = { '500': 500, '502': 502, '503': 503, '504': 504, 'response-timeout': 'response-timeout' };

export class BackendBuilder {
  readonly backend: Loose = {};
  private readonly servers: Loose = {};
  private readonly checks: Array<{ st: Statement; options: CheckOptions }> = [];
  private defaultServer: readonly string[] = [];
  private httpchk: { method?: string; path?: string } | undefined;
  private expectStatus: string | undefined;
  private checkTimeout: number | undefined;
  private checkHost: string | undefined;
  /** A prefix this backend's `replace-path` strips (applied to the routes that use the backend, in translate.ts). */
  stripPrefix: { prefix: string; st: Statement } | undefined;
  /** `http-request deny|return|redirect [if …]`: answers for requests routed here (made routes in translate.ts). */
  readonly answers: BackendAnswer[] = [];
  private readonly acls = new Map<string, AclTest[]>();
  private readonly serverTls: ServerTls[] = [];
  readonly headers: HeaderStatements;

  constructor(private readonly path: readonly string[], private readonly diag: Diagnostics) {
    this.headers = new HeaderStatements(diag);
  }

  /**
   * Backend `http-request` rules run after routing, on the requests routed here: `replace-path ^/prefix(/.*) \1`
   * (→ rewrite_prefix on the routes), header rules (→ request_header_rules), deny/return/redirect.
   */
  private httpRequest(st: Statement, args: readonly string[]): void {
    const { head, cond: words } = splitCondition(args);
    const cond = words === undefined ? undefined : parseCondition(words, this.acls);
    if (typeof cond === 'string') return this.diag.error(st, cond);
    const [action = '', ...rest] = head;
    // `http-request replace-path ^/prefix(/.*) \1` (strip a prefix): the routes to this backend get rewrite_prefix
    const prefix = /^\^?(\/[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)\(\/\.\*\)\??\$?$/.exec(rest[0] ?? '')?.[1];
    if (action === 'replace-path' && cond === undefined && rest.length === 2 && rest[1] === '\\1' && prefix !== undefined && this.stripPrefix === undefined) {
      this.stripPrefix = { prefix, st };
      return;
    }
    if (this.stripPrefix !== undefined && cond?.groups.some((g) => g.some((t) => t.tests.some((x) => x.sample.fetch.name === 'path'))) === true) {
      return this.diag.unsupported(st, `this condition reads the path, which line ${this.stripPrefix.st.line}'s replace-path rewrote: Gatehouse's conditions read the path the client sent`, 'a condition on the client\'s path');
    }
    if (this.headers.take(st, action, rest, cond)) return;
    if (action === 'deny' || action === 'return' || action === 'redirect') {
      const block = answerBlock(head);
      if (typeof block.problem === 'string') return this.diag.unsupported(st, block.problem, block.nearest as string);
      const match = cond === undefined ? [] : conditionMatch(cond);
      if (typeof match === 'string') return this.diag.unsupported(st, match, 'routes[].match');
      this.headers.reads(st, cond);
      this.answers.push({ st, block, match });
      return;
    }
    this.diag.unsupported(st, `http-request ${action} in a backend`, action === 'replace-path' ? 'routes[].rewrite_prefix (only replace-path ^/prefix(/.*) \\1 translates, without a condition)' : undefined);
  }

  /** Handles a backend statement; false when it is not a backend keyword. */
  statement(st: Statement): boolean {
    const [keyword, ...args] = st.words as [string, ...string[]];
    const d = this.diag;
    switch (keyword) {
      case 'server':
        this.server(st, args);
        return true;
      case 'default-server':
        this.defaultServer = [...this.defaultServer, ...args];
        return true;
      case 'balance': {
        const algo = args[0] ?? '';
        if (args.length === 1 && (BALANCES.has(algo) || /^hdr\([A-Za-z0-9-]+\)$/.test(algo))) {
          this.backend.balance = algo;
          d.from([...this.path, 'balance'], st);
        } else d.unsupported(st, `balance ${args.join(' ')}`, 'balance: roundrobin, leastconn, random, source, uri or hdr(<name>) (without options)');
        return true;
      }
      case 'retries': {
        const n = Number(args[0]);
        if (Number.isInteger(n) && n >= 0 && n <= 5 && args.length === 1) {
          this.backend.retries = n;
          d.from([...this.path, 'retries'], st);
        } else d.unsupported(st, 'retries above 5 or malformed', 'retries: 0..5');
        return true;
      }
      case 'retry-on': {
        const codes = args.filter((a) => a !== 'conn-failure');
        if (codes.every((c) => RETRY_ON[c] !== undefined)) {
          this.backend.retry_on = codes.map((c) => RETRY_ON[c]);
          d.from([...this.path, 'retry_on'], st);
        } else d.unsupported(st, 'retry-on kinds other than conn-failure, 500, 502, 503, 504, response-timeout', 'retry_on');
        return true;
      }
      case 'option':
        return this.option(st, args);
      case 'acl':
        addAcl(this.acls, args, st, d);
        return true;
      case 'http-request':
        this.httpRequest(st, args);
        return true;
      case 'http-check':
        if (args[0] === 'expect' && args[1] === 'status' && args.length === 3 && /^\d{3}(-\d{3})?$/.test(args[2] as string)) this.expectStatus = args[2];
        else if (args[0] === 'send') this.checkSend(st, args.slice(1));
        else d.unsupported(st, 'only "http-check expect status <code or range>" and "http-check send" are supported', 'check.expect_status');
        return true;
      case 'timeout': {
        const ms = haproxyDuration(args[1]);
        const key = { connect: 'connect', server: 'server', queue: 'queue' }[args[0] ?? ''];
        if (args[0] === 'check' && ms !== undefined) this.checkTimeout = ms;
        else if (key === undefined || ms === undefined || ms === 0) return false;
        else {
          this.backend.timeouts = { ...(this.backend.timeouts as Loose | undefined), [key]: ms };
          d.from([...this.path, 'timeouts', key], st);
        }
        return true;
      }
      default:
        return false;
    }
  }

  private option(st: Statement, args: readonly string[]): boolean {
    if (args[0] === 'httpchk') {
      const rest = args.slice(1);
      if (rest.length > 3 || (rest[2] !== undefined && !/^HTTP\/1\.[01]$/.test(rest[2]))) {
        this.diag.unsupported(st, 'headers in the version argument of option httpchk', 'check.host');
        return true;
      }
      // HAProxy's defaults: OPTIONS /
      this.httpchk = rest.length === 0 ? { method: 'OPTIONS' } : rest.length === 1 ? { method: 'OPTIONS', path: rest[0] } : { method: rest[0], path: rest[1] };
      return true;
    }
    if (args[0] === 'allbackups' && args.length === 1) {
      this.backend.all_backups = true;
      this.diag.from([...this.path, 'all_backups'], st);
      return true;
    }
    return false;
  }

  /** `http-check send [meth <m>] [uri <u>] [ver <v>] [hdr host <h>]` (the new httpchk syntax). */
  private checkSend(st: Statement, args: readonly string[]): void {
    const send: { method?: string; path?: string; host?: string } = {};
    for (let i = 0; i < args.length; i += 2) {
      const [k, v] = [args[i], args[i + 1]];
      if (k === 'meth' && v !== undefined) send.method = v;
      else if (k === 'uri' && v !== undefined) send.path = v;
      else if (k === 'ver' && v !== undefined && /^HTTP\/1\.[01]$/.test(v)) continue;
      else if (k === 'hdr' && v?.toLowerCase() === 'host' && args[i + 2] !== undefined) {
        send.host = args[i + 2];
        i++;
      } else return this.diag.unsupported(st, `http-check send ${k ?? ''}`, 'check: { method, path, host }');
    }
    this.httpchk = { method: send.method ?? this.httpchk?.method ?? 'OPTIONS', ...(send.path === undefined ? (this.httpchk?.path === undefined ? {} : { path: this.httpchk.path }) : { path: send.path }) };
    if (send.host !== undefined) this.checkHost = send.host;
  }

  private server(st: Statement, args: readonly string[]): void {
    const [name, address, ...own] = args;
    const d = this.diag;
    if (name === undefined || address === undefined || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) {
      d.error(st, 'expected server <name> <address>:<port> [options]');
      return;
    }
    const server: Loose = { address };
    const check: CheckOptions = { check: false };
    const tls: Omit<ServerTls, 'st'> = {};
    const options = [...this.defaultServer, ...own];
    for (let i = 0; i < options.length; i++) {
      const o = options[i] as string;
      const value = options[i + 1];
      const needs = (): string | undefined => (i++, value);
      if (o === 'check') check.check = true;
      else if (o === 'no-check') check.check = false;
      else if (o === 'backup') server.backup = true;
      else if (o === 'disabled') server.state = 'maint';
      else if (o === 'enabled') delete server.state;
      else if (o === 'weight') {
        const w = Number(needs());
        if (!Number.isInteger(w) || w < 1 || w > 256) d.unsupported(st, `weight ${value ?? ''}`, 'weight: 1..256 (weight 0 has no equivalent; use state: drain)');
        else server.weight = w;
      } else if (o === 'inter' || o === 'rise' || o === 'fall') {
        const v = needs();
        const n = o === 'inter' ? haproxyDuration(v) : Number(v);
        if (n === undefined || !Number.isInteger(n) || n < 1) d.error(st, `${o} ${v ?? ''}: expected a positive ${o === 'inter' ? 'time' : 'number'}`);
        else check[o] = n;
      } else if (o === 'slowstart') {
        const ms = haproxyDuration(needs());
        if (ms === undefined || ms === 0) d.error(st, `slowstart ${value ?? ''}: expected a time`);
        else if (this.backend.slowstart !== undefined && this.backend.slowstart !== ms) d.unsupported(st, 'different slowstart values in one backend', 'slowstart (per backend)');
        else this.backend.slowstart = ms;
      } else if (o === 'maxconn') {
        const n = Number(needs());
        if (!Number.isInteger(n) || n < 1 || n > 65_536) d.unsupported(st, `maxconn ${value ?? ''}`, 'max_connections: 1..65536');
        else tls.maxconn = n;
      } else if (o === 'ssl') tls.ssl = true;
      else if (o === 'no-ssl') tls.ssl = false;
      else if (o === 'verify' && (value === 'none' || value === 'required')) tls.verify = needs();
      else if (o === 'ca-file' && value !== undefined) tls.ca = needs();
      else if (o === 'sni') {
        const host = /^str\(([A-Za-z0-9.-]{1,253})\)$/.exec(needs() ?? '')?.[1];
        if (host === undefined) d.unsupported(st, `sni ${value ?? ''}`, 'tls.servername (only sni str(<host name>) translates)');
        else tls.sni = host;
      } else d.unsupported(st, `server option "${o}"`, SERVER_NEAREST[o]);
    }
    this.serverTls.push({ st, ...tls });
    this.servers[name] = server;
    d.from([...this.path, 'servers', name], st);
    this.checks.push({ st, options: check });
  }

  /** Server `ssl`/`verify`/`ca-file`/`sni` → `tls`, `maxconn` → `max_connections` (per server per worker): alike on every server. */
  private tlsAndMaxconn(): void {
    const [first] = this.serverTls;
    if (first === undefined) return;
    const key = (t: ServerTls) => JSON.stringify([t.ssl === true, t.verify, t.ca, t.sni]);
    const other = this.serverTls.find((t) => key(t) !== key(first));
    if (other !== undefined) this.diag.unsupported(other.st, 'servers of one backend with different ssl, verify, ca-file or sni', 'backends.<name>.tls (one per backend)');
    else if (first.ssl === true) {
      const tls: Loose = {};
      if (first.ca !== undefined) tls.ca = first.ca;
      if (first.verify === 'none') tls.verify = false;
      if (first.sni !== undefined) tls.servername = first.sni;
      this.backend.tls = Object.keys(tls).length === 0 ? true : tls;
      this.diag.from([...this.path, 'tls'], first.st);
      if (first.verify === undefined && first.ca === undefined) this.diag.warn(first.st, 'ssl without verify or ca-file: Gatehouse verifies the servers against Node\'s root CAs (HAProxy 2.6 refuses to start without a ca-file, or with verify none does not verify)');
    } else if (first.verify !== undefined || first.ca !== undefined || first.sni !== undefined) {
      this.diag.unsupported(first.st, 'verify, ca-file or sni without ssl', 'backends.<name>.tls');
    }
    const maxconn = this.serverTls.find((t) => t.maxconn !== first.maxconn);
    if (maxconn !== undefined) this.diag.unsupported(maxconn.st, 'servers of one backend with different maxconn', 'backends.<name>.max_connections (per server, one value per backend)');
    else if (first.maxconn !== undefined) {
      this.backend.max_connections = first.maxconn;
      this.diag.from([...this.path, 'max_connections'], first.st);
    }
  }

  /** The backend entry, once every statement has been read. */
  finish(section: Statement): Loose {
    const checked = this.checks.filter((c) => c.options.check);
    if (checked.length > 0) {
      if (checked.length !== this.checks.length) {
        this.diag.unsupported(checked[0]!.st, 'health checks on some servers of a backend only', 'check (applies to every server of the backend)');
      }
      const first = checked[0]!.options;
      for (const c of checked) {
        if (c.options.inter !== first.inter || c.options.rise !== first.rise || c.options.fall !== first.fall) {
          this.diag.unsupported(c.st, 'servers of one backend with different inter/rise/fall', 'check (one per backend)');
        }
      }
      const check: Loose = {};
      if (this.httpchk?.method !== undefined) check.method = this.httpchk.method;
      if (this.httpchk?.path !== undefined) check.path = this.httpchk.path;
      if (this.checkHost !== undefined) check.host = this.checkHost;
      // without option httpchk HAProxy only connects; the nearest HTTP check accepts any answer
      check.expect_status = this.expectStatus ?? (this.httpchk === undefined ? '100-599' : '200-399');
      // HAProxy's defaults: inter 2s (also the check's timeout unless `timeout check`), rise 2, fall 3
      check.interval = first.inter ?? 2000;
      check.timeout = this.checkTimeout ?? first.inter ?? 2000;
      check.rise = first.rise ?? 2;
      check.fall = first.fall ?? 3;
      this.backend.check = check;
      this.diag.from([...this.path, 'check'], checked[0]!.st);
    } else if (this.httpchk !== undefined) {
      this.diag.warn(section, 'option httpchk without "check" on any server: HAProxy does not check these servers either');
    }
    this.headers.finish(this.backend, this.path, true);
    this.tlsAndMaxconn();
    this.backend.servers = this.servers;
    return this.backend;
  }
}
