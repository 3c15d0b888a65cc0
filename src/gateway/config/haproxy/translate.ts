/**
 * HAProxy configuration → the gateway's config object (the same object gatehouse.yaml produces; it is
 * then validated by the same schema in ../load.ts). Sections: `global` (nbthread → workers, log →
 * access_log), `defaults` (./defaults-sections.ts: mode http, timeouts, httplog, httpclose; several, named,
 * `from`), `frontend`/`backend`/`listen`. Every statement is translated or reported (error, or warning with
 * `lenient`), naming file:line.
 */
import { dirname, resolve } from 'node:path';
import { lexHaproxy, type Environment, type Statement } from './lexer.js';
import { groupSections, type Section } from './sections.js';
import { Diagnostics } from './diagnostics.js';
import { FrontendBuilder } from './frontend.js';
import { BackendBuilder } from './backend.js';
import { statsFrontend } from './stats.js';
import { applyBackendAnswers } from './backend-answers.js';
import type { BackendAnswer } from './backend.js';
import type { HeaderStatements } from './header-statements.js';
import { applyDefaults, parseTimeout, readDefaults, type DefaultsSet, type ProxyDefaults } from './defaults-sections.js';

type Loose = Record<string, unknown>;

export interface HaproxyTranslation {
  readonly config: Loose;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly notices: readonly string[];
  readonly sources: Diagnostics['sources'];
}

export interface TranslateOptions {
  readonly lenient?: boolean;
  readonly env?: Environment;
}

export const STRICTER_NOTICE =
  "read as HAProxy configuration and translated to Gatehouse's config; Gatehouse's stricter checks still apply (docs/security.md: e.g. a token without exp, with duplicate JSON members or non-canonical base64url is refused; an audience array holding the application id is accepted)";

const CLIENT_SIDE_KEYS = ['client', 'http_request', 'tunnel', 'keep_alive'];

const MAXCONN_NEAREST = 'frontends.<name>.max_connections (per frontend: write maxconn in each frontend) or backends.<name>.max_connections (per server)';

/** The nearest gatehouse.yaml key of directives not translated yet. */
const NEAREST: Record<string, string> = {
  stats: 'admin: { bind } (a frontend with only bind and stats lines becomes the admin listener)',
  errorfile: 'frontends.<name>.error_pages (errorfile is translated in frontend and listen sections)',
  maxconn: MAXCONN_NEAREST,
  'unique-id-format': 'frontends.<name>.request_id',
  'unique-id-header': 'frontends.<name>.request_id',
  'hash-type': 'balance (hash balances are always consistent)',
};

/** Statements every section may have that change nothing in Gatehouse (said so in docs/haproxy.md). */
function harmless(st: Statement, kind: Section['kind']): boolean {
  const w = st.words.join(' ');
  if (w === 'mode http' && kind !== 'global') return true;
  if (w === 'log global' && kind !== 'global') return true;
  if ((w === 'option forwardfor' || w === 'option http-keep-alive') && kind !== 'global') return true; // Gatehouse always sets X-Forwarded-For and keeps connections alive
  if (w === 'option redispatch' && kind !== 'global') return true; // a retry always goes to another server
  if (w === 'option dontlognull' && kind !== 'global') return true; // the access log has a line per request, none for a connection without one
  if (w === 'hash-type consistent' && (kind === 'backend' || kind === 'listen')) return true; // Gatehouse's hash balances are consistent
  return false;
}

function global(st: Statement, config: Loose, diag: Diagnostics): void {
  const [keyword, ...args] = st.words;
  if (keyword === 'nbthread' && /^\d{1,3}$/.test(args[0] ?? '') && args.length === 1) {
    config.workers = Number(args[0]);
    diag.from(['workers'], st);
  } else if (keyword === 'noreuseport' && args.length === 0) {
    config.reuse_port = false;
    diag.from(['reuse_port'], st);
  } else if (keyword === 'log') {
    config.access_log = true;
    diag.from(['access_log'], st);
    diag.warn(st, 'Gatehouse writes its access log as JSON lines on stdout, not to this log target');
  } else diag.unsupported(st, `global ${keyword ?? ''}`, keyword === 'maxconn' ? MAXCONN_NEAREST : keyword === 'nbproc' ? 'workers' : undefined);
}

