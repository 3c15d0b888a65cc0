/**
 * The differential suite (docs/http1-server.md "Differential suite and fuzzer"): more than 300 raw requests
 * and pipelined sequences (corpus/) through Gatehouse — with its own HTTP/1.1 server and with `server:
 * node` — HAProxy 2.6 and nginx, each in front of its own recording backend. It asserts Gatehouse's
 * invariant (invariant.ts) and that every case where Gatehouse's outcome differs from both references is a
 * documented difference (documented-differences.ts). HAProxy and nginx are required: without them the
 * test skips loudly, and fails in CI.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { findExecutable, IN_CI } from '../../support/services.js';
import { buildCorpus, type Case } from './corpus/index.js';
import { startRecordingBackend, type RecordingBackend } from './recording-backend.js';
import { HAPROXY, NGINX, startGatehouse, startHaproxy, startNginx, SUBJECT, type GatehouseProxy, type Proxy } from './proxies.js';
import { runCorpus, type CorpusRun, type ProxyUnderTest } from './run-corpus.js';
import { checkInvariant } from './invariant.js';
import { compare } from './differences.js';
import { documentedFor } from './documented-differences.js';

interface Variant {
  readonly server: 'gatehouse' | 'node';
  gatehouse?: GatehouseProxy;
  backend?: RecordingBackend;
  startError?: string;
}

const cases: Case[] = buildCorpus();
const VARIANTS: Variant[] = [{ server: 'gatehouse' }, { server: 'node' }];
const REFERENCES = ['haproxy', 'nginx'];
const backends: RecordingBackend[] = [];
const proxies: Proxy[] = [];
let run: CorpusRun;
/** The token every client in the run sends (the gateways share the policy's key, so it is valid for each). */
let runToken = '';
const missing = [HAPROXY, NGINX].filter((p) => findExecutable(p) === undefined);

before(async () => {
  if (missing.length > 0) {
    if (IN_CI) throw new Error(`${missing.join(' and ')} not available — CI must install them (.ci/run)`);
    console.warn(`\n!!! SKIPPED: ${missing.join(' and ')} not available; the differential suite needs HAProxy 2.6 and nginx !!!\n`);
    return;
  }
  const under: ProxyUnderTest[] = [];
  const add = async (start: (upstream: string) => Promise<Proxy>, reference: boolean) => {
    const backend = await startRecordingBackend();
    backends.push(backend);
    const proxy = await start(backend.address);
    proxies.push(proxy);
    under.push({ proxy, backend, reference });
    return { proxy, backend };
  };
  for (const variant of VARIANTS) {
    try {
      const g = await add((upstream) => startGatehouse(upstream, variant.server === 'node' ? 'node' : undefined), false);
      variant.gatehouse = g.proxy as GatehouseProxy;
      variant.backend = g.backend;
    } catch (error) {
      variant.startError = String((error as Error).message).slice(0, 500);
    }
  }
  await add(startHaproxy, true);
  await add(startNginx, true);
  runToken = (VARIANTS.find((v) => v.gatehouse !== undefined)?.gatehouse as GatehouseProxy).token;
  run = await runCorpus(cases, under, (s) => s.replaceAll('{{TOKEN}}', runToken));
});

after(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all(backends.map((b) => b.close()));
});

test('the corpus has at least 300 raw requests and sequences, every group represented', (t) => {
  if (missing.length > 0) return t.skip(`${missing.join(', ')} missing`);
  assert.ok(cases.length >= 300, `${cases.length} cases`);
  const groups = new Map<string, number>();
  for (const c of cases) groups.set(c.name.split('/')[0] as string, (groups.get(c.name.split('/')[0] as string) ?? 0) + 1);
  t.diagnostic(`${cases.length} cases: ${[...groups].map(([g, n]) => `${g} ${n}`).join(', ')}`);
  for (const g of ['framing', 'trailers', 'upgrade', 'pipelining', 'expect', 'limits', 'versions', 'methods', 'paths', 'headers', 'token']) assert.ok(groups.has(g), g);
});

for (const variant of VARIANTS) {
  const label = `server: ${variant.server}`;
  test(`${label}: each request the backend gets is one request the client sent and Gatehouse admitted, with the head it checked`, (t) => {
    if (missing.length > 0) return t.skip(`${missing.join(', ')} missing`);
    assert.equal(variant.startError, undefined, `Gatehouse with ${label} did not start: ${variant.startError}`);
    const gatehouse = variant.gatehouse as GatehouseProxy;
    const backend = variant.backend as RecordingBackend;
    const violations = checkInvariant({
      cases,
      exchanges: run.exchanges.get(gatehouse.name) ?? new Map(),
      connections: backend.connections,
      requests: backend.requests,
      accessLog: gatehouse.process.lines,
      token: runToken,
      subject: SUBJECT,
      substitute: (s) => s.replaceAll('{{TOKEN}}', runToken),
    });
    const byCase = new Map<string, string[]>();
    for (const v of violations) byCase.set(v.case, [...(byCase.get(v.case) ?? []), v.problem]);
    const report = [...byCase].map(([name, problems]) => {
      const c = cases.find((x) => x.name === name);
      const outcomes = c === undefined ? [] : [...(run.outcomes.get(c.id)?.values() ?? [])].map((o) => `      ${o.proxy.padEnd(9)} ${o.signature} [${o.statuses.join(' ')}]`);
      return [`  ${name}:`, ...problems.map((p) => `    - ${p}`), ...outcomes].join('\n');
    });
    t.diagnostic(`backend requests behind Gatehouse: ${backend.requests.length}, connections ${backend.connections.length}`);
    assert.equal(violations.length, 0, `${byCase.size} cases break the invariant:\n${report.join('\n')}`);
  });

  test(`${label}: where Gatehouse differs from both HAProxy and nginx, the difference is documented`, (t) => {
    if (missing.length > 0) return t.skip(`${missing.join(', ')} missing`);
    assert.equal(variant.startError, undefined, `Gatehouse with ${label} did not start: ${variant.startError}`);
    const documented = documentedFor(variant.server);
    const result = compare(cases, run.outcomes, (variant.gatehouse as GatehouseProxy).name, REFERENCES, documented, variant.server);
    if (process.env.GATEHOUSE_DIFFERENTIAL_TABLE === '1') console.log(result.table.join('\n'));
    t.diagnostic(`documented differences observed: ${result.documentedSeen.length} of ${Object.keys(documented).length}`);
    for (const name of Object.keys(documented)) assert.ok(cases.some((c) => c.name === name), `documented case ${name} is in the corpus`);
    assert.equal(result.problems.length, 0, `${result.problems.length} cases (signature: answers | requests the backend got; A 2xx/3xx, R refused (4xx, 501, 505), E other 5xx, U 101, x closed without answer, - no answer):\n${result.problems.join('\n')}`);
  });
}
