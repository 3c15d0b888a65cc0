#!/usr/bin/env node
// The long run of the keep-alive fuzzer (test/gateway/differential/fuzz/run.ts; `npm test` runs a
// fixed-seed slice): several clients send random valid and invalid HTTP/1.1 messages on keep-alive
// connections through a real gateway; any byte of one client in another's request or answer, any backend
// request that is not a message its client sent, or anything the gateway must refuse reaching the backend
// is a violation. Prints a summary; exits 1 on a violation, with the seed and a reproduction.
// Usage: npm run fuzz:http1 -- [--messages 1000000] [--seed N] [--clients 8] [--server node] [--tls]
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: String(Date.now() % 2_147_483_647) },
    clients: { type: 'string', default: '8' },
    server: { type: 'string' },
    tls: { type: 'boolean', default: false },
  },
});
const messages = Number(values.messages);
const seed = Number(values.seed);
const clients = Number(values.clients);
if (!Number.isSafeInteger(messages) || messages < 1 || !Number.isSafeInteger(seed) || !Number.isSafeInteger(clients) || clients < 1) {
  console.error('fuzz-http1: --messages, --seed and --clients must be positive integers');
  process.exit(2);
}
const { fuzz, report } = await import('../dist/test/gateway/differential/fuzz/run.js');
const started = Date.now();
console.log(`fuzz-http1: seed ${seed}, ${messages} messages, ${clients} clients${values.server ? `, server: ${values.server}` : ''}${values.tls ? ', over TLS' : ''}`);
const summary = await fuzz({
  seed, messages, clients, server: values.server, tls: values.tls,
  onProgress: (n) => console.log(`  ${n} messages, ${Math.round((n * 1000) / (Date.now() - started))}/s`),
});
console.log(report(summary));
console.log(`fuzz-http1: ${((Date.now() - started) / 1000).toFixed(1)} s; re-run with --seed ${seed}`);
process.exit(summary.violations.length === 0 ? 0 : 1);
