/**
 * What serves HTTP/1.1 on a TLS frontend: the gateway's own server (src/gateway/tls/tls-frontend-server.ts),
 * with HTTP/2 on or off and whether the client offers ALPN `http/1.1` or none; `server: node` keeps node:http.
 * Observable difference: the own server answers a CONNECT with a refusal (no tunnels on a gateway), while
 * node:http, with no 'connect' listener, drops the connection without a byte. `h2` still goes to node:http2.
 * And the own server reads a TLS connection as it reads a TCP one: its parser consumes the TLSSocket's
 * native handle (TLSWrap), so request bytes never pass through JavaScript 'data' events. Through the
 * gateway, the frontend listener still sees every TLS connection (the open-connections gauge) and drains
 * them: idle ones close when the drain starts, busy ones after an answer saying `Connection: close`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as http2Connect } from 'node:http2';
import { connect, type ConnectionOptions } from 'node:tls';
import { startInProcess } from '../support/in-process.js';
import { startUpstream } from '../support/upstream.js';
import { createPki } from './support/pki.js';
import { tlsExchange } from './support/clients.js';
import { TRANSPORTS, stop } from '../http1/raw-server.js';

const CONNECT = 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n';
const GET = 'GET /x HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';

test('TLS frontends: HTTP/1.1 is the own server (http2 on/off, ALPN http/1.1 or none); server: node is node:http; h2 is node:http2', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const main = pki.issue('main', ['localhost', '127.0.0.1']);
  const upstream = await startUpstream('app');
  const frontend = (server: 'gatehouse' | 'node', http2: boolean) => ({ bind: '127.0.0.1:0', server, default_backend: 'app', tls: { cert: main.certFile, key: main.keyFile, http2 } });
  const gateways = new Map<string, Awaited<ReturnType<typeof startInProcess>>>();
  t.after(async () => {
    for (const gateway of gateways.values()) await gateway.close();
    await upstream.close();
    pki.close();
  });
  for (const server of ['gatehouse', 'node'] as const) {
    for (const http2 of [true, false]) {
      gateways.set(`${server}/${http2}`, await startInProcess({ access_log: false, frontends: { web: frontend(server, http2) }, backends: { app: { servers: { a: { address: upstream.address } } } } }));
    }
  }
  const ca = pki.ca.cert;
  for (const [key, gateway] of gateways) {
    const own = key.startsWith('gatehouse/');
    for (const alpn of [['http/1.1'], undefined]) {
      const name = `${key}, ALPN ${alpn === undefined ? 'none' : 'http/1.1'}`;
      const options = alpn === undefined ? { ca } : { ca, ALPNProtocols: alpn };
      const ok = await tlsExchange(gateway.port, options, GET);
      assert.match(ok.text, /^HTTP\/1\.1 200 /, `${name}: a GET is proxied`);
      assert.equal(ok.alpn, alpn === undefined ? false : 'http/1.1', name);
      const refused = await tlsExchange(gateway.port, options, CONNECT);
      assert.ok(refused.closed, `${name}: closed`);
      if (own) assert.match(refused.text, /^HTTP\/1\.1 4\d\d [^]*\r\nconnection: close\r\n/i, `${name}: the own server answers a CONNECT with a refusal`);
      else assert.equal(refused.text, '', `${name}: node:http drops a CONNECT without a byte`);
    }
  }
  assert.equal(upstream.requests, 8, 'only the GETs reached the upstream');

  // h2 is node:http2's, on the frontends that offer it
  for (const key of ['gatehouse/true', 'node/true']) {
    const session = http2Connect(`https://localhost:${gateways.get(key)?.port}`, { ca, host: '127.0.0.1' } as object);
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':path': '/h2', ':authority': 'localhost' });
      stream.on('response', (headers) => resolve(headers[':status'] as number));
      stream.on('error', reject);
      stream.resume();
      stream.end();
    });
    session.close();
    assert.equal(status, 200, `${key}: h2`);
  }
});

test('over TLS the own server\'s parser consumes the TLSSocket\'s native handle (TLSWrap), as it consumes a TCP one', async () => {
  const tls = TRANSPORTS.find((transport) => transport.name === 'TLS');
  assert.ok(tls !== undefined);
  const handles: { name: string | undefined; consumed: boolean | undefined }[] = [];
  const { server, port } = await tls.serve((req, res) => {
    const handle = (req.socket as unknown as { _handle?: { constructor: { name: string }; _consumed?: boolean } })._handle;
    handles.push({ name: handle?.constructor.name, consumed: handle?._consumed });
    res.end('ok');
  });
  try {
    const { text } = await tls.exchange(port, [`${GET}`]);
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.deepEqual(handles, [{ name: 'TLSWrap', consumed: true }]);
  } finally {
    await stop(server);
  }
});

/** `promise`, or a failure naming `what` after `ms` (a hang would otherwise cost the file's whole timeout). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A keep-alive TLS HTTP/1.1 connection: `send` writes a request and waits for its whole answer (Content-Length or chunked). */
function keepAlive(port: number, ca: string): Promise<{ send(raw: string): Promise<string>; closed: Promise<void>; socket: ReturnType<typeof connect> }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ALPNProtocols: ['http/1.1'] }, () => {
      let text = '';
      let waiting: ((answer: string) => void) | undefined;
      socket.setEncoding('latin1');
      socket.on('error', () => undefined);
      socket.on('data', (data: string) => {
        text += data;
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
        if (length === null ? !text.endsWith('\r\n0\r\n\r\n') : text.length < end + 4 + Number(length[1])) return;
        const answer = text;
        text = '';
        waiting?.(answer);
      });
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      resolve({ socket, closed, send: (raw) => new Promise((got) => ((waiting = got), socket.write(raw))) });
    });
  });
}

