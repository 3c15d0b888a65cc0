/**
 * A `frontend` (or the frontend half of a `listen`): bind, ACLs, `http-request` rules (the seed's JWT
 * rules → an auth policy; deny/return/redirect → answering routes; set/del-header → header rules),
 * `use_backend` → routes, `default_backend`. Routes keep HAProxy's order: http-request answers first,
 * then use_backend rules.
 */
import type { Statement } from './lexer.js';
import { Diagnostics } from './diagnostics.js';
import { addAcl, parseCondition, splitCondition, type AclTest, type Condition } from './conditions.js';
import { conditionMatchers } from './matchers.js';
import { answerBlock } from './answer.js';
import { isJwtRule, recognizeSeedJwt, type JwtRule, type SeedPolicy } from './seed-jwt.js';
import { RateLimitRules, type RateLimit } from './rate-limit.js';
import { compressionStatement, isNotSslFc, sourceRule } from './frontend-extras.js';
import { bindTls } from './bind-tls.js';
import { errorfileStatement } from './errorfile.js';
import { HeaderStatements } from './header-statements.js';

type Loose = Record<string, unknown>;

/** The nearest gatehouse.yaml key of http-request actions not translated. */
const NEAREST_ACTION: Record<string, string> = {
  'replace-path': 'routes[].rewrite_prefix (a backend\'s replace-path ^/prefix(/.*) \\1 translates)',
  'set-path': 'routes[].rewrite_prefix',
  'replace-header': 'request_header_rules[].set',
  'replace-value': 'request_header_rules[].set',
  'set-var': 'an auth policy (the seed\'s JWT rules translate as a whole)',
  'tarpit': 'routes[].return',
  'set-log-level': 'access_log',
  'capture': 'access_log',
  'normalize-uri': 'the gateway always normalises paths (docs/configuration.md)',
};

export class FrontendBuilder {
  readonly frontend: Loose = {};
  policy: SeedPolicy | undefined;
  rateLimit: RateLimit | undefined;
  readonly rate = new RateLimitRules();
  private readonly uniqueId: { format?: { st: Statement; value: string }; header?: { st: Statement; value: string } } = {};
  /** Where the JWT rules were (for convert's comments). */
  jwtLines = '';
  private readonly acls = new Map<string, AclTest[]>();
  private readonly answerRoutes: Loose[] = [];
  private readonly backendRoutes: Loose[] = [];
  private readonly answerSources: Statement[] = [];
  private readonly backendSources: Statement[] = [];
  private readonly jwtRules: JwtRule[] = [];
  private readonly answersAfterJwt: Statement[] = [];
  readonly headers: HeaderStatements;
  /** `stats enable` / `stats uri <prefix>` in a proxying frontend: a stats route, after the http-request answers. */
  private statsRoute: { st: Statement; uri: string } | undefined;

  constructor(private readonly name: string, private readonly path: readonly string[], private readonly diag: Diagnostics, private readonly baseDir: string) {
    this.headers = new HeaderStatements(diag);
  }

  statement(st: Statement): boolean {
    const [keyword, ...args] = st.words as [string, ...string[]];
    const d = this.diag;
    switch (keyword) {
      case 'bind':
        this.bind(st, args);
        return true;
      case 'default_backend':
        if (args.length !== 1) d.error(st, 'expected default_backend <name>');
        this.frontend.default_backend = args[0];
        d.from([...this.path, 'default_backend'], st);
        return true;
      case 'use_backend':
        this.useBackend(st, args);
        return true;
      case 'acl':
        addAcl(this.acls, args, st, d);
        return true;
      case 'http-request':
        this.httpRequest(st, args);
        return true;
      case 'http-response':
        this.headerRule(st, args, 'response_headers');
        return true;
      case 'redirect': {
        const { head, cond } = splitCondition(args);
        const parsed = this.condition(st, cond);
        if (parsed !== null) this.answer(st, ['redirect', ...head], parsed);
        return true;
      }
      case 'stick-table':
        this.rate.stickTable(st, args);
        return true;
      case 'unique-id-format':
      case 'unique-id-header':
        this.uniqueId[keyword === 'unique-id-format' ? 'format' : 'header'] = { st, value: args.join(' ') };
        return true;
      case 'errorfile':
        errorfileStatement(st, args, this.frontend, this.path, this.baseDir, this.diag);
        return true;
      case 'compression':
        compressionStatement(st, args, this.frontend, this.path, this.diag);
        return true;
      case 'stats':
        this.stats(st, args);
        return true;
      case 'maxconn': {
        const n = Number(args[0]);
        if (args.length !== 1 || !Number.isInteger(n) || n < 1 || n > 1_000_000) d.unsupported(st, `maxconn ${args.join(' ')}`, 'frontends.<name>.max_connections: 1..1000000');
        else {
          this.frontend.max_connections = n;
          d.from([...this.path, 'max_connections'], st);
          d.warn(st, 'maxconn: a connection over the limit is closed as it is accepted (HAProxy leaves it waiting to be accepted); with several workers the limit is per worker');
        }
        return true;
      }
      default:
        return false;
    }
  }

