/**
 * A `frontend` (or the frontend half of a `listen`): bind, ACLs, `http-request` rules (the seed's JWT
 * rules → an auth policy; deny/return/redirect → answering routes; set/del-header → header rules),
 * `use_backend` → routes, `default_backend`. Routes keep HAProxy's order: http-request answers first,
 * then use_backend rules.
 */
import type { Statement } from './lexer.js';
import { Diagnostics } from './diagnostics.js';
import { parseAclTest, parseCondition, splitCondition, type AclTest, type Condition } from './conditions.js';
import { conditionMatchers } from './matchers.js';
import { parseAnswer } from './answer.js';
import { isJwtRule, recognizeSeedJwt, type JwtRule, type SeedPolicy } from './seed-jwt.js';
import { RateLimitRules, type RateLimit } from './rate-limit.js';
import { compressionStatement, isNotSslFc, sourceRule } from './frontend-extras.js';
import { bindTls } from './bind-tls.js';
import { errorfileStatement } from './errorfile.js';

type Loose = Record<string, unknown>;

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

  constructor(private readonly name: string, private readonly path: readonly string[], private readonly diag: Diagnostics, private readonly baseDir: string) {}

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
      case 'acl': {
        const [name, ...test] = args;
        const parsed = parseAclTest(test);
        if (name === undefined || typeof parsed === 'string') d.error(st, typeof parsed === 'string' ? parsed : 'expected acl <name> <criterion> ...');
        else this.acls.set(name, [...(this.acls.get(name) ?? []), parsed]);
        return true;
      }
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
      this.answer(st, head, cond);
      return;
    }
    if (cond === undefined && (action === 'set-header' || action === 'del-header')) {
      this.headerRule(st, args, 'request_headers');
      return;
    }
    this.diag.unsupported(st, `http-request ${action}${cond === undefined ? '' : ' with a condition'}`, action.endsWith('-header') ? 'request_headers (unconditional) or routes[].request_headers' : undefined);
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
    let block: Loose;
    if (action === 'redirect') {
      const [kind, target, ...opts] = rest;
      let code = 302;
      for (let i = 0; i < opts.length; i += 2) {
        if (opts[i] === 'code' && /^30[12378]$/.test(opts[i + 1] ?? '')) code = Number(opts[i + 1]);
        else return this.diag.unsupported(st, `redirect option "${opts[i] ?? ''}"`, 'routes[].redirect (location or prefix, code)');
      }
      if ((kind !== 'location' && kind !== 'prefix') || target === undefined || target.includes('%[')) {
        return this.diag.unsupported(st, `redirect ${kind ?? ''}`, kind === 'scheme' ? 'frontends.<name>.redirect_https' : 'routes[].redirect');
      }
      block = { redirect: { [kind]: target, code } };
    } else {
      const answer = parseAnswer(rest, action === 'deny');
      if (typeof answer === 'string') return this.diag.unsupported(st, answer, 'routes[].return { status, content_type, body, headers }');
      block = { return: answer };
    }
    for (const m of matchers) {
      this.answerRoutes.push({ ...m, ...block });
      this.answerSources.push(st);
    }
  }

  private headerRule(st: Statement, args: readonly string[], key: 'request_headers' | 'response_headers'): void {
    const [action, name, value, ...extra] = args;
    const rules = (this.frontend[key] ?? { set: {}, remove: [] }) as { set: Record<string, string>; remove: string[] };
    if (splitCondition(args).cond !== undefined || name === undefined) {
      return this.diag.unsupported(st, `conditional or malformed ${action ?? ''}`, `routes[].${key}`);
    }
    if (action === 'set-header' && value !== undefined && extra.length === 0 && !value.includes('%[')) rules.set[name] = value;
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
    const routes = [...this.answerRoutes, ...this.backendRoutes];
    if (routes.length > 0) this.frontend.routes = routes;
    [...this.answerSources, ...this.backendSources].forEach((st, i) => this.diag.from([...this.path, 'routes', i], st));
    if (this.frontend.bind === undefined) this.diag.error(section, `${this.name} has no bind line`);
    return this.frontend;
  }
}
