/**
 * Regression (issue 15, item 9): after close() (the gateway's drain on SIGTERM), an answer to a request
 * that was already in progress still said `Connection: keep-alive`, so the client sent its next request on
 * a connection that was about to close and got a reset. Every response head written after close() now
 * says `Connection: close`, and the connection closes after it.
 */
import assert from 'node:assert/strict';
import type { Http1Response } from '../../../src/gateway/http1/index.js';
import { GET, answers, overEach, stop } from './raw-server.js';

overEach('an answer written after close() says Connection: close, and the connection closes after it', async ({ serve, connect }) => {
  const waiting: Http1Response[] = [];
  const { server, port } = await serve((req, res) => {
    if (req.url === '/quick') res.end('quick');
    else waiting.push(res);
  });
  try {
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const socket = connect(port, () => connected());
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (text += data));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await ready;
    socket.write(GET('/quick'));
    await new Promise((r) => setTimeout(r, 50));
    assert.match(text, /\r\nConnection: keep-alive\r\n/, 'before the drain, answers keep the connection');
    socket.write(GET('/slow'));
    while (waiting.length === 0) await new Promise((r) => setTimeout(r, 5));
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    (waiting[0] as Http1Response).end('slow');
    await closed;
    const parts = answers(text);
    assert.equal(parts.length, 2);
    assert.match(parts[1] as string, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\nConnection: close\r\n\r\nslow$/);
    assert.doesNotMatch(parts[1] as string, /keep-alive/i);
    await closing;
  } finally {
    await stop(server);
  }
});
