/**
 * Recognises the seed's JWT rules (../shared/seed: `http-request set-var(txn.alg) http_auth_bearer,
 * jwt_header_query('$.alg')` ... `deny ... 'JWT has expired' if { var(txn.exp),sub(txn.now) -m int le 0 }`)
 * as a whole and returns the equivalent auth policy (`response: seed`, algorithms, issuer, audience, the
 * PEM file). The same checks in the same order with the same deny messages; anything else is a problem
 * naming its line. Gatehouse's stricter checks (docs/security.md) still apply on top.
 */
import { SEED_BODIES } from '../../auth/response.js';
import type { Statement } from './lexer.js';
import type { AclTest, Condition } from './conditions.js';
import { parseAnswer } from './answer.js';

export interface JwtRule {
  readonly st: Statement;
  /** `set-var(<name>)` or `deny`. */
  readonly action: string;
  /** The words after the action, before the condition. */
  readonly args: readonly string[];
  readonly cond: Condition | undefined;
}

export interface SeedPolicy {
  readonly response: 'seed';
  readonly algorithms: string[];
  readonly issuer: string[];
  readonly audience: string[];
  readonly keys: { file: string };
}

type Variable = { kind: 'header' | 'payload'; claim: string; int: boolean } | { kind: 'now' };

const STAGE_NAMES = ['missing header', 'algorithm', 'issuer', 'audience', 'signature', 'expiry'];
const CLAIM_PATH = /^\$\.([A-Za-z0-9_]+)$/;

/** True for the `set-var`/`deny` lines that belong to a JWT rule set (they use the token or its variables). */
export function isJwtRule(action: string, args: readonly string[], cond: Condition | undefined): boolean {
  if (action.startsWith('set-var(')) return /^(http_auth_bearer,|date\(\)$)/.test(args[0] ?? '');
  if (action !== 'deny' || cond === undefined) return false;
  return cond.groups.some((g) => g.some((t) => t.tests.some((test) => /^(var|http_auth_bearer|req\.hdr|hdr)$/.test(test.sample.fetch.name) && (test.sample.fetch.name !== 'req.hdr' && test.sample.fetch.name !== 'hdr' ? true : (test.sample.fetch.args[0] ?? '').toLowerCase() === 'authorization'))));
}

function single(cond: Condition | undefined): { test: AclTest; unless: boolean } | undefined {
  if (cond === undefined || cond.groups.length !== 1) return undefined;
  const group = cond.groups[0] as Condition['groups'][number];
  if (group.length !== 1) return undefined;
  const term = group[0] as (typeof group)[number];
  if (term.negate || term.tests.length !== 1) return undefined;
  return { test: term.tests[0] as AclTest, unless: cond.unless };
}

