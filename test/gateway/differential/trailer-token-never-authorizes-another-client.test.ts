/**
 * HAProxy with `http-reuse always` in front of Gatehouse (issue 15 item 3): every client's requests share
 * one HAProxy → Gatehouse connection. An attacker with a valid token of its own sends a chunked request
 * whose trailers carry `Authorization: Bearer <token>` and `X-Injected`; other clients then send requests
 * for /private without a token, sequentially and in parallel with the attacker. None of them may be
 * authorized by the attacker's trailer: each is refused, none reaches the backend, and no request at the
 * backend carries X-Injected as a header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireExecutable } from '../../support/services.js';
import { exchange } from './client.js';
import { requestMarker } from './markers.js';
import { parseResponses } from './response-parser.js';
import { startRecordingBackend } from './recording-backend.js';
import { HAPROXY, startGatehouse, startHaproxy } from './proxies.js';
import { header } from './strict-parser.js';

const ATTACKER = 1;
const VICTIM = 2;
const ROUNDS = 24;

test('behind HAProxy http-reuse always, a trailer Authorization never authorizes another client\'s request', async (t) => {
  if (requireExecutable(t, HAPROXY) === false) return;
  const backend = await startRecordingBackend();
  const gatehouse = await startGatehouse(backend.address);
  const haproxy = await startHaproxy(`127.0.0.1:${gatehouse.port}`, { reuseAlways: true, open: true });
  try {
    const attack = (i: number) =>
      `POST /c/${requestMarker(ATTACKER, i)} HTTP/1.1\r\nHost: gw.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nAuthorization: Bearer ${gatehouse.token}\r\nX-Injected: attacker\r\n\r\n`;
    const victim = (i: number) => {
      const body = `note of ${requestMarker(VICTIM, i)}`;
      return `POST /private/notes/${requestMarker(VICTIM, i)} HTTP/1.1\r\nHost: gw.test\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    };
    const answered = (text: string, closed: boolean) => parseResponses(text, () => false, closed).statuses.length >= 1;
    const answers: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const parallel = i % 2 === 1;
      const a = exchange(haproxy.port, [attack(i)], { idleMs: 50, complete: answered });
      if (!parallel) await a;
      const v = await exchange(haproxy.port, [victim(i)], { idleMs: 50, complete: answered });
      await a;
      answers.push(...parseResponses(v.text, () => false, v.closed).statuses);
    }
    await new Promise((r) => setTimeout(r, 200));
    const attackerRequests = backend.requests.filter((r) => r.target.includes(`~C${ATTACKER}R`));
    const reachedVictim = backend.requests.filter((r) => r.raw.toString('latin1').includes(`~C${VICTIM}R`));
    const injected = backend.requests.filter((r) => header(r.headers, 'x-injected') !== undefined);
    t.diagnostic(`victim answers: ${[...new Set(answers)].join(', ')}; attacker requests at the backend: ${attackerRequests.length}`);
    assert.ok(attackerRequests.length >= ROUNDS / 2, `the attack went through HAProxy to the backend (${attackerRequests.length} of ${ROUNDS})`);
    assert.equal(answers.length, ROUNDS, 'every victim request was answered');
    assert.ok(answers.every((s) => s === 403), `victim requests answered ${answers.join(' ')}`);
    assert.deepEqual(reachedVictim.map((r) => `${r.method} ${r.target} authorization=${header(r.headers, 'authorization') === undefined ? 'none' : 'present'}`), [], 'no victim request reached the backend');
    assert.deepEqual(injected.map((r) => `${r.method} ${r.target}`), [], 'no backend request carries a trailer as a header');
  } finally {
    await haproxy.stop();
    await gatehouse.stop();
    await backend.close();
  }
});
