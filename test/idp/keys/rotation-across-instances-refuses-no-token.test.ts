/**
 * Key rotation across instances refuses no valid token: two identity providers on one PostgreSQL
 * database behind a round-robin proxy (whose URL is the issuer), a gateway trusting each instance's JWKS
 * and one finding the keys by OIDC discovery through the proxy, logins alternating between the instances
 * and every token sent to every gateway, while the application's access-token key is rotated twice (once
 * through each instance). Before: instance B served its JWKS from a 5 s per-process cache that only the
 * writing instance cleared, gateway B's unknown-kid refetch got that stale set and then waited its 30 s
 * cool-down, refusing valid tokens. Now: key writes are announced with LISTEN/NOTIFY, no instance signs
 * with a key less than 1.2 s old (other instances' caches live at most 1 s), and the gateways (`jwks` and
 * `discovery`) retry an unknown-kid refetch that still lacks the kid. Old tokens stay valid until they
 * expire.
 *
 * The gateways keep the default 30 s cool-down. It counts from the gateway's last key fetch of any kind
 * (the load, a background refresh), so a rotation within 30 s of that fetch would still be refused until
 * the cool-down ends — the bounded retry does not change that. Rather than sleep, the gateways' clock is
 * moved 31 s ahead before each rotation (docs/auth.md, "Rotation").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdp, type RunningIdp } from '../../../src/idp/index.js';
import { createAuthPolicy } from '../../../src/gateway/auth/index.js';
import type { AuthPolicyFactory } from '../../../src/gateway/index.js';
import { startRoundRobinProxy } from '../../support/round-robin-proxy.js';
import { startInProcess, type InProcessGateway } from '../../gateway/support/in-process.js';
import { startUpstream } from '../../gateway/support/upstream.js';
import { capturingLogger, decodeJwt } from '../support.js';
import { postgresSchema } from '../engines.js';

const KEY = 'rotation-admin-key-0123456789abcdef';
const FAST_HASHING = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

test('rotating the signing key under load with 2 IdPs and 3 gateways (JWKS of each, discovery through the proxy), default cool-down: 0 valid tokens refused', async (t) => {
  const db = await postgresSchema(t, 'gatehouse_rotation');
  if (db === undefined) return;
  const upstreams: string[] = [];
  const proxy = await startRoundRobinProxy(upstreams);
  const ISSUER = proxy.url;
  const kickstart = {
    variables: { appId: '#{UUID()}' },
    apiKeys: [{ key: KEY }],
    requests: [
      { method: 'PATCH', url: '/api/tenant/#{FUSIONAUTH_TENANT_ID}', body: { tenant: { issuer: ISSUER } } },
      { method: 'POST', url: '/api/application/#{appId}', body: { application: { name: 'Rotating', jwtConfiguration: { enabled: true, timeToLiveInSeconds: 600 }, roles: [{ name: 'viewer' }] } } },
      { method: 'POST', url: '/api/user/registration', body: { user: { email: 'load@example.com', password: 'load-password' }, registration: { applicationId: '#{appId}', roles: ['viewer'] } } },
    ],
  };
  const idps: RunningIdp[] = [];
  const gateways: InProcessGateway[] = [];
  const upstream = await startUpstream('api');
  try {
    idps.push(await startIdp({ port: 0, database: db.database, kickstart, logger: capturingLogger([]), passwordHashing: FAST_HASHING }));
    idps.push(await startIdp({ port: 0, database: db.database, logger: capturingLogger([]), passwordHashing: FAST_HASHING }));
    upstreams.push(...idps.map((idp) => idp.url));
    const api = (idp: RunningIdp, method: string, path: string, body?: unknown) =>
      fetch(`${idp.url}${path}`, { method, headers: { authorization: KEY, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const app = ((await (await api(idps[0]!, 'GET', '/api/application')).json()) as { applications: { id: string }[] }).applications[0]!;
    // the gateways' clock, moved ahead by hand so that a rotation comes after their default cool-down
    let ahead = 0;
    const createPolicy: AuthPolicyFactory = (name, config, context) => createAuthPolicy(name, config, { ...context, now: () => Date.now() + ahead });
    const keySources = [...idps.map((idp) => ({ jwks: `${idp.url}/.well-known/jwks.json` })), { discovery: true }];
    for (const keys of keySources) {
      gateways.push(
        await startInProcess(
          {
            auth: { idp: { issuer: ISSUER, audience: [app.id], keys } },
            frontends: { web: { bind: '127.0.0.1:0', auth: 'idp', routes: [{ path_prefix: '/', backend: 'api', auth: { policy: 'idp', roles: ['viewer'] } }] } },
            backends: { api: { servers: { s1: { address: upstream.address } } } },
          },
          'web',
          createPolicy,
        ),
      );
    }

    let sent = 0;
    const refused: string[] = [];
    const kids = new Set<string>();
    const early: string[] = [];
    let stop = false;
    const load = async (worker: number) => {
      for (let i = worker; !stop; i++) {
        const idp = idps[i % 2]!;
        const login = await api(idp, 'POST', '/api/login', { loginId: 'load@example.com', password: 'load-password', applicationId: app.id });
        assert.equal(login.status, 200);
        const token = ((await login.json()) as { token: string }).token;
        kids.add(decodeJwt(token).header.kid as string);
        if (early.length < 3) early.push(token);
        for (const gateway of gateways) {
          const answer = await fetch(`${gateway.url}/orders`, { headers: { authorization: `Bearer ${token}` } });
          await answer.arrayBuffer();
          sent++;
          if (answer.status !== 200) refused.push(`${answer.status} via gateway ${gateways.indexOf(gateway)} from idp ${i % 2}`);
        }
      }
    };
    const workers = [0, 1, 2, 3].map((w) => load(w));
    const rotate = async (idp: RunningIdp, name: string) => {
      ahead += 31_000;
      const generated = await api(idp, 'POST', '/api/key/generate', { key: { algorithm: 'RS256', name, length: 2048 } });
      assert.equal(generated.status, 200);
      const { id: keyId, kid } = ((await generated.json()) as { key: { id: string; kid: string } }).key;
      // every instance's JWKS serves the new key within a second of the write (LISTEN/NOTIFY)
      const written = performance.now();
      for (const other of idps) {
        while (!((await (await fetch(`${other.url}/.well-known/jwks.json`)).text()).includes(kid))) {
          assert.ok(performance.now() - written < 1_000, `${other.url} serves the new key within 1 s`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      assert.equal((await api(idp, 'PATCH', `/api/application/${app.id}`, { application: { jwtConfiguration: { accessTokenKeyId: keyId } } })).status, 200);
    };
    await new Promise((r) => setTimeout(r, 1_500));
    await rotate(idps[0]!, 'rotation 1');
    await new Promise((r) => setTimeout(r, 2_500));
    await rotate(idps[1]!, 'rotation 2');
    await new Promise((r) => setTimeout(r, 2_500));
    stop = true;
    await Promise.all(workers);

    const denials = gateways.flatMap((g) => g.logs.filter((l) => l.log !== 'access')).map((l) => [l.msg, l.keys ?? l.problem, l.time]);
    assert.deepEqual(refused, [], `${refused.length} of ${sent} valid tokens refused: ${JSON.stringify(denials)}`);
    assert.equal(kids.size, 3, 'tokens were signed with the first key and both rotated-in keys');
    assert.ok(proxy.log.some((r) => r.path === '/.well-known/openid-configuration'), 'the discovery gateway read discovery through the proxy');
    assert.ok(sent > 40, `enough load (${sent} requests)`);
    for (const token of early) {
      for (const gateway of gateways) assert.equal((await fetch(`${gateway.url}/orders`, { headers: { authorization: `Bearer ${token}` } })).status, 200, 'an old token stays valid');
    }
  } finally {
    for (const gateway of gateways) await gateway.close();
    for (const idp of idps) await idp.close();
    await proxy.close();
    await upstream.close();
    await db.drop();
  }
});
