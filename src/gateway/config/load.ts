/**
 * Loads and validates a gateway config once: YAML → schema → cross-references → deep freeze.
 * Every problem is reported with its key path, all at once, in one ERR_CONFIG_INVALID error.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { gatewayConfigSchema, type ParsedGatewayConfig } from './schema.js';
import { limitLayoutProblems } from '../limit/usage.js';
import { looksLikeHaproxy, translateHaproxy } from './haproxy/index.js';

export type GatewayConfig = Readonly<ParsedGatewayConfig & { baseDir: string; source: string | undefined }>;

/** `['backends','web','servers','s2','address']` → `backends.web.servers.s2.address`; indexes as `[2]`. */
export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

function invalid(problems: readonly string[], source: string | undefined): GatehouseError {
  const where = source === undefined ? 'gateway config' : source;
  return new GatehouseError(ErrorCode.CONFIG_INVALID, `${where} is invalid:\n  ${problems.join('\n  ')}`);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

type Loose = Record<string, unknown>;

function asObject(value: unknown): Loose {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};
}

function policyName(ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref;
  const policy = asObject(ref).policy;
  return typeof policy === 'string' ? policy : undefined;
}

/** Names that point elsewhere in the file; checked on the raw input so they are reported with schema problems. */
function crossReferences(input: unknown): string[] {
  const problems: string[] = [];
  const root = asObject(input);
  const backends = new Set(Object.keys(asObject(root.backends)));
  const policies = new Set(Object.keys(asObject(root.auth)));
  const limits = new Set(Object.keys(asObject(root.rate_limits)));
  const checkLimit = (ref: unknown, path: string) => {
    if (typeof ref === 'string' && !limits.has(ref)) {
      const known = limits.size === 0 ? 'no limits are defined under rate_limits' : `known: ${[...limits].join(', ')}`;
      problems.push(`${path}: unknown rate limit "${ref}" (${known})`);
    }
  };
  const checkPolicy = (ref: unknown, path: string) => {
    const policy = policyName(ref);
    if (policy !== undefined && !policies.has(policy)) {
      const known = policies.size === 0 ? 'no policies are defined under auth' : `known: ${[...policies].join(', ')}`;
      problems.push(`${path}: unknown policy "${policy}" (${known})`);
    }
  };
  const checkBackend = (name: unknown, path: string) => {
    if (typeof name === 'string' && !backends.has(name)) problems.push(`${path}: unknown backend "${name}"`);
  };
  for (const [name, value] of Object.entries(asObject(root.frontends))) {
    const frontend = asObject(value);
    const base = `frontends.${name}`;
    const routes = Array.isArray(frontend.routes) ? (frontend.routes as unknown[]) : [];
    checkBackend(frontend.default_backend, `${base}.default_backend`);
    if (frontend.redirect_https !== undefined) {
      if (frontend.tls !== undefined) problems.push(`${base}.redirect_https: a TLS frontend cannot redirect to https; put redirect_https on a plain-HTTP frontend`);
    } else if (frontend.default_backend === undefined && routes.length === 0) problems.push(`${base}: expected a default_backend or at least one route`);
    checkPolicy(frontend.auth, `${base}.auth`);
    checkLimit(frontend.rate_limit, `${base}.rate_limit`);
    routes.forEach((route, i) => {
      checkBackend(asObject(route).backend, `${base}.routes[${i}].backend`);
      checkPolicy(asObject(route).auth, `${base}.routes[${i}].auth`);
      checkLimit(asObject(route).rate_limit, `${base}.routes[${i}].rate_limit`);
    });
  }
  return problems;
}

function bindConflicts(config: ParsedGatewayConfig): string[] {
  const problems: string[] = [];
  const binds = new Map<string, string>();
  if (config.admin !== undefined && config.admin.bind.port !== 0) binds.set(`${config.admin.bind.host}:${config.admin.bind.port}`, 'admin');
  for (const [name, frontend] of Object.entries(config.frontends)) {
    if (frontend.bind.port === 0) continue;
    const key = `${frontend.bind.host}:${frontend.bind.port}`;
    const other = binds.get(key);
    if (other !== undefined) problems.push(`frontends.${name}.bind: ${key} is already bound by ${other}`);
    else binds.set(key, `frontends.${name}`);
  }
  return problems;
}

