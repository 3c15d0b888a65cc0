/**
 * The fixed-seed slice of the keep-alive fuzzer (fuzz/run.ts): 8 clients, random sequences of valid and
 * invalid messages on keep-alive connections through a real gateway process to a backend that answers
 * with varied framing. No client's byte may reach another client or another client's request, every
 * backend request must be a message its client sent as a request (never body text), and nothing the
 * gateway must refuse may reach the backend. `npm run fuzz:http1` runs the same with ≥ 1,000,000 messages
 * (`-- --tls` over a TLS frontend).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, report } from './run.js';

const SEED = 20_261_207;

// plain, and over a TLS frontend (whose HTTP/1.1 is the same own server behind Node's TLS)
for (const tls of [false, true]) test(`8 keep-alive clients, 3,000 random messages${tls ? ' over TLS' : ''}: no client sees another, every backend request is a message its client sent`, async (t) => {
  const summary = await fuzz({ seed: SEED, messages: 3_000, clients: 8, waitMs: 1_000, tls });
  t.diagnostic(report(summary).split('\n')[0] as string);
  assert.equal(summary.violations.length, 0, report(summary));
  assert.ok(summary.messages >= 3_000, `${summary.messages} messages sent`);
  assert.ok(summary.backendRequests >= summary.messages / 3, `only ${summary.backendRequests} backend requests for ${summary.messages} messages`);
});
