/**
 * Contract C4: the HTTP/1.1 server reaches llhttp through node's undocumented `_http_common`. A Node without
 * it must not fail at import: `nativeParserAvailable()` says false (the listener then serves the frontend
 * with node:http and warns), and only making a server throws, with a message that says why. The missing
 * internals are simulated in a child process by deleting them before the server's modules load. Without
 * llhttp the upstream client cannot parse responses either (it has no node:http fallback): its error names
 * the Node versions package.json's `engines` allows, not an end-of-life one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { nativeParserAvailable, nativeParserMissing } from '../../../src/gateway/http1/index.js';

const INDEX = new URL('../../../src/gateway/http1/index.js', import.meta.url).href;
const UPSTREAM = new URL('../../../src/gateway/upstream/index.js', import.meta.url).href;
const LLHTTP = new URL('../../../src/gateway/http1/llhttp.js', import.meta.url).href;
const ENGINES = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;

test('on this Node the native parser is available', () => {
  assert.equal(nativeParserAvailable(), true);
  assert.equal(nativeParserMissing(), undefined);
});

for (const internal of ['HTTPParser', '_addHeaderLine']) {
  test(`without ${internal}: importing the server (and the upstream client) does not throw, and nativeParserAvailable() is false`, () => {
    const remove = internal === 'HTTPParser' ? `delete require('_http_common').HTTPParser;` : `delete require('node:http').IncomingMessage.prototype._addHeaderLine;`;
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      require('node:http'); // node's own modules take what they need first
      ${remove}
      const http1 = await import(${JSON.stringify(INDEX)});
      await import(${JSON.stringify(UPSTREAM)});
      let thrown = '';
      try { new http1.Http1Server({ maxHeaderSize: 16384 }); } catch (error) { thrown = error.message; }
      let upstream = '';
      try { (await import(${JSON.stringify(LLHTTP)})).responseParser(16384); } catch (error) { upstream = error.message; }
      console.log(JSON.stringify({ available: http1.nativeParserAvailable(), missing: http1.nativeParserMissing(), thrown, upstream }));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 0, result.stderr.slice(-800));
    const out = JSON.parse(result.stdout.trim()) as { available: boolean; missing: string; thrown: string; upstream: string };
    assert.equal(out.available, false);
    assert.match(out.missing, internal === 'HTTPParser' ? /HTTPParser/ : /_addHeaderLine/);
    assert.match(out.thrown, /server: node/);
    if (internal === 'HTTPParser') {
      assert.equal(ENGINES, '>=22');
      assert.match(out.upstream, /HTTPParser.*; run Gatehouse on Node\.js 22 or later \(24 LTS is the baseline\)/);
      assert.doesNotMatch(out.upstream, /Node\.js 20/);
    }
  });
}