  private bind(st: Statement, args: readonly string[]): void {
    if (this.frontend.bind !== undefined) {
      this.diag.unsupported(st, 'a second bind line', 'one bind per frontend: a second frontend');
      return;
    }
    const [address, ...options] = args;
    if (address === undefined) return this.diag.error(st, 'expected bind <address>:<port>');
    if (options.length > 0) bindTls(st, options, this.frontend, this.path, this.baseDir, this.diag);
    const star = /^(\*|0\.0\.0\.0)?:(\d+)$/.exec(address);
    this.frontend.bind = star !== null ? `0.0.0.0:${star[2]}` : address;
    this.diag.from([...this.path, 'bind'], st);
  }

  private condition(st: Statement, words: readonly string[] | undefined): Condition | undefined | null {
    if (words === undefined) return undefined;
    const cond = parseCondition(words, this.acls);
    if (typeof cond === 'string') {
      this.diag.error(st, cond);
      return null;
    }
    return cond;
  }

  private useBackend(st: Statement, args: readonly string[]): void {
    const { head, cond: condWords } = splitCondition(args);
    const cond = this.condition(st, condWords);
    if (cond === null) return;
    if (head.length !== 1 || (head[0] as string).includes('%[')) return this.diag.unsupported(st, 'use_backend with a dynamic name', 'routes[].backend');
    this.headers.reads(st, cond);
    const notes = new Set<string>();
    const matchers = conditionMatchers(cond, notes);
    for (const note of notes) this.diag.warn(st, note);
    if (typeof matchers === 'string') return this.diag.unsupported(st, matchers, 'routes[] (host, path_prefix, methods)');
    for (const m of matchers) {
      this.backendRoutes.push({ ...m, backend: head[0] });
      this.backendSources.push(st);
    }
  }

  private httpRequest(st: Statement, args: readonly string[]): void {
    const { head, cond: condWords } = splitCondition(args);
    const cond = this.condition(st, condWords);
    if (cond === null) return;
    const [action = '', ...rest] = head;
    if (isJwtRule(action, rest, cond)) {
      this.jwtRules.push({ st, action, args: rest, cond });
      return;
    }
    if (action.startsWith('track-sc')) return this.rate.trackSc(st, action, rest, cond);
    if (action === 'deny' && this.rate.denyIfRate(st, rest, cond)) return;
    if (action === 'deny' && rest.length === 0 && sourceRule(st, cond, this.frontend, this.path, this.diag)) return;
    if (action === 'deny' || action === 'return' || action === 'redirect') {
      if (this.jwtRules.length > 0) this.answersAfterJwt.push(st);
      this.headers.reads(st, cond);
      this.answer(st, head, cond);
      return;
    }
    if (this.headers.take(st, action, rest, cond)) return;
    this.diag.unsupported(st, `http-request ${action}${cond === undefined ? '' : ' with a condition'}`, NEAREST_ACTION[action]);
  }

  private answer(st: Statement, head: readonly string[], cond?: Condition): void {
    const [action, ...rest] = head;
    if (action === 'redirect' && rest[0] === 'scheme' && rest[1] === 'https' && (cond === undefined || isNotSslFc(cond))) {
      const code = rest[2] === 'code' ? rest[3] : '302';
      if (rest.length !== 2 && !(rest.length === 4 && rest[2] === 'code')) return this.diag.unsupported(st, 'redirect scheme https with options', 'redirect_https: true');
      this.frontend.redirect_https = true;
      this.diag.from([...this.path, 'redirect_https'], st);
      if (code !== '308') this.diag.warn(st, `redirect_https answers 308 (Permanent Redirect, keeps the method), not ${code ?? ''}`);
      return;
    }
    const notes = new Set<string>();
    const matchers = conditionMatchers(cond, notes);
    for (const note of notes) this.diag.warn(st, note);
    if (typeof matchers === 'string') return this.diag.unsupported(st, matchers, 'routes[] with return or redirect');
    const block = answerBlock(head);
    if (typeof block.problem === 'string') return this.diag.unsupported(st, block.problem, block.nearest as string);
    for (const m of matchers) {
      this.answerRoutes.push({ ...m, ...block });
      this.answerSources.push(st);
    }
  }

