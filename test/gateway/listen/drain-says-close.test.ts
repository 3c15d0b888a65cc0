/**
 * Guards issue 15 item 9 for node:http-based frontends (`server: node` here; TLS frontends share the
 * listener code): a response still in flight when the gateway gets SIGTERM says `Connection: close`, so
 * the keep-alive client does not send its next request into a connection about to close. (The own
 * server's side is test/gateway/http1's.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startGatewayProcess } from '../support/gateway-process.js';
import { startUpstream } from '../support/upstream.js';

for (const server of ['node', 'gatehouse']) {
  test(`server: ${server}: an answer finished during the drain says Connection: close and the connection then closes`, async (t) => {
    const app = await startUpstream('app');
    const gateway = await startGatewayProcess(`
access_log: false
timeouts: { drain: 5s }
frontends:
  web: { bind: "127.0.0.1:0", server: ${server}, default_backend: app }
backends:
  app: { servers: { a: { address: "${app.address}" } } }
`);
    t.after(async () => {
      await gateway.stop('SIGKILL');
      await app.close();
    });
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
    const socket = connect({ host: '127.0.0.1', port: gateway.port('web') });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (text += data));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    // a first answer on a keep-alive connection, then a slow one still in flight when SIGTERM comes
    socket.write('GET /first HTTP/1.1\r\nHost: app.test\r\n\r\n');
    // the whole first answer, its last chunk included (it may come in a later read than the body)
    while (!(text.includes('"/first"') && text.endsWith('0\r\n\r\n'))) await new Promise((r) => setTimeout(r, 20));
    assert.match(text, /connection: keep-alive/i);
    text = '';
    socket.write('GET /slow/700 HTTP/1.1\r\nHost: app.test\r\n\r\n');
    while (app.requests < 2) await new Promise((r) => setTimeout(r, 20));
    gateway.child.kill('SIGTERM');
    await closed;
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.match(text, /\r\nconnection: close\r\n/i);
    assert.match(text, /"\/slow\/700"/);
  });
}
