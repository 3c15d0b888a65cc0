/**
 * A 1 GiB upload passes through the gateway (a real process) with bounded memory: the body is a
 * generated stream, the upstream counts the bytes, and the gateway's resident memory (VmRSS from
 * /proc/<pid>/status, sampled during the upload) stays far below the body size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { startGatewayProcess } from './support/gateway-process.js';
import { startUpstream, type Echo } from './support/upstream.js';

const GIB = 1024 * 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 0x61);

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? 0 : Number(match[1]) * 1024;
}

function generated(total: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(CHUNK.length, total - sent);
      sent += size;
      this.push(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size));
    },
  });
}

test('a 1 GiB streaming upload passes with bounded gateway memory', { timeout: 240_000 }, async () => {
  const upstream = await startUpstream('sink');
  const gateway = await startGatewayProcess(`
frontends:
  web: { bind: "127.0.0.1:0", default_backend: app }
backends:
  app: { servers: { sink: { address: "${upstream.address}" } } }
`);
  try {
    await gateway.waitForLine((l) => l.frontend === 'web' && typeof l.port === 'number');
    const pid = gateway.child.pid as number;
    const baseline = rssBytes(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 100);
    const echo = await new Promise<Echo>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: gateway.port('web'), method: 'POST', path: '/upload', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text) as Echo) : reject(new Error(`status ${res.statusCode}: ${text}`))));
      });
      req.on('error', reject);
      generated(GIB).pipe(req);
    });
    clearInterval(sampler);
    assert.equal(echo.bytes, GIB, 'every byte reached the upstream');
    assert.equal(echo.headers['transfer-encoding'], 'chunked');
    const growth = peak - baseline;
    console.log(`gateway RSS: baseline ${(baseline / 2 ** 20).toFixed(0)} MiB, peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
    assert.ok(growth < 128 * 1024 * 1024, `RSS grew by ${(growth / 2 ** 20).toFixed(0)} MiB for a 1024 MiB upload`);
  } finally {
    await gateway.stop();
    await upstream.close();
  }
});