export function recognizeSeedJwt(rules: readonly JwtRule[]): { policy: SeedPolicy | undefined; problems: Array<{ st: Statement; message: string }> } {
  const problems: Array<{ st: Statement; message: string }> = [];
  const vars = new Map<string, Variable>();
  const found: Array<Statement | undefined> = [];
  const policy = { algorithms: [] as string[], issuer: [] as string[], audience: [] as string[], file: '' };
  let last = 0;
  const varOf = (test: AclTest, kind: Variable['kind'], claim?: string): boolean => {
    if (test.sample.fetch.name !== 'var') return false;
    const v = vars.get(test.sample.fetch.args[0] ?? '');
    return v !== undefined && v.kind === kind && (claim === undefined || (v.kind !== 'now' && v.claim === claim));
  };
  for (const rule of rules) {
    const { st } = rule;
    if (rule.action.startsWith('set-var(')) {
      const name = /^set-var\(([a-z]+\.[A-Za-z0-9._]+)\)$/.exec(rule.action)?.[1];
      const expr = rule.args.join(' ');
      const query = /^http_auth_bearer,jwt_(header|payload)_query\(([^,]*)(?:,(int))?\)$/.exec(expr);
      const claim = query === null ? undefined : CLAIM_PATH.exec((query[2] as string).replace(/^'(.*)'$/, '$1'))?.[1];
      if (name === undefined || rule.cond !== undefined || rule.args.length !== 1) problems.push({ st, message: 'expected set-var(<scope.name>) <expression> without a condition' });
      else if (expr === 'date()') vars.set(name, { kind: 'now' });
      else if (query !== null && claim !== undefined) vars.set(name, { kind: query[1] as 'header' | 'payload', claim, int: query[3] === 'int' });
      else problems.push({ st, message: `the expression "${expr}" is not part of the seed's JWT rules (http_auth_bearer,jwt_header_query('$.<claim>') / jwt_payload_query('$.<claim>'[,'int']) / date())` });
      continue;
    }
    const only = single(rule.cond);
    if (only === undefined) {
      problems.push({ st, message: 'a JWT deny rule must have one condition term, as in the seed' });
      continue;
    }
    const { test, unless } = only;
    let stage = 0;
    const method = test.method;
    const fetch = test.sample.fetch;
    if (unless && (fetch.name === 'req.hdr' || fetch.name === 'hdr') && test.sample.converters.length === 0 && method === 'found') stage = 1;
    else if (unless && method === 'str' && !test.ignoreCase && test.sample.converters.length === 0) {
      if (varOf(test, 'header', 'alg')) stage = 2;
      else if (varOf(test, 'payload', 'iss')) stage = 3;
      else if (varOf(test, 'payload', 'aud')) stage = 4;
    } else if (unless && method === 'int' && test.patterns.join(' ') === '1' && fetch.name === 'http_auth_bearer' && test.sample.converters.length === 1) {
      const verify = test.sample.converters[0] as (typeof test.sample.converters)[number];
      const [alg, key] = verify.args;
      const algVar = alg === undefined ? undefined : vars.get(alg);
      if (verify.name === 'jwt_verify' && key !== undefined && algVar !== undefined && algVar.kind === 'header' && algVar.claim === 'alg') {
        policy.file = key;
        stage = 5;
      }
    } else if (!unless && method === 'int' && test.patterns.join(' ') === 'le 0' && varOf(test, 'payload', 'exp') && test.sample.converters.length === 1) {
      const sub = test.sample.converters[0] as (typeof test.sample.converters)[number];
      const expVar = vars.get(fetch.args[0] ?? '');
      const nowVar = vars.get(sub.args[0] ?? '');
      if (sub.name === 'sub' && expVar?.kind === 'payload' && expVar.int && nowVar?.kind === 'now') stage = 6;
    }
    if (stage === 0) {
      problems.push({ st, message: "this deny rule is not one of the seed's six JWT checks (missing header, alg, iss, aud, jwt_verify, exp)" });
      continue;
    }
    if (stage === 2) policy.algorithms = [...test.patterns];
    if (stage === 3) policy.issuer = [...test.patterns];
    if (stage === 4) policy.audience = [...test.patterns];
    const answer = parseAnswer(rule.args, true);
    const body = SEED_BODIES[stage - 1] as string;
    if (typeof answer === 'string' || answer.status !== 403 || answer.content_type !== 'text/html' || answer.body !== body || Object.keys(answer.headers).length > 0) {
      problems.push({ st, message: `the ${STAGE_NAMES[stage - 1]} check must answer as the seed does (content-type 'text/html' string '${body}'): Gatehouse's response: seed answers exactly that` });
    }
    if (stage <= last) problems.push({ st, message: `the ${STAGE_NAMES[stage - 1]} check comes after the ${STAGE_NAMES[last - 1]} check: the seed's order is ${STAGE_NAMES.join(', ')}` });
    last = Math.max(last, stage);
    found[stage - 1] = st;
  }
  const missing = STAGE_NAMES.filter((_, i) => found[i] === undefined);
  const first = rules[0];
  if (missing.length > 0 && first !== undefined) {
    problems.push({ st: first.st, message: `JWT rules without the seed's ${missing.join(', ')} check(s): Gatehouse's auth policy always makes all six checks; write them as the seed does` });
  }
  if (problems.length > 0) return { policy: undefined, problems };
  return { policy: { response: 'seed', algorithms: policy.algorithms, issuer: policy.issuer, audience: policy.audience, keys: { file: policy.file } }, problems };
}
