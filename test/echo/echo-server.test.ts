import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startEcho, type EchoServer } from '../../src/echo/index.js';

let echo: EchoServer;

before(async () => {
  echo = await startEcho({ port: 0, name: 's1' });
});
after(async () => {
  await echo.close();
});

test('GET /health answers 200 ok', async () => {
  const response = await fetch(`${echo.url}/health`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'ok\n');
  assert.equal(response.headers.get('x-echo-server'), 's1');
});

test('a request is described as text by default, with claim headers in their own section', async () => {
  const response = await fetch(`${echo.url}/orders/7?expand=items`, {
    headers: { 'x-jwt-sub': '3963000f-686d-4169-b628-9c9c4534b780', 'x-forwarded-for': '10.1.2.3', accept: '*/*' },
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await response.text();
  assert.match(text, /^echo service "s1" received:/);
  assert.match(text, /^ {2}GET \/orders\/7\?expand=items HTTP\/1\.1$/m);
  assert.match(text, /Claims forwarded by the gateway:\n {2}x-jwt-sub: 3963000f-686d-4169-b628-9c9c4534b780/);
  assert.match(text, /Set by a proxy:\n {2}x-forwarded-for: 10\.1\.2\.3/);
  assert.match(text, /Body: 0 bytes/);
});

test('Accept: application/json gives the same facts as JSON', async () => {
  const response = await fetch(`${echo.url}/a/b?x=1&x=2&y=3`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', 'x-user-email': 'bob@example.com' },
    body: '{"hello":"world"}',
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const echoed = (await response.json()) as Record<string, unknown>;
  assert.equal(echoed.server, 's1');
  assert.equal(echoed.method, 'POST');
  assert.equal(echoed.path, '/a/b');
  assert.deepEqual(echoed.query, { x: ['1', '2'], y: '3' });
  assert.deepEqual(echoed.claims, { 'x-user-email': 'bob@example.com' });
  assert.deepEqual(echoed.body, { bytes: 17, text: '{"hello":"world"}', truncated: false });
  assert.equal((echoed.headers as Record<string, string>)['content-type'], 'application/json');
});

test('?format=json wins over Accept, and ?format=text over an Accept asking for JSON', async () => {
  const asJson = await fetch(`${echo.url}/?format=json`, { headers: { accept: 'text/html' } });
  assert.match(asJson.headers.get('content-type') ?? '', /^application\/json/);
  await asJson.json();
  const asText = await fetch(`${echo.url}/?format=text`, { headers: { accept: 'application/json' } });
  assert.match(asText.headers.get('content-type') ?? '', /^text\/plain/);
  await asText.text();
});

test('Authorization and Cookie values are shortened, never echoed whole', async () => {
  const token = `eyJhbGciOiJSUzI1NiJ9.${'a'.repeat(300)}.${'b'.repeat(342)}`;
  const response = await fetch(`${echo.url}/?format=json`, {
    headers: { authorization: `Bearer ${token}`, cookie: 'access_token=secret-cookie-value-1234567890' },
  });
  const body = await response.text();
  assert.ok(!body.includes(token), 'the token must not be echoed');
  assert.ok(!body.includes('secret-cookie-value-1234567890'));
  const headers = (JSON.parse(body) as { headers: Record<string, string> }).headers;
  assert.equal(headers.authorization, `Bearer eyJhbGciOi… (${token.length} characters)`);
  const cookie = 'access_token=secret-cookie-value-1234567890';
  assert.equal(headers.cookie, `access_tok… (${cookie.length} characters)`);
});

test('a large body is counted in full and only its start is kept', async () => {
  const size = 200 * 1024;
  const response = await fetch(`${echo.url}/upload?format=json`, { method: 'PUT', body: 'z'.repeat(size) });
  const echoed = (await response.json()) as { body: { bytes: number; text?: string; truncated: boolean } };
  assert.equal(echoed.body.bytes, size);
  assert.equal(echoed.body.truncated, true);
  assert.equal(echoed.body.text?.length, 64 * 1024);
});

test('a binary body is counted but not shown', async () => {
  const response = await fetch(`${echo.url}/bin?format=json`, { method: 'POST', body: new Uint8Array([0, 1, 2, 0xff, 0xfe]) });
  const echoed = (await response.json()) as { body: { bytes: number; text?: string } };
  assert.equal(echoed.body.bytes, 5);
  assert.equal(echoed.body.text, undefined);
});

test('HEAD answers 200 with headers and no body (the seed uses curl -I)', async () => {
  const { status, length, received } = await new Promise<{ status: number; length: string | undefined; received: number }>((resolve, reject) => {
    const req = httpRequest(`${echo.url}/`, { method: 'HEAD' }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'], received }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 200);
  assert.ok(Number(length) > 0);
  assert.equal(received, 0);
});

test('a malformed request gets 400 and the server keeps serving', async () => {
  const { connect } = await import('node:net');
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(echo.port, '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 400/);
  assert.equal((await fetch(`${echo.url}/health`)).status, 200);
});