test('TLS HTTP/1.1 on the own server: the connection gauge counts it; a drain closes an idle connection now and a busy one after its answer (Connection: close)', async (t) => {
  const pki = createPki(t);
  if (pki === undefined) return;
  const main = pki.issue('main', ['localhost', '127.0.0.1']);
  const upstream = await startUpstream('app');
  const gateway = await startInProcess({
    access_log: false,
    timeouts: { drain: '5s' },
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: main.certFile, key: main.keyFile } } },
    backends: { app: { servers: { a: { address: upstream.address } } } },
  });
  t.after(async () => {
    await upstream.close();
    pki.close();
  });
  const ca = pki.ca.cert;
  const idle = await keepAlive(gateway.port, ca);
  const busy = await keepAlive(gateway.port, ca);
  const H = 'Host: localhost\r\n';
  assert.match(await within(idle.send(`GET /a HTTP/1.1\r\n${H}\r\n`), 3_000, 'first answer'), /^HTTP\/1\.1 200 [^]*\r\nConnection: keep-alive\r\n/);
  assert.match(await busy.send(`GET /b HTTP/1.1\r\n${H}\r\n`), /^HTTP\/1\.1 200 /);
  const gauge = /gatehouse_open_connections\{frontend="web"\} (\d+)/.exec((await gateway.gateway.metrics.text()).body)?.[1];
  assert.equal(gauge, '2', 'two TLS connections open');
  const slow = busy.send(`GET /slow/400 HTTP/1.1\r\n${H}\r\n`);
  await new Promise((r) => setTimeout(r, 100));
  const closing = gateway.close();
  await within(idle.closed, 3_000, 'the idle connection closes when the drain starts');
  const answer = await within(slow, 3_000, 'the busy connection\'s answer');
  assert.match(answer, /^HTTP\/1\.1 200 [^]*\r\nConnection: close\r\n/, 'the busy one is answered, with Connection: close');
  await within(busy.closed, 3_000, 'the busy connection closes after its answer');
  await within(closing, 3_000, 'the drain ends');
});
