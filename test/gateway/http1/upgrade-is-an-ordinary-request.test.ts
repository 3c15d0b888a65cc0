/**
 * Contract C1 (issue 15, items 1 and 4): an upgrade request is an ordinary 'request' with `req.upgrade`.
 * The bytes after its head are held, unparsed and unread, until its answer: `res.switchProtocols()` hands
 * them over with the socket; any other keep-alive answer makes them HTTP again, each request with its own
 * 'request' and its own head. Before, the server emitted 'upgrade' with the socket at once, so whatever
 * followed the head went wherever the socket went (a tunnel to the backend, unchecked), and an upgrade
 * pipelined behind a GET dropped the GET unanswered.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { Http1Request, Http1Response } from '../../../src/gateway/http1/index.js';
import { GET, answers, stop, type Handler, overEach } from './raw-server.js';

const UPGRADE = (path: string, extra = '') => GET(path, `Upgrade: websocket\r\nConnection: Upgrade\r\n${extra}`);
type Switch = (headers: string[]) => { socket: Socket; head: Buffer };

/** Records requests; upgrades get `upgradeAnswer` (after a delay, as an upstream would), others 200 with their URL and Authorization. */
function server(upgradeAnswer: (req: Http1Request, res: Http1Response) => void): { seen: Http1Request[]; handler: Handler } {
  const seen: Http1Request[] = [];
  return {
    seen,
    handler(req, res) {
      seen.push(req);
      setTimeout(() => {
        if (req.upgrade) upgradeAnswer(req, res);
        else res.end(`${req.url} auth=${req.headers.authorization ?? '-'}`);
      }, 30);
    },
  };
}

overEach('an upgrade answered 401 keeps the connection HTTP: the bytes after its head are the next request, with its own head', async ({ serve, exchange }) => {
  const { seen, handler } = server((_req, res) => {
    res.writeHead(401, { 'content-length': 6 });
    res.end('denied');
  });
  const { server: http, port, errors } = await serve(handler);
  try {
    const smuggled = GET('/admin/delete-everything', 'X-User: admin\r\nAuthorization: Bearer stolen\r\n');
    const { text, closed } = await exchange(port, [UPGRADE('/public/ws', 'Authorization: Bearer ws-token\r\n') + smuggled]);
    assert.deepEqual(errors, []);
    assert.deepEqual(seen.map((req) => [req.url, req.upgrade]), [['/public/ws', true], ['/admin/delete-everything', false]]);
    const next = seen[1] as Http1Request;
    assert.deepEqual(next.rawHeaders, ['Host', 't', 'X-User', 'admin', 'Authorization', 'Bearer stolen']);
    const parts = answers(text);
    assert.equal(parts.length, 2, text);
    assert.match(parts[0] as string, /^HTTP\/1\.1 401 [\s\S]*\r\n\r\ndenied$/);
    assert.match(parts[1] as string, /^HTTP\/1\.1 200 [\s\S]*\/admin\/delete-everything auth=Bearer stolen$/);
    assert.equal(closed, false, 'still a keep-alive HTTP connection');
  } finally {
    await stop(http);
  }
});

overEach('the socket is not read while an upgrade waits for its answer; then the held bytes and later ones are parsed in order', async ({ serve, exchange }) => {
  let upgradeAnswered = false;
  const { seen, handler } = server((_req, res) => {
    upgradeAnswered = true;
    res.end('not upgraded');
  });
  const { server: http, port } = await serve(handler);
  try {
    const { text } = await exchange(port, [UPGRADE('/ws') + GET('/held'), 5, GET('/later')]);
    assert.ok(upgradeAnswered);
    assert.deepEqual(seen.map((req) => req.url), ['/ws', '/held', '/later']);
    assert.deepEqual(answers(text).map((answer) => answer.slice(answer.lastIndexOf('\r\n\r\n') + 4)), ['not upgraded', '/held auth=-', '/later auth=-']);
  } finally {
    await stop(http);
  }
});