/** A schema problem in words: a missing key says so (zod's own text is "Invalid input: expected X, received undefined"). */
function issueMessage(issue: { code: string; message: string; path: ReadonlyArray<PropertyKey>; expected?: unknown }, input: unknown): string {
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return `required, missing (expected ${String(issue.expected)})`;
  return issue.message.replace(/^Invalid input: /, '');
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A YAML syntax problem: where it is, then the parser's first line without its own trailing position. */
function yamlProblem(error: { message: string; linePos?: ReadonlyArray<{ line: number; col: number }> }): string {
  const where = error.linePos?.[0];
  const text = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  return where === undefined ? `YAML: ${text}` : `YAML line ${where.line}, column ${where.col}: ${text}`;
}

/**
 * Validates a config object (already parsed from YAML/JSON, or translated from haproxy.cfg); relative paths
 * resolve against baseDir. `annotate` may add where a problem's key came from (the .cfg line).
 */
export function parseGatewayConfig(input: unknown, baseDir: string, source?: string, annotate?: (problem: string) => string): GatewayConfig {
  const result = gatewayConfigSchema.safeParse(input);
  const problems = result.success ? [] : result.error.issues.map((issue) => `${formatKeyPath(issue.path)}: ${issueMessage(issue, input)}`);
  problems.push(...crossReferences(input));
  if (result.success && result.data.revocation !== undefined && result.data.redis === undefined) problems.push('revocation: the feed is read from Redis; add a redis: section (address, ...)');
  if (result.success) problems.push(...bindConflicts(result.data), ...limitLayoutProblems(result.data, result.data.workers === 'auto' ? availableParallelism() : result.data.workers));
  if (!result.success || problems.length > 0) throw invalid(annotate === undefined ? problems : problems.map(annotate), source);
  return deepFreeze({ ...result.data, baseDir: resolve(baseDir), source });
}

/** A config about to run in `workers` processes (the command line may override its own `workers`). */
export function checkWorkerLayout(config: GatewayConfig, workers: number): void {
  const problems = limitLayoutProblems(config, workers);
  if (problems.length > 0) throw invalid(problems, config.source);
}

/**
 * An HAProxy configuration file (`.cfg`, or content starting with a section keyword): translated to the
 * same config object, then validated the same way; schema problems name the .cfg line they came from.
 * Warnings and the notice that Gatehouse's stricter checks apply go to stderr on every load.
 * GATEHOUSE_HAPROXY_LENIENT=1 (`--lenient`) turns untranslatable statements into warnings.
 */
function loadHaproxyConfig(text: string, absolute: string): GatewayConfig {
  const translation = translateHaproxy(text, absolute, { lenient: process.env.GATEHOUSE_HAPROXY_LENIENT === '1' });
  for (const line of [...translation.warnings, ...translation.notices]) process.stderr.write(`gatehouse: ${line}\n`);
  if (translation.errors.length > 0) throw invalid(translation.errors, absolute);
  const annotate = (problem: string): string => {
    let best: { key: string; where: string } | undefined;
    for (const s of translation.sources) {
      const key = formatKeyPath(s.path);
      if ((problem.startsWith(`${key}:`) || problem.startsWith(`${key}.`) || problem.startsWith(`${key}[`)) && (best === undefined || key.length > best.key.length)) best = { key, where: s.where };
    }
    return best === undefined ? problem : `${problem} (from ${best.where})`;
  };
  return parseGatewayConfig(translation.config, dirname(absolute), absolute, annotate);
}

/** Reads a YAML (or JSON) file, or an HAProxy configuration file, and validates it. */
export function loadGatewayConfig(path: string): GatewayConfig {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new GatehouseError(ErrorCode.CONFIG_READ, `cannot read config file ${absolute}: ${code}`, { cause: error });
  }
  if (looksLikeHaproxy(absolute, text)) return loadHaproxyConfig(text, absolute);
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw invalid(
      document.errors.map(yamlProblem),
      absolute,
    );
  }
  return parseGatewayConfig(document.toJS(), dirname(absolute), absolute);
}
