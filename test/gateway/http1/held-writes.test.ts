/**
 * Writes held to the end of the event loop's turn (held-writes.ts), over real loopback sockets: held
 * bytes stay in Node's buffer until the check phase, then reach the peer complete and in order,
 * whatever path wrote them; `end()` flushes at once; a socket destroyed meanwhile costs nothing to
 * the others. Whether holding pays is a benchmark question (docs/benchmarks.md), not a test's.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { holdWrites } from '../../../src/gateway/http1/held-writes.js';

interface Pair {
  readonly client: Socket;
  /** Everything the server side has read, and a promise of the first `n` bytes of it. */
  readonly received: () => string;
  readonly bytes: (n: number) => Promise<string>;
  readonly closed: Promise<void>;
}

/** A loopback server whose connections, and itself, close when the test ends, passed or not. */
async function listen(t: TestContext): Promise<{ server: Server; next: () => Promise<Pair> }> {
  const accepted: Pair[] = [];
  const server = createServer();
  t.after(() => {
    for (const { client } of accepted) client.destroy();
    server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const next = async (): Promise<Pair> => {
    const peer = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const client = connect({ host: '127.0.0.1', port });
    client.setNoDelay(true);
    await new Promise<void>((resolve) => client.once('connect', resolve));
    const side = await peer;
    let text = '';
    const waiters: Array<() => void> = [];
    side.setEncoding('latin1');
    side.on('data', (data: string) => {
      text += data;
      for (const wake of waiters.splice(0)) wake();
    });
    const closed = new Promise<void>((resolve) => side.on('close', () => resolve()));
    side.on('error', () => undefined);
    const pair: Pair = {
      client,
      received: () => text,
      bytes: async (n) => {
        while (text.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
        return text.slice(0, n);
      },
      closed,
    };
    accepted.push(pair);
    return pair;
  };
  return { server, next };
}

const turnEnds = () => new Promise<void>((resolve) => setImmediate(resolve));

test('a held write stays in Node until the turn ends, then reaches the peer', async (t) => {
  const { next } = await listen(t);
  const { client, bytes } = await next();
  holdWrites(client);
  assert.equal(client.write('GET / HTTP/1.1\r\n\r\n', 'latin1'), true);
  // not handed to the kernel yet: a plain write on an uncorked socket would leave writableLength at 0
  assert.equal(client.writableLength, 18);
  assert.equal(client.writableCorked, 1);
  await turnEnds();
  assert.equal(client.writableLength, 0);
  assert.equal(client.writableCorked, 0);
  assert.equal(await bytes(18), 'GET / HTTP/1.1\r\n\r\n');
});

test('every socket held in one turn is flushed at its end, each in the order written, whatever wrote it', async (t) => {
  const { next } = await listen(t);
  const pairs = [await next(), await next(), await next()];
  for (const [i, { client }] of pairs.entries()) {
    holdWrites(client);
    client.write(`head${i}|`, 'latin1');
    holdWrites(client); // a second hold in the same turn adds nothing
    client.cork(); // a response's own cork()/uncork() pair nests inside the hold
    client.write(Buffer.from(`body${i}|`));
    client.write(`tail${i}`, 'latin1');
    client.uncork();
    assert.equal(client.writableCorked, 1, 'still held after the inner uncork');
    assert.equal(client.writableLength, 17);
  }
  await turnEnds();
  for (const [i, { client, bytes }] of pairs.entries()) {
    assert.equal(client.writableCorked, 0);
    assert.equal(await bytes(17), `head${i}|body${i}|tail${i}`);
  }
});

test('end() sends held bytes at once; a socket destroyed while held does not stop the others', async (t) => {
  const { next } = await listen(t);
  const ending = await next();
  const destroyed = await next();
  const other = await next();
  holdWrites(ending.client);
  holdWrites(destroyed.client);
  holdWrites(other.client);
  ending.client.end('last words', 'latin1');
  destroyed.client.write('lost', 'latin1');
  destroyed.client.destroy();
  other.client.write('kept', 'latin1');
  assert.equal(other.client.writableLength, 4);
  await ending.closed; // end() did not wait for the turn: the peer saw the bytes and the FIN
  assert.equal(ending.received(), 'last words');
  await turnEnds();
  assert.equal(await other.bytes(4), 'kept');
  await destroyed.closed;
  assert.equal(destroyed.received(), '', 'a destroyed socket sends nothing it held');
});

test('a socket written again after its flush is held and flushed again on a later turn', async (t) => {
  const { next } = await listen(t);
  const { client, bytes } = await next();
  holdWrites(client);
  client.write('one|', 'latin1');
  await turnEnds();
  assert.equal(client.writableLength, 0);
  await new Promise<void>((resolve) => setImmediate(() => {
    // written inside a check-phase callback: held, and flushed by the next turn's check phase
    holdWrites(client);
    client.write('two', 'latin1');
    assert.equal(client.writableLength, 3);
    resolve();
  }));
  await turnEnds();
  await turnEnds();
  assert.equal(await bytes(7), 'one|two');
});
