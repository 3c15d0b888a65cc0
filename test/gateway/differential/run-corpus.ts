/**
 * Runs the corpus through every proxy, each in front of its own recording backend, all cases in parallel
 * (a bounded pool), and collects one outcome per case and proxy plus what the Gatehouse invariant needs.
 */
import type { Case } from './corpus/index.js';
import { exchange, pool, type Exchange } from './client.js';
import { outcomeOf, type Outcome } from './outcome.js';
import { clientRequests } from './invariant.js';
import { parseResponses } from './response-parser.js';
import type { Proxy } from './proxies.js';
import type { RecordingBackend } from './recording-backend.js';

export interface ProxyUnderTest {
  readonly proxy: Proxy;
  readonly backend: RecordingBackend;
  /** Only cases without a valid token run through references. */
  readonly reference: boolean;
}

export interface CorpusRun {
  /** case id → proxy name → outcome */
  readonly outcomes: Map<number, Map<string, Outcome>>;
  /** proxy name → case id → exchange */
  readonly exchanges: Map<string, Map<number, Exchange>>;
}

/** A few requests through each proxy first, so a cold start (JIT, first key use) does not look like a stall. */
async function warmUp(proxies: readonly ProxyUnderTest[]): Promise<void> {
  const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: gw.test\r\n\r\n`;
  await Promise.all(proxies.map((p) => exchange(p.proxy.port, [get('/warm-up/a') + get('/warm-up/b') + get('/private/warm-up')], { idleMs: 50, complete: (text, closed) => parseResponses(text, () => false, closed).statuses.length >= 3 })));
  for (const p of proxies) p.backend.reset();
}

export async function runCorpus(cases: readonly Case[], proxies: readonly ProxyUnderTest[], substitute: (s: string) => string, concurrency = 10): Promise<CorpusRun> {
  await warmUp(proxies);
  const exchanges = new Map<string, Map<number, Exchange>>(proxies.map((p) => [p.proxy.name, new Map()]));
  await pool(cases, concurrency, async (c) => {
    const heads = new Set(c.headResponses ?? []);
    const sent = clientRequests(Buffer.from(c.send.filter((p): p is string => typeof p === 'string').map(substitute).join(''), 'latin1'));
    // requests after an upgrade answered 101 are tunnel bytes: no answer to wait for
    const switched = sent.findIndex((r) => r.afterUpgrade !== undefined);
    const expected = switched < 0 ? sent.length : switched;
    const complete = (text: string, closed: boolean) => parseResponses(text, (i) => heads.has(i), closed).statuses.length >= expected;
    await Promise.all(
      proxies
        .filter((p) => !(p.reference && c.gatehouseOnly === true))
        .map(async (p) => exchanges.get(p.proxy.name)?.set(c.id, await exchange(p.proxy.port, c.send, { substitute, complete }))),
    );
  });
  // let the last backend requests and access-log lines land
  await new Promise((r) => setTimeout(r, 300));
  const outcomes = new Map<number, Map<string, Outcome>>();
  for (const c of cases) {
    const perProxy = new Map<string, Outcome>();
    for (const p of proxies) {
      const ex = exchanges.get(p.proxy.name)?.get(c.id);
      if (ex !== undefined) perProxy.set(p.proxy.name, outcomeOf(p.proxy.name, c, ex, p.backend.requests));
    }
    outcomes.set(c.id, perProxy);
  }
  return { outcomes, exchanges };
}
