/**
 * `error_pages` on a frontend: the gateway's own 4xx/5xx answers (routing, parser refusals, upstream
 * failures) carry the configured body and type; files are read at load and re-read on reload; a page
 * that cannot be read refuses the config.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { parseGatewayConfig } from '../../src/gateway/index.js';
import { configProblems } from './support/config-problems.js';
import { tempDir } from './support/gateway-process.js';
import { startInProcess } from './support/in-process.js';
import { rawRequest } from './support/raw-http.js';
import { closedPort, startUpstream } from './support/upstream.js';

const app = await startUpstream('app');
after(() => app.close());

test("the gateway's own answers use the frontend's pages; others keep the plain-text defaults", async () => {
  const dir = tempDir();
  const html = join(dir, '503.html');
  writeFileSync(html, '<h1>Down for maintenance</h1>\n');
  const dead = await closedPort();
  const config = {
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        routes: [{ path_prefix: '/app', backend: 'app' }, { path_prefix: '/down', backend: 'none' }, { path_prefix: '/dead', backend: 'dead' }],
        error_pages: {
          404: { body: '{"error":"not_found"}', content_type: 'application/json' },
          400: { body: '{"error":"bad_request"}', content_type: 'application/json' },
          503: { file: html },
        },
      },
    },
    backends: {
      app: { servers: { a: { address: app.address } } },
      none: { servers: { s: { address: app.address, state: 'maint' } } },
      dead: { retries: 0, servers: { d: { address: `127.0.0.1:${dead}` } } },
    },
  };
  const gw = await startInProcess(config);
  try {
    const missing = await request(`${gw.url}/nowhere`);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['content-type'], 'application/json');
    assert.deepEqual(await missing.body.json(), { error: 'not_found' });

    const down = await request(`${gw.url}/down/x`);
    assert.equal(down.statusCode, 503);
    assert.equal(down.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(await down.body.text(), '<h1>Down for maintenance</h1>\n');

    // refused by the HTTP parser (two Content-Lengths): the 400 page, and the connection closed
    const smuggled = await rawRequest(gw.port, 'POST /app HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab');
    assert.equal(smuggled.status, 400);
    assert.match(smuggled.text, /\r\n\r\n\{"error":"bad_request"\}$/);
    assert.equal(smuggled.closed, true);

    const failed = await request(`${gw.url}/dead/x`);
    assert.equal(failed.statusCode, 502);
    assert.equal(await failed.body.text(), 'Bad Gateway: the upstream server could not be reached or failed\n', 'no 502 page: the default');
    assert.equal((await request(`${gw.url}/app/x`)).statusCode, 200);

    // a reload re-reads the file
    writeFileSync(html, '<h1>Back soon</h1>\n');
    await gw.gateway.reload(parseGatewayConfig(config, process.cwd()));
    assert.equal(await (await request(`${gw.url}/down/x`)).body.text(), '<h1>Back soon</h1>\n');
  } finally {
    await gw.close();
  }
});

test('config: 4xx/5xx statuses only, exactly one of file and body, and a file that can be read', async () => {
  const message = configProblems({
    frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', error_pages: { 200: { body: 'x' }, 502: { body: 'x', file: 'y' } } } },
    backends: { app: { servers: { a: { address: app.address } } } },
  });
  assert.match(message, /frontends\.web\.error_pages\.200: expected a 4xx or 5xx status/);
  assert.match(message, /frontends\.web\.error_pages\.502: give exactly one of file, body/);
  await assert.rejects(
    startInProcess({ frontends: { web: { bind: '127.0.0.1:0', default_backend: 'app', error_pages: { 503: { file: '/nonexistent/503.html' } } } }, backends: { app: { servers: { a: { address: app.address } } } } }),
    /frontends\.web\.error_pages\.503\.file: cannot read \/nonexistent\/503\.html \(ENOENT\)/,
  );
});
