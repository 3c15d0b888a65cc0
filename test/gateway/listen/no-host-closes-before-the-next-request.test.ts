/**
 * An HTTP/1.1 request without Host, with a second request pipelined behind it in the same write. node:http
 * answered the first 400 itself (`requireHostHeader`) and still emitted the second to the gateway, which
 * admitted and forwarded it while the client's connection was closing: the backend received a request
 * whose answer nobody got (found by the differential suite under load, case versions/http-1.1-no-host).
 * Now the route stage refuses the Host-less request on every server and marks the connection, so nothing
 * behind it is admitted: the backend receives nothing, and the client gets one 400 and a closed connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest } from '../support/raw-http.js';
import { startInProcess } from '../support/in-process.js';
import { OK_200, startRecordingBackend } from '../forward/support/recording-backend.js';

for (const server of ['node', 'gatehouse'] as const) {
  test(`server: ${server}: nothing pipelined behind an HTTP/1.1 request without Host reaches the backend`, async (t) => {
    const backend = await startRecordingBackend(() => OK_200);
    const frontend = { bind: '127.0.0.1:0', default_backend: 'app', ...(server === 'node' ? { server: 'node' } : {}) };
    const gw = await startInProcess({ access_log: false, frontends: { web: frontend }, backends: { app: { servers: { s: { address: `127.0.0.1:${backend.port}` } } } } }, 'web');
    t.after(async () => {
      await gw.close();
      await backend.close();
    });
    // a warm pool: the request behind would go out at once on an idle upstream connection
    const warm = await rawRequest(gw.port, 'GET /warm HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n', { waitMs: 300 });
    assert.match(warm.text, /^HTTP\/1\.1 200 /);
    const before = backend.received();
    for (let i = 0; i < 20; i++) {
      const result = await rawRequest(gw.port, `GET /no-host-${i} HTTP/1.1\r\n\r\nGET /behind-${i} HTTP/1.1\r\nHost: app.test\r\n\r\n`, { waitMs: 300 });
      assert.match(result.text, /^HTTP\/1\.1 400 /);
      assert.equal(result.text.match(/HTTP\/1\.1 \d{3} /g)?.length, 1, 'one answer, then the connection closes');
      assert.ok(result.closed, 'the connection is closed');
    }
    assert.equal(backend.received().slice(before.length), '', 'the backend received nothing more');
  });
}
