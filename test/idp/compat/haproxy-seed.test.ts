/**
 * The identity provider's tokens pass the seed's HAProxy checks: real HAProxy 2.6 with the seed's
 * haproxy.cfg lines, pubkey.pem copied from Key Master's "Access token signing key generated for
 * application <name>", and a token from the seed's POST /api/login. Without a token: 403 with the seed's
 * message; with a token for another audience: the audience message.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canConnect, requireExecutable } from '../../support/services.js';
import { startTestIdp, type TestIdp } from '../support.js';
import { seedRules } from '../../gateway/auth/e2e/seed-setup.js';

const KICKSTART = fileURLToPath(new URL('../../../../test/idp/seed-kickstart.json', import.meta.url));
const APPLICATION_ID = '63b73f76-7400-487d-b122-5705b848da80';
const ADMIN = { authorization: 'seed-admin-key-0123456789abcdef' };

let idp: TestIdp;
let upstream: Server;
before(async () => {
  idp = await startTestIdp({ kickstart: KICKSTART });
  upstream = createServer((_req, res) => res.end('hello from the service\n'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  upstream.close();
  await idp.close();
});

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function seedConfig(port: number, upstreamPort: number, issuer: string, audience: string, pubkey: string): string {
  return `global
  maxconn 100

defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s

frontend myfrontend
  bind 127.0.0.1:${port}
${seedRules(issuer, audience, pubkey)}  default_backend service

backend service
  server s1 127.0.0.1:${upstreamPort}
`;
}

test("a token from the seed's login passes the seed's HAProxy checks", async (t) => {
  const haproxyPath = requireExecutable(t, '/usr/sbin/haproxy');
  if (haproxyPath === false) return;
  const keys = (await idp.api('GET', '/api/key', undefined, ADMIN)).body.keys as { name: string; publicKey: string }[];
  const pubkey = join(idp.dir, 'pubkey.pem');
  writeFileSync(pubkey, keys.find((k) => k.name === 'Access token signing key generated for application HAProxy')!.publicKey);
  const config = join(idp.dir, 'haproxy.cfg');
  const port = await freePort();
  writeFileSync(config, seedConfig(port, (upstream.address() as { port: number }).port, 'https://fusionauth.ritza.co', APPLICATION_ID, pubkey));
  const haproxy: ChildProcess = spawn(haproxyPath, ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  haproxy.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    for (let i = 0; i < 100 && !(await canConnect('127.0.0.1', port, 200)); i++) {
      if (haproxy.exitCode !== null) assert.fail(`haproxy exited: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const gateway = `http://127.0.0.1:${port}/`;
    const noToken = await fetch(gateway);
    assert.equal(noToken.status, 403);
    assert.equal(await noToken.text(), 'Missing Authorization HTTP header');

    const login = await idp.api('POST', '/api/login', { loginId: 'bob@aws.com', password: 'password123', applicationId: APPLICATION_ID, noJWT: false }, { authorization: 'seed-login-key-0123456789abcdef' });
    assert.equal(login.status, 200);
    const ok = await fetch(gateway, { headers: { authorization: `Bearer ${login.body.token}` } });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'hello from the service\n');

    const noAudience = await idp.api('POST', '/api/login', { loginId: 'bob@aws.com', password: 'password123' }, { authorization: 'seed-login-key-0123456789abcdef' });
    const wrongAudience = await fetch(gateway, { headers: { authorization: `Bearer ${noAudience.body.token}` } });
    assert.equal(wrongAudience.status, 403);
    assert.equal(await wrongAudience.text(), 'Unsupported JWT signing algorithm', 'a login without applicationId is signed by the tenant HS256 key');

    const [h, p, s] = (login.body.token as string).split('.');
    const forged = `${h}.${p}.${s!.slice(0, -6)}AAAAAA`;
    const badSignature = await fetch(gateway, { headers: { authorization: `Bearer ${forged}` } });
    assert.equal(badSignature.status, 403);
    assert.equal(await badSignature.text(), 'Invalid JWT signature');
  } finally {
    haproxy.kill('SIGKILL');
  }
});
