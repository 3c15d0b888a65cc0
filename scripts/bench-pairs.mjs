// Side-by-side pinned pairs of two Gatehouse builds on the seed's JWT policy (docs/benchmarks.md): one
// gateway worker on CPU 0, nginx and wrk on CPU 1, the builds alternated, CPU µs per request of each and
// their medians. Needs `npm run build` here and a built checkout of the other build.
//   BUILDS=this:.,base:/path/to/other/checkout PAIRS=8 SECS=4 SCENARIO=reused|distinct [PROXY=1] [PROF=1] node scripts/bench-pairs.mjs
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
process.env.GATEHOUSE_BENCH_PIN = '1';
const D = new URL('../dist', import.meta.url).pathname;
const { makeTokens } = await import(`${D}/bench/support/tokens.js`);
const { startUpstream } = await import(`${D}/bench/support/upstream.js`);
const { runWrk } = await import(`${D}/bench/support/wrk.js`);
const { treeCpuSeconds, pinning } = await import(`${D}/bench/support/cpu.js`);
const { gatehouseSeedConfig } = await import(`${D}/test/gateway/auth/e2e/seed-setup.js`);
const { startProcess, freePort } = await import(`${D}/test/gateway/auth/e2e/processes.js`);
const pairs = Number(process.env.PAIRS ?? 4), secs = Number(process.env.SECS ?? 4);
const builds = (process.env.BUILDS ?? 'this:.').split(',').map((s) => s.split(':'));
const scenario = process.env.SCENARIO ?? 'distinct';
const pin = pinning(1);
const w = mkdtempSync(join(tmpdir(), 'jp-'));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pubkey = join(w, 'pubkey.pem'); writeFileSync(pubkey, publicKey.export({ type: 'spki', format: 'pem' }));
const file = join(w, 't.txt');
writeFileSync(file, (await makeTokens(scenario === 'distinct' ? 60000 : 1000, privateKey, 'd')).join('\n') + '\n');
const up = await startUpstream(w, pin.load);
const res = {};
for (let p = 0; p < pairs; p++) for (const [name, dir] of (p % 2 ? [...builds].reverse() : builds)) {
  const port = await freePort();
  const cfg = join(w, `${name}.yaml`);
  let text = gatehouseSeedConfig({ pubkeyPath: pubkey, upstream: up.address, port, workers: 1, accessLog: false });
  // PROXY=1: the same frontend without its auth policy (the top-level auth: block and the frontend's reference)
  if (process.env.PROXY === '1') text = text.replace(/^auth:\n(?: .*\n)*/m, '').replace(/, auth: \w+/, '');
  writeFileSync(cfg, text);
  const extra = process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(w, `prof-${name}`)}`] : [];
  const r = await startProcess(...pin.target(process.execPath, [...extra, `${dir}/dist/src/cli/main.js`, 'gateway', '--config', cfg]), port, { GATEHOUSE_LOG_LEVEL: 'warn' });
  try {
    const url = `http://127.0.0.1:${port}/`;
    await runWrk({ url, tokensFile: file, connections: 50, threads: 1, durationS: 1, workDir: w, wrap: pin.load });
    const pid = r.child.pid; const c0 = treeCpuSeconds(pid);
    const m = await runWrk({ url, tokensFile: file, connections: 50, threads: 1, durationS: secs, workDir: w, wrap: pin.load });
    const us = (treeCpuSeconds(pid) - c0) * 1e6 / m.requests;
    (res[name] ??= []).push(us);
    console.log(`pair ${p} ${name} ${m.requestsPerSecond.toFixed(0)} req/s ${us.toFixed(1)} us/req non2xx ${m.non2xx}`);
  } finally { await r.stop(); }
}
await up.stop();
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [n] of builds) console.log(n, 'median us/req', med(res[n]).toFixed(1));
