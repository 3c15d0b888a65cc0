/**
 * Contract C4, the listener's side: on a Node without the parser internals the own HTTP/1.1 server needs
 * (simulated in a child process by deleting `_http_common`'s HTTPParser before the gateway loads), a plain
 * frontend is served by node:http instead, with a warning at start, and answers requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const IN_PROCESS = new URL('../support/in-process.js', import.meta.url).href;

test('without the parser internals a plain frontend falls back to node:http, warns, and answers', () => {
  const script = `
    import { createRequire } from 'node:module';
    import { request } from 'node:http';
    const require = createRequire(import.meta.url);
    require('node:http');
    delete require('_http_common').HTTPParser;
    const { startInProcess } = await import(${JSON.stringify(IN_PROCESS)});
    const gw = await startInProcess({
      access_log: false,
      frontends: { web: { bind: '127.0.0.1:0', routes: [{ path_prefix: '/', return: { body: 'answered' } }] } },
      backends: {},
    });
    const answer = await new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: gw.port, path: '/x', headers: { host: 'a.test' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body, keepAlive: res.headers['keep-alive'] }));
      }).on('error', reject).end();
    });
    const warning = gw.logs.find((l) => l.level === 40 && l.frontend === 'web');
    await gw.close();
    console.log(JSON.stringify({ answer, warning }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr.slice(-800));
  const out = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { answer: { status: number; body: string; keepAlive?: string }; warning?: { msg: string; reason: string } };
  assert.equal(out.answer.status, 200);
  assert.equal(out.answer.body, 'answered');
  assert.match(out.answer.keepAlive ?? '', /timeout=/, 'node:http answered');
  assert.match(out.warning?.msg ?? '', /serving with node:http instead/);
  assert.match(out.warning?.reason ?? '', /HTTPParser/);
});
