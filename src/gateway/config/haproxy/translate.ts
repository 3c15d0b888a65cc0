/**
 * HAProxy configuration → the gateway's config object (the same object gatehouse.yaml produces; it is
 * then validated by the same schema in ../load.ts). Sections: `global` (nbthread → workers, log →
 * access_log), one `defaults` (mode http, timeouts), `frontend`/`backend`/`listen`. Every statement is
 * translated or reported (error, or warning with `lenient`), naming file:line.
 */
import { dirname, resolve } from 'node:path';
import { lexHaproxy, type Environment, type Statement } from './lexer.js';
import { groupSections, type Section } from './sections.js';
import { Diagnostics } from './diagnostics.js';
import { haproxyDuration } from './durations.js';
import { FrontendBuilder } from './frontend.js';
import { BackendBuilder } from './backend.js';
import { statsFrontend } from './stats.js';

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

const GATEWAY_TIMEOUTS: Record<string, string> = { connect: 'connect', server: 'server', queue: 'queue', client: 'client', 'http-request': 'http_request', tunnel: 'tunnel' };

/** The nearest gatehouse.yaml key of directives not translated yet. */
const NEAREST: Record<string, string> = {
  stats: 'admin: { bind } (a frontend with only bind and stats lines becomes the admin listener)',
  errorfile: 'frontends.<name>.error_pages (errorfile is translated in frontend and listen sections)',
  maxconn: 'backends.<name>.max_connections',
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
  if (w === 'hash-type consistent' && (kind === 'backend' || kind === 'listen')) return true; // Gatehouse's hash balances are consistent
  return false;
}

function global(st: Statement, config: Loose, diag: Diagnostics): void {
  const [keyword, ...args] = st.words;
  if (keyword === 'nbthread' && /^\d{1,3}$/.test(args[0] ?? '') && args.length === 1) {
    config.workers = Number(args[0]);
    diag.from(['workers'], st);
  } else if (keyword === 'log') {
    config.access_log = true;
    diag.from(['access_log'], st);
    diag.warn(st, 'Gatehouse writes its access log as JSON lines on stdout, not to this log target');
  } else diag.unsupported(st, `global ${keyword ?? ''}`, keyword === 'maxconn' ? 'backends.<name>.max_connections' : keyword === 'nbproc' ? 'workers' : undefined);
}

function timeout(st: Statement, config: Loose, diag: Diagnostics): boolean {
  const [keyword, name = '', value] = st.words;
  if (keyword !== 'timeout') return false;
  const key = GATEWAY_TIMEOUTS[name];
  const ms = haproxyDuration(value);
  if (key === undefined || ms === undefined || ms === 0 || st.words.length !== 3) {
    diag.unsupported(st, `timeout ${name}`, key === undefined ? 'timeouts: connect, server, queue, client, http_request, tunnel' : 'a time above 0');
    return true;
  }
  config.timeouts = { ...(config.timeouts as Loose | undefined), [key]: ms };
  diag.from(['timeouts', key], st);
  return true;
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
  let sawDefaults = false;
  let defaultsHttp = false;
  const frontendTimeouts = new Set<string>();
  const strips = new Map<string, { prefix: string; st: Statement }>();
  for (const section of sections) {
    if (section.kind === 'global') {
      for (const st of section.statements) global(st, config, diag);
      continue;
    }
    if (section.kind === 'defaults') {
      if (sawDefaults) diag.unsupported(section.header, 'a second defaults section', 'one defaults section (its timeouts are the gateway-wide timeouts)');
      sawDefaults = true;
      for (const st of section.statements) {
        if (st.words.join(' ') === 'mode http') {
          defaultsHttp = true;
          continue;
        }
        if (st.words[0] === 'mode') diag.error(st, 'only mode http is supported (HAProxy defaults to mode tcp: write "mode http")');
        else if (st.words.join(' ') === 'option httplog') {
          config.access_log = true;
          diag.from(['access_log'], st);
        } else if (!harmless(st, 'defaults') && !timeout(st, config, diag)) diag.unsupported(st, `"${st.words[0] ?? ''}" in defaults`);
      }
      continue;
    }
    const { name } = section;
    const admin = statsFrontend(section, diag);
    if (admin !== undefined) {
      if (config.admin !== undefined) diag.unsupported(section.header, 'a second stats frontend', 'admin.bind (one admin listener)');
      else config.admin = { bind: admin };
      continue;
    }
    const fb = section.kind === 'backend' ? undefined : new FrontendBuilder(name, ['frontends', name], diag, dirname(resolve(file)));
    const bb = section.kind === 'frontend' ? undefined : new BackendBuilder(['backends', name], diag);
    if (!defaultsHttp && !section.statements.some((st) => st.words.join(' ') === 'mode http')) {
      diag.error(section.header, 'this section would run in mode tcp (HAProxy\'s default): write "mode http" in it or in defaults');
    }
    for (const st of section.statements) {
      if (st.words[0] === 'mode') {
        if (st.words.join(' ') !== 'mode http') diag.error(st, 'only mode http is supported');
        continue;
      }
      if (fb?.statement(st) === true || bb?.statement(st) === true || harmless(st, section.kind)) continue;
      if (fb !== undefined && st.words[0] === 'timeout' && ['client', 'http-request', 'tunnel'].includes(st.words[1] ?? '')) {
        // a frontend's client-side timeouts: Gatehouse's are gateway-wide, so they must agree with the other frontends'
        const key = GATEWAY_TIMEOUTS[st.words[1] as string] as string;
        const before = (config.timeouts as Loose | undefined)?.[key];
        if (frontendTimeouts.has(key) && before !== haproxyDuration(st.words[2])) diag.unsupported(st, 'frontends with different client timeouts', `timeouts.${key} (gateway-wide)`);
        else timeout(st, config, diag);
        frontendTimeouts.add(key);
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
      if (section.kind === 'listen' && frontend.default_backend === undefined) frontend.default_backend = name;
      if (frontends[name] !== undefined) diag.error(section.header, `a second frontend or listen named ${name}`);
      frontends[name] = frontend;
      diag.from(['frontends', name], section.header);
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
      diag.from(['backends', name], section.header);
    }
  }
  for (const [name, strip] of strips) applyStripPrefix(name, strip, frontends, diag);
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