overEach('switchProtocols writes the 101 and returns the socket with exactly the bytes held after the head', async ({ serve, exchange }) => {
  const tail = `${GET('/looks-like-http')}\u0000\u0001binary\r\n`;
  let head: Buffer | undefined;
  const { handler } = server((_req, res) => {
    const switched = (res.switchProtocols as Switch)(['Upgrade', 'websocket', 'Connection', 'Upgrade']);
    head = switched.head;
    switched.socket.on('data', (data: Buffer) => switched.socket.write(`[${data.toString('latin1')}]`));
    switched.socket.on('end', () => switched.socket.end()); // the server is half-open: the tunnel's owner closes its side
    switched.socket.write('tunnel-open');
  });
  const { server: http, port } = await serve(handler);
  try {
    const { text } = await exchange(port, [UPGRADE('/ws') + tail, 100, 'after-switch']);
    assert.equal(head?.toString('latin1'), tail);
    assert.equal(text, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\ntunnel-open[after-switch]');
  } finally {
    await stop(http);
  }
});

overEach('an upgrade pipelined behind a GET: the GET is answered first, then the upgrade is handed on', async ({ serve, exchange }) => {
  const order: string[] = [];
  const { seen, handler } = server((_req, res) => {
    order.push('upgrade answered');
    const { socket } = (res.switchProtocols as Switch)(['Upgrade', 'websocket', 'Connection', 'Upgrade']);
    socket.end('bye');
  });
  const { server: http, port } = await serve((req, res) => {
    order.push(`request ${req.url}`);
    handler(req, res);
  });
  try {
    const { text } = await exchange(port, [GET('/first') + UPGRADE('/ws')]);
    assert.deepEqual(order, ['request /first', 'request /ws', 'upgrade answered']);
    assert.deepEqual(seen.map((req) => req.url), ['/first', '/ws']);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\/first auth=-HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*\r\n\r\nbye$/);
  } finally {
    await stop(http);
  }
});

overEach('a non-keep-alive answer to an upgrade closes the connection; the held bytes are never parsed', async ({ serve, exchange }) => {
  const { seen, handler } = server((_req, res) => {
    res.writeHead(403, { connection: 'close', 'content-length': 0 });
    res.end();
  });
  const { server: http, port } = await serve(handler);
  try {
    const { text, closed } = await exchange(port, [UPGRADE('/ws') + GET('/never')]);
    assert.ok(closed);
    assert.equal(answers(text).length, 1);
    assert.deepEqual(seen.map((req) => req.url), ['/ws']);
  } finally {
    await stop(http);
  }
});

overEach('an upgrade with a body, with Connection: close, or in HTTP/1.0 is refused with 400 and never handed on', async ({ serve, exchange }) => {
  const { seen, handler } = server((_req, res) => res.end());
  const { server: http, port, errors } = await serve(handler);
  try {
    const bad = [
      GET('/ws', 'Upgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 5\r\n') + 'hello',
      GET('/ws', 'Upgrade: websocket\r\nConnection: Upgrade\r\nTransfer-Encoding: chunked\r\n') + '0\r\n\r\n',
      GET('/ws', 'Upgrade: websocket\r\nConnection: close, Upgrade\r\n'),
      'GET /ws HTTP/1.0\r\nHost: t\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n',
    ];
    for (const raw of bad) {
      errors.length = 0;
      const { text, closed } = await exchange(port, [raw + GET('/after')]);
      assert.deepEqual(errors, ['ERR_HTTP_BAD_UPGRADE'], raw);
      assert.match(text, /^HTTP\/1\.1 400 Refused\r\n/);
      assert.ok(closed);
    }
    const zero = await exchange(port, [UPGRADE('/zero', 'Content-Length: 0\r\n')]);
    assert.match(zero.text, /^HTTP\/1\.1 200 /, 'Content-Length: 0 is no body');
    assert.deepEqual(seen.map((req) => req.url), ['/zero']);
  } finally {
    await stop(http);
  }
});

overEach('switchProtocols is only for an upgrade with nothing written; writeHead(101) is refused', async ({ serve, exchange }) => {
  const outcomes: string[] = [];
  const { server: http, port } = await serve((req, res) => {
    const attempt = (what: string, action: () => void) => {
      try {
        action();
        outcomes.push(`${what}: ok`);
      } catch (error) {
        outcomes.push(`${what}: ${(error as Error & { code?: string }).code}`);
      }
    };
    attempt(`101 via writeHead on ${req.url}`, () => res.writeHead(101));
    if (!req.upgrade) attempt('switch a plain request', () => (res.switchProtocols as Switch)([]));
    else {
      res.writeHead(200, { 'content-length': 2 });
      attempt('switch after writeHead', () => (res.switchProtocols as Switch)([]));
    }
    res.end('ok');
  });
  try {
    await exchange(port, [GET('/plain') + UPGRADE('/ws')]);
    assert.deepEqual(outcomes, [
      '101 via writeHead on /plain: ERR_HTTP_INVALID_STATUS_CODE',
      'switch a plain request: ERR_HTTP_HEADERS_SENT',
      '101 via writeHead on /ws: ERR_HTTP_INVALID_STATUS_CODE',
      'switch after writeHead: ERR_HTTP_HEADERS_SENT',
    ]);
  } finally {
    await stop(http);
  }
});