export function translateHaproxy(text: string, file: string, options: TranslateOptions = {}): HaproxyTranslation {
  const diag = new Diagnostics(options.lenient === true);
  const lexed = lexHaproxy(text, file, options.env);
  const { sections, problems } = groupSections(lexed.statements);
  for (const p of [...lexed.problems, ...problems]) {
    if (p.warning === true) diag.warn(p, p.message);
    else if (p.unsupported === true && diag.lenient) diag.warn(p, `${p.message} (ignored: --lenient)`);
    else diag.errors.push(`${p.file}:${p.line}: ${p.message}`);
  }
  const config: Loose = {};
  const frontends: Loose = {};
  const backends: Loose = {};
  const auth: Loose = {};
  const proxies: ProxyDefaults[] = [];
  let lastDefaults: DefaultsSet | undefined;
  const namedDefaults = new Map<string, DefaultsSet>();
  const strips = new Map<string, { prefix: string; st: Statement }>();
  const backendAnswers = new Map<string, readonly BackendAnswer[]>();
  const frontendHeaders = new Map<string, HeaderStatements>();
  let globalMaxconn: { n: number; st: Statement } | undefined;
  const backendHeaders = new Map<string, HeaderStatements>();
  for (const section of sections) {
    if (section.kind === 'global') {
      for (const st of section.statements) {
        const n = Number(st.words[1]);
        if (st.words[0] === 'maxconn' && st.words.length === 2 && Number.isInteger(n) && n >= 1 && n <= 1_000_000) globalMaxconn = { n, st };
        else global(st, config, diag);
      }
      continue;
    }
    const from = section.from === undefined ? undefined : namedDefaults.get(section.from);
    if (section.from !== undefined && from === undefined) diag.error(section.header, `no defaults section named ${section.from} before this line`);
    if (section.kind === 'defaults') {
      lastDefaults = readDefaults(section, from, diag, (st) => harmless(st, 'defaults'));
      if (section.name !== '') namedDefaults.set(section.name, lastDefaults);
      continue;
    }
    const defaults = section.from === undefined ? lastDefaults : from;
    const own = new Map<string, { ms: number; st: Statement }>();
    const { name } = section;
    const admin = statsFrontend(section, diag);
    if (admin !== undefined) {
      if (config.admin !== undefined) diag.unsupported(section.header, 'a second stats frontend', 'admin.bind (one admin listener)');
      else config.admin = { bind: admin };
      continue;
    }
    proxies.push({ kind: section.kind, name, defaults, own });
    let closes = defaults?.httpclose;
    const fb = section.kind === 'backend' ? undefined : new FrontendBuilder(name, ['frontends', name], diag, dirname(resolve(file)));
    const bb = section.kind === 'frontend' ? undefined : new BackendBuilder(['backends', name], diag);
    if (defaults?.http !== true && !section.statements.some((st) => st.words.join(' ') === 'mode http')) {
      diag.error(section.header, 'this section would run in mode tcp (HAProxy\'s default): write "mode http" in it or in defaults');
    }
    // what the defaults preset, read before the section's own statements (reported at the defaults' lines)
    for (const st of defaults?.backendStatements ?? []) if (bb !== undefined && !bb.statement(st) && !harmless(st, section.kind)) diag.unsupported(st, `"${st.words.join(' ')}" from defaults`);
    for (const st of defaults?.frontendStatements ?? []) if (fb !== undefined && !fb.statement(st)) diag.unsupported(st, `"${st.words.join(' ')}" from defaults`);
    for (const st of section.statements) {
      if (st.words[0] === 'mode') {
        if (st.words.join(' ') !== 'mode http') diag.error(st, 'only mode http is supported');
        continue;
      }
      if (fb?.statement(st) === true || bb?.statement(st) === true || harmless(st, section.kind)) continue;
      const t = fb !== undefined ? parseTimeout(st) : undefined;
      if (t !== undefined) {
        // a frontend's client-side timeouts: Gatehouse's are gateway-wide (applyDefaults checks they agree)
        if ('key' in t && CLIENT_SIDE_KEYS.includes(t.key)) own.set(t.key, { ms: t.ms, st });
        else diag.unsupported(st, 'problem' in t ? t.problem : `timeout ${st.words[1] ?? ''} in a frontend`, 'problem' in t ? t.nearest : `backends.<name>.timeouts.${'key' in t ? t.key : ''}`);
        continue;
      }
      if (st.words.join(' ') === 'option httpclose' && fb !== undefined) {
        closes = st;
        continue;
      }
      if (st.words.join(' ') === 'option httplog' && fb !== undefined) {
        config.access_log = true;
        diag.from(['access_log'], st);
        continue;
      }
      diag.unsupported(st, `"${st.words[0] ?? ''}" in a ${section.kind} section`, NEAREST[st.words[0] ?? '']);
    }
    if (fb !== undefined) {
      const frontend = fb.finish(section.header);
      if (closes !== undefined) {
        frontend.keep_alive = false;
        diag.from(['frontends', name, 'keep_alive'], closes);
      }
      if (section.kind === 'listen' && frontend.default_backend === undefined) frontend.default_backend = name;
      if (frontends[name] !== undefined) diag.error(section.header, `a second frontend or listen named ${name}`);
      frontends[name] = frontend;
      diag.from(['frontends', name], section.header);
      frontendHeaders.set(name, fb.headers);
      if (fb.rateLimit !== undefined) config.rate_limits = { ...(config.rate_limits as Loose | undefined), [`${name}-rate`]: fb.rateLimit };
      if (fb.policy !== undefined) {
        auth[`${name}-jwt`] = fb.policy;
        diag.sources.push({ path: ['auth', `${name}-jwt`], where: fb.jwtLines });
      }
    }
    if (bb !== undefined) {
      if (backends[name] !== undefined) diag.error(section.header, `a second backend or listen named ${name}`);
      backends[name] = bb.finish(section.header);
      if (bb.stripPrefix !== undefined) strips.set(name, bb.stripPrefix);
      backendAnswers.set(name, bb.answers);
      backendHeaders.set(name, bb.headers);
      diag.from(['backends', name], section.header);
    }
  }
  applyDefaults(proxies, config, backends, diag);
  if (globalMaxconn !== undefined) applyGlobalMaxconn(globalMaxconn, frontends, diag);
  for (const [backend, headers] of backendHeaders) {
    for (const [name, frontend] of frontendHeaders) if (routesTo(frontends[name], backend)) headers.checkAfter(frontend, name);
  }
  for (const [name, strip] of strips) applyStripPrefix(name, strip, frontends, diag);
  for (const [name, answers] of backendAnswers) applyBackendAnswers(name, answers, frontends, diag);
  if (Object.keys(auth).length > 0) config.auth = auth;
  config.frontends = frontends;
  config.backends = backends;
  diag.notices.push(`${file}: ${STRICTER_NOTICE}`);
  const byLine = (a: string, b: string) => lineOf(a) - lineOf(b);
  return { config, errors: diag.errors.sort(byLine), warnings: diag.warnings.sort(byLine), notices: diag.notices, sources: diag.sources };
}

