/**
 * Regression: an upgrade is handed over inside the native parser's read callback, and deleting the parser
 * there (parser.close()) freed it while Node's C++ was still on its stack — the process died with a
 * segfault or a malloc abort after some hundreds of upgrades. The parser is now deleted once the stack
 * has unwound. Half the upgrades are switched (switchProtocols, called inside the parser's callback),
 * half answered 429 with Connection: close. The loop runs in a child process, so a crash fails this test
 * instead of the test runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const SERVER = new URL('../../../src/gateway/http1/index.js', import.meta.url).href;

const SCRIPT = `
import { Http1Server } from ${JSON.stringify(SERVER)};
import { connect } from 'node:net';
const server = new Http1Server({ maxHeaderSize: 16384 });
let count = 0;
server.on('request', (req, res) => {
  if (!req.upgrade) throw new Error('not an upgrade');
  if (count++ % 2 === 0) {
    res.writeHead(429, { 'content-length': 0, connection: 'close' });
    res.end();
    return;
  }
  const { socket } = res.switchProtocols(['Upgrade', 'x', 'Connection', 'Upgrade']);
  socket.on('error', () => {});
  socket.end();
});
await new Promise((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
const { port } = server.address();
let answered = 0;
for (let round = 0; round < 400; round++) {
  await Promise.all(Array.from({ length: 10 }, () => new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => socket.write('GET /ws HTTP/1.1\\r\\nHost: t\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n\\r\\n'));
    socket.on('data', (data) => { if (/^HTTP\\/1\\.1 (429|101) /.test(data.toString())) answered++; });
    socket.on('error', () => {});
    socket.on('close', resolve);
  })));
  if (round % 50 === 0) globalThis.gc();
}
console.log(answered);
process.exit(0);
`;

test('4,000 upgrades handed over: the process survives and every one was answered by its handler', () => {
  const result = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.signal, null, `the process died with ${result.signal}: ${result.stderr.slice(-500)}`);
  assert.equal(result.status, 0, result.stderr.slice(-500));
  assert.equal(result.stdout.trim(), '4000');
});