  /**
   * `stats enable` / `stats uri <prefix>` (default `/haproxy?stats`) in a frontend that also proxies: a route
   * answering the stats page for paths beginning with the prefix's path, checked after the http-request
   * answers and before use_backend, as HAProxy does. `stats refresh`/`hide-version` are accepted with a warning.
   */
  private stats(st: Statement, args: readonly string[]): void {
    const [what, value] = args;
    if (what === 'enable' && args.length === 1) this.statsRoute = { st, uri: this.statsRoute?.uri ?? '/haproxy?stats' };
    else if (what === 'uri' && value !== undefined && value.startsWith('/') && args.length === 2) this.statsRoute = { st, uri: value };
    else if ((what === 'refresh' && args.length === 2) || (what === 'hide-version' && args.length === 1)) this.diag.warn(st, `stats ${what}: the stats page refreshes every 5 s and shows no version`);
    else {
      // never repeat a credential in a message
      const shown = what === 'auth' ? { ...st, text: 'stats auth <user>:<password>' } : st;
      this.diag.unsupported(shown, `stats ${what ?? ''}${what === 'auth' || what === 'realm' ? ' (the stats page has no password here)' : ''}`, 'admin: { bind } (a frontend with only bind and stats lines becomes the admin listener; bind it to a private address)');
    }
  }

  /** `http-response set-header|add-header|del-header` (unconditional) → response_headers. */
  private headerRule(st: Statement, args: readonly string[], key: 'response_headers'): void {
    const [action, name, value, ...extra] = args;
    const rules = (this.frontend[key] ?? { set: {}, remove: [] }) as { set: Record<string, string>; add?: Record<string, string>; remove: string[] };
    if (splitCondition(args).cond !== undefined || name === undefined) {
      return this.diag.unsupported(st, `conditional or malformed ${action ?? ''}`, `routes[].${key}`);
    }
    if ((action === 'set-header' || action === 'add-header') && value !== undefined && extra.length === 0 && !value.includes('%')) {
      if (action === 'set-header') rules.set[name] = value;
      else rules.add = { ...rules.add, [name]: value };
    }
    else if (action === 'del-header' && value === undefined) rules.remove.push(name);
    else return this.diag.unsupported(st, `${action ?? ''}${value?.includes('%[') === true ? ' with a log-format value' : ''}`, `${key}: { set, remove }`);
    this.frontend[key] = rules;
    this.diag.from([...this.path, key], st);
  }

  /** `unique-id-format %[uuid()]` + `unique-id-header <name>` → request_id (a fresh UUID, the client's never kept). */
  private requestId(): void {
    const { format, header } = this.uniqueId;
    if (format === undefined && header === undefined) return;
    if (format === undefined || header === undefined || format.value !== '%[uuid()]' || !/^[A-Za-z0-9-]+$/.test(header.value)) {
      const st = (format ?? header)!.st;
      return this.diag.unsupported(st, 'only "unique-id-format %[uuid()]" with "unique-id-header <name>" translates', 'frontends.<name>.request_id: { header, trust_client }');
    }
    this.frontend.request_id = { header: header.value, trust_client: false };
    this.diag.from([...this.path, 'request_id'], header.st);
  }

  /** The frontend entry (and its seed auth policy, if any), once every statement has been read. */
  finish(section: Statement): Loose {
    if (this.jwtRules.length > 0) {
      const { policy, problems } = recognizeSeedJwt(this.jwtRules);
      for (const p of problems) this.diag.unsupported(p.st, p.message, 'an auth policy (docs/auth.md)');
      for (const st of this.answersAfterJwt) {
        if (st.line > this.jwtRules[0]!.st.line) {
          this.diag.unsupported(st, 'a deny/return/redirect after the JWT rules: Gatehouse answers routes before checking the token', 'move it above the JWT rules');
        }
      }
      if (policy !== undefined) {
        this.policy = policy;
        const first = this.jwtRules[0]!.st;
        this.jwtLines = `${first.file}:${first.line}-${this.jwtRules[this.jwtRules.length - 1]!.st.line}: the seed's JWT rules (http-request set-var/deny)`;
        this.frontend.auth = `${this.name}-jwt`;
        this.diag.from([...this.path, 'auth'], this.jwtRules[0]!.st);
      }
    }
    this.rateLimit = this.rate.finish();
    for (const p of this.rate.problems) this.diag.unsupported(p.st, p.message, p.nearest);
    if (this.rateLimit !== undefined) {
      this.frontend.rate_limit = `${this.name}-rate`;
      this.diag.sources.push({ path: [...this.path, 'rate_limit'], where: this.rate.where() });
    }
    this.requestId();
    this.headers.finish(this.frontend, this.path, false);
    const statsRoutes: Loose[] = [];
    const statsSources: Statement[] = [];
    if (this.statsRoute !== undefined) {
      const { st, uri } = this.statsRoute;
      const [path = '/', query] = uri.split('?');
      if (query !== undefined) this.diag.warn(st, `the stats page answers every path beginning with ${path}; HAProxy also requires ?${query}`);
      statsRoutes.push({ match: [{ path: { begins: [path] } }], stats: true });
      statsSources.push(st);
    }
    const routes = [...this.answerRoutes, ...statsRoutes, ...this.backendRoutes];
    if (routes.length > 0) this.frontend.routes = routes;
    [...this.answerSources, ...statsSources, ...this.backendSources].forEach((st, i) => this.diag.from([...this.path, 'routes', i], st));
    if (this.frontend.bind === undefined) this.diag.error(section, `${this.name} has no bind line`);
    return this.frontend;
  }
}