/**
 * A backend's `replace-path ^/prefix(/.*) \1` runs after routing, on requests routed to it: each route to that
 * backend must match under the prefix (`path_prefix` /prefix or below) and gets the matching `rewrite_prefix`.
 * A default_backend or a route outside the prefix cannot express it.
 */
function applyStripPrefix(backend: string, strip: { prefix: string; st: Statement }, frontends: Loose, diag: Diagnostics): void {
  for (const [name, value] of Object.entries(frontends)) {
    const frontend = value as { default_backend?: string; routes?: Array<Loose & { backend?: string; path_prefix?: string }> };
    if (frontend.default_backend === backend) diag.unsupported(strip.st, `replace-path in backend ${backend}, the default_backend of ${name}`, 'routes[].rewrite_prefix (on a route with path_prefix)');
    for (const route of frontend.routes ?? []) {
      if (route.backend !== backend) continue;
      const p = route.path_prefix;
      if (p !== undefined && (p === strip.prefix || p.startsWith(`${strip.prefix}/`))) route.rewrite_prefix = p === strip.prefix ? '/' : p.slice(strip.prefix.length);
      else diag.unsupported(strip.st, `replace-path in backend ${backend}, used by a route of ${name} outside ${strip.prefix}`, 'routes[].rewrite_prefix');
    }
  }
  diag.warn(strip.st, `the path ${strip.prefix} itself (without a trailing part) is sent as / by Gatehouse's rewrite_prefix; HAProxy's regex leaves it unchanged (or empties it, with (/.*)?)`);
}

/**
 * Global `maxconn N`: HAProxy's default for each frontend's maxconn, and a cap on the process's total. The
 * first becomes each frontend's `max_connections` (unless it has its own); the total is not capped.
 */
function applyGlobalMaxconn(global: { n: number; st: Statement }, frontends: Loose, diag: Diagnostics): void {
  for (const [name, value] of Object.entries(frontends)) {
    const frontend = value as Loose;
    if (frontend.max_connections !== undefined) continue;
    frontend.max_connections = global.n;
    diag.from(['frontends', name, 'max_connections'], global.st);
  }
  diag.warn(global.st, `global maxconn ${global.n}: each frontend accepts at most ${global.n} connections (per worker; one more is closed as it is accepted); the total over all frontends is not capped`);
}

/** Whether a translated frontend sends requests to `backend` (a route or its default_backend). */
function routesTo(frontend: unknown, backend: string): boolean {
  const f = frontend as { default_backend?: string; routes?: Array<{ backend?: string }> } | undefined;
  return f?.default_backend === backend || (f?.routes ?? []).some((r) => r.backend === backend);
}

/** The line number a message starts with (`file:12: ...`), to list problems in file order. */
function lineOf(message: string): number {
  return Number(/^.*?:(\d+)(?:-\d+)?: /.exec(message)?.[1] ?? 0);
}

/** HAProxy configuration rather than YAML: a `.cfg` file, or a first statement that is a section keyword. */
export function looksLikeHaproxy(path: string, text: string): boolean {
  if (path.endsWith('.cfg')) return true;
  const first = text.split('\n').map((l) => l.replace(/#.*/, '').trim()).find((l) => l !== '');
  return first !== undefined && /^(global|defaults|frontend|backend|listen)(\s|$)/.test(first);
}
