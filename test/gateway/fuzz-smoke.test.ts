/**
 * A bounded, deterministic fuzz smoke test: 300 mutations of a valid request (byte flips, inserted CR/LF/NUL,
 * duplicated or truncated lines, random header junk) sent over raw sockets to the gateway as a real
 * process. Every answer must be a client-error or a proxied success (never a 5xx from the gateway itself),
 * and the process must still serve afterwards.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest } from './support/raw-http.js';
import { oneServerYaml, startReadyGateway, type GatewayProcess } from './support/gateway-process.js';
import { startUpstream, type TestUpstream } from './support/upstream.js';

let upstream: TestUpstream;
let gateway: GatewayProcess;

before(async () => {
  upstream = await startUpstream('a');
  gateway = await startReadyGateway(oneServerYaml(upstream.address, 'timeouts: { http_request: 500ms, client: 500ms }'));
});

after(async () => {
  await gateway.stop();
  await upstream.close();
});

/** xorshift32: the same sequence on every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const BASE = 'POST /api/items?x=1 HTTP/1.1\r\nHost: gw.test\r\nContent-Type: application/json\r\nContent-Length: 11\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n{"a":"bcd"}';
const JUNK = ['\r', '\n', '\r\n', '\0', ' ', ':', '\t', '%', '%00', '%2f', '..', '/', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 3\r\n', 'Host: x\r\n', '\r\n \r\n', '\u00ff', '#'];

function mutate(random: () => number): string {
  let text = BASE;
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * text.length);
    const kind = Math.floor(random() * 4);
    if (kind === 0) text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + text.slice(at + 1);
    else if (kind === 1) text = text.slice(0, at) + (JUNK[Math.floor(random() * JUNK.length)] as string) + text.slice(at);
    else if (kind === 2) text = text.slice(0, at);
    else {
      const lines = text.split('\r\n');
      const i = Math.floor(random() * lines.length);
      lines.splice(i, 0, lines[i] as string);
      text = lines.join('\r\n');
    }
  }
  return text;
}

const ALLOWED = new Set([0, 200, 400, 404, 408, 413, 414, 431, 501, 505]);

test('300 mutated requests: only client errors or proxied answers, and the gateway keeps serving', async () => {
  const random = prng(0x5eed);
  const seen = new Map<number, number>();
  const port = gateway.port('web');
  for (let batch = 0; batch < 30; batch++) {
    const inputs = Array.from({ length: 10 }, () => mutate(random));
    const results = await Promise.all(inputs.map((raw) => rawRequest(port, raw, { waitMs: 150 })));
    results.forEach((result, i) => {
      seen.set(result.status, (seen.get(result.status) ?? 0) + 1);
      assert.ok(ALLOWED.has(result.status), `status ${result.status} for ${JSON.stringify(inputs[i])}: ${JSON.stringify(result.text.slice(0, 120))}`);
    });
  }
  assert.ok((seen.get(400) ?? 0) > 0, `some inputs were refused: ${JSON.stringify([...seen])}`);
  const ok = await rawRequest(port, 'GET /still-alive HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n');
  assert.equal(ok.status, 200);
  assert.equal(gateway.child.exitCode, null);
});
