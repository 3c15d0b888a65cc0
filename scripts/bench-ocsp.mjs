#!/usr/bin/env node
// What OCSP stapling costs a TLS handshake (docs/benchmarks.md "OCSP stapling"): a one-process gateway
// (no workers) with one ECDSA P-256 certificate, full TLS 1.3 handshakes only (a new connection each, no
// resumption, closed once the handshake is done), HANDSHAKES per measurement, 4 at a time, from a Node
// client. Measured: the gateway process's CPU time (user+sys from /proc/<pid>/stat) per handshake, and
// handshakes/s. Variants, alternated ROUNDS times, each gateway started fresh:
//   base         BASE's build (no OCSP code), the client does not ask for status
//   off/ask      this build, tls.ocsp off, the client asks (status_request; nothing to staple)
//   file/no-ask  this build, tls.ocsp file with site.pem.ocsp, the client does not ask
//   file/ask     the same, the client asks: the response (659 bytes, with the signer certificate) is stapled
//   BASE=/path/to/built/checkout ROUNDS=5 HANDSHAKES=3000 [VARIANTS=base,file/ask] node scripts/bench-ocsp.mjs
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';

const here = resolve(import.meta.dirname, '..');
const base = process.env.BASE;
const rounds = Number(process.env.ROUNDS ?? 5);
const handshakes = Number(process.env.HANDSHAKES ?? 3000);
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-ocsp-'));
const run = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '7', '-subj', '/CN=bench CA');
run('req', ...ec, '-keyout', 'site.key', '-out', 'site.csr', '-subj', '/CN=localhost');
writeFileSync(join(dir, 'site.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n');
run('x509', '-req', '-in', 'site.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7', '-extfile', 'site.ext', '-out', 'leaf.pem');
writeFileSync(join(dir, 'site.pem'), readFileSync(join(dir, 'leaf.pem'), 'utf8') + readFileSync(join(dir, 'ca.pem'), 'utf8'));
const serial = run('x509', '-in', 'leaf.pem', '-noout', '-serial').toString().trim().replace('serial=', '');
writeFileSync(join(dir, 'index.txt'), `V\t301231000000Z\t\t${serial}\tunknown\t/CN=localhost\n`);
run('ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-no_nonce', '-reqout', 'req.der');
run('ocsp', '-index', 'index.txt', '-CA', 'ca.pem', '-rsigner', 'ca.pem', '-rkey', 'ca.key', '-reqin', 'req.der', '-respout', 'site.pem.ocsp', '-ndays', '1');
const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
const yaml = (ocsp) => `access_log: false\nfrontends:\n  web: { bind: "127.0.0.1:0", default_backend: app, tls: { cert: ./site.pem, key: ./site.key${ocsp ? `, ocsp: ${ocsp}` : ''} } }\nbackends:\n  app: { servers: { a: { address: "127.0.0.1:9" } } }\n`;
writeFileSync(join(dir, 'plain.yaml'), yaml(undefined));
writeFileSync(join(dir, 'off.yaml'), yaml('off'));
writeFileSync(join(dir, 'file.yaml'), yaml('file'));

function start(cli, config) {
  const child = spawn(process.execPath, [cli, 'gateway', '--config', join(dir, config)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, GATEHOUSE_LOG_LEVEL: 'info' } });
  return new Promise((resolveStart, reject) => {
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data) => {
      buffer += data;
      const port = /"port":(\d+)/.exec(buffer)?.[1];
      if (port !== undefined) resolveStart({ child, port: Number(port) });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited ${code}`)));
  });
}

const cpu = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks (100/s) → ms
};

function handshake(port, ask) {
  return new Promise((done, fail) => {
    let stapled = false;
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, requestOCSP: ask, minVersion: 'TLSv1.3' }, () => {
      socket.destroy();
      done(stapled);
    });
    socket.on('OCSPResponse', (der) => (stapled = der != null && der.length > 0));
    socket.on('error', fail);
  });
}

async function measure(cli, config, ask) {
  const { child, port } = await start(cli, config);
  for (let i = 0; i < 200; i++) await handshake(port, ask); // warm-up
  const before = cpu(child.pid);
  const started = process.hrtime.bigint();
  let next = 0;
  let stapled = 0;
  const worker = async () => {
    while (next++ < handshakes) if (await handshake(port, ask)) stapled++;
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = cpu(child.pid) - before;
  child.kill();
  await new Promise((r) => child.once('exit', r));
  return { usPerHandshake: (used * 1000) / handshakes, perSecond: handshakes / seconds, stapled };
}

const variants = [
  ...(base === undefined ? [] : [['base', join(base, 'dist/src/cli/main.js'), 'plain.yaml', false]]),
  ['off/ask', join(here, 'dist/src/cli/main.js'), 'off.yaml', true],
  ['file/no-ask', join(here, 'dist/src/cli/main.js'), 'file.yaml', false],
  ['file/ask', join(here, 'dist/src/cli/main.js'), 'file.yaml', true],
];
const picked = process.env.VARIANTS?.split(',');
if (picked !== undefined) variants.splice(0, variants.length, ...variants.filter(([name]) => picked.includes(name)));
const results = new Map(variants.map(([name]) => [name, []]));
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const [name, cli, config, ask] of order) {
      const r = await measure(cli, config, ask);
      results.get(name).push(r);
      console.log(`round ${round + 1} ${name}: ${r.usPerHandshake.toFixed(0)} µs CPU/handshake, ${r.perSecond.toFixed(0)} handshakes/s, ${r.stapled} stapled`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log('\nvariant       µs CPU/handshake (median, range)   handshakes/s (median)');
  for (const [name, rs] of results) {
    const us = rs.map((r) => r.usPerHandshake);
    console.log(`${name.padEnd(13)} ${median(us).toFixed(0).padStart(5)} (${Math.min(...us).toFixed(0)}–${Math.max(...us).toFixed(0)})               ${median(rs.map((r) => r.perSecond)).toFixed(0)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
