/**
 * Loads and validates a gateway config once: YAML → schema → cross-references → deep freeze.
 * Every problem is reported with its key path, all at once, in one ERR_CONFIG_INVALID error.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { gatewayConfigSchema, type AuthRef, type ParsedGatewayConfig } from './schema.js';

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

function policyName(ref: AuthRef | undefined): string | undefined {
  if (ref === undefined || ref === false) return undefined;
  return typeof ref === 'string' ? ref : ref.policy;
}

function crossReferences(config: ParsedGatewayConfig): string[] {
  const problems: string[] = [];
  const backends = new Set(Object.keys(config.backends));
  const policies = new Set(Object.keys(config.auth));
  const checkPolicy = (ref: AuthRef | undefined, path: string) => {
    const policy = policyName(ref);
    if (policy !== undefined && !policies.has(policy)) {
      const known = policies.size === 0 ? 'no policies are defined under auth' : `known: ${[...policies].join(', ')}`;
      problems.push(`${path}: unknown policy "${policy}" (${known})`);
    }
  };
  const binds = new Map<string, string>();
  if (config.admin !== undefined && config.admin.bind.port !== 0) binds.set(`${config.admin.bind.host}:${config.admin.bind.port}`, 'admin');
  for (const [name, frontend] of Object.entries(config.frontends)) {
    const base = `frontends.${name}`;
    if (frontend.default_backend !== undefined && !backends.has(frontend.default_backend)) {
      problems.push(`${base}.default_backend: unknown backend "${frontend.default_backend}"`);
    }
    if (frontend.default_backend === undefined && frontend.routes.length === 0) {
      problems.push(`${base}: expected a default_backend or at least one route`);
    }
    checkPolicy(frontend.auth, `${base}.auth`);
    frontend.routes.forEach((route, i) => {
      if (!backends.has(route.backend)) problems.push(`${base}.routes[${i}].backend: unknown backend "${route.backend}"`);
      checkPolicy(route.auth, `${base}.routes[${i}].auth`);
    });
    if (frontend.bind.port !== 0) {
      const key = `${frontend.bind.host}:${frontend.bind.port}`;
      const other = binds.get(key);
      if (other !== undefined) problems.push(`${base}.bind: ${key} is already bound by ${other}`);
      else binds.set(key, base);
    }
  }
  return problems;
}

/** Validates a config object (already parsed from YAML/JSON); relative paths resolve against baseDir. */
export function parseGatewayConfig(input: unknown, baseDir: string, source?: string): GatewayConfig {
  const result = gatewayConfigSchema.safeParse(input);
  if (!result.success) {
    throw invalid(
      result.error.issues.map((issue) => `${formatKeyPath(issue.path)}: ${issue.message}`),
      source,
    );
  }
  const problems = crossReferences(result.data);
  if (problems.length > 0) throw invalid(problems, source);
  return deepFreeze({ ...result.data, baseDir: resolve(baseDir), source });
}

/** Reads a YAML (or JSON) file and validates it. */
export function loadGatewayConfig(path: string): GatewayConfig {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new GatehouseError(ErrorCode.CONFIG_READ, `cannot read config file ${absolute}: ${code}`, { cause: error });
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw invalid(
      document.errors.map((e) => `YAML ${e.linePos?.[0] ? `line ${e.linePos[0].line}` : ''}: ${e.message.split('\n')[0] ?? ''}`),
      absolute,
    );
  }
  return parseGatewayConfig(document.toJS(), dirname(absolute), absolute);
}
