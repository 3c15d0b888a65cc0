/**
 * The Gateway page's gatehouse.yaml parses with the gateway's own loader, both variants, whatever the names
 * hold, with require_registration on; the commands the page prints run as printed after npm ci.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { parseGatewayConfig } from '../../../src/gateway/index.js';
import { escapeHtml } from '../../../src/idp/admin/html.js';
import { gatewayPolicyYaml, policyName, RUN_COMMANDS } from '../../../src/idp/admin/pages/gateway.js';
import { CLI } from '../../cli/cli-process.js';
import { adminSession, startConsoleIdp } from './support.js';
import type { Application, Tenant } from '../../../src/idp/model/types.js';

const app = (name: string) => ({ id: '5ebdd8f7-b9cb-45d9-b05a-a71f39db1bd0', name }) as Application;
const tenant = (issuer: string) => ({ issuer }) as Tenant;

test('both variants are valid gateway configs with the exact issuer and audience', () => {
  const issuers = ['https://local.fusionauth.io', 'https://local.fusionauth.io/', ' http://x:9011 ', 'acme.com', 'http://q"uote#hash: colon'];
  const names = ['HAProxy', '<script>alert(1)</script>', 'Ünïcødé app', '---', 'a'.repeat(200)];
  for (const issuer of issuers) {
    for (const name of names) {
      for (const keys of ['file', 'jwks'] as const) {
        const text = gatewayPolicyYaml({ app: app(name), tenant: tenant(issuer), keys, jwksUrl: 'http://127.0.0.1:9011/.well-known/jwks.json' });
        const config = parseGatewayConfig(parseYaml(text), '/srv');
        const policy = config.auth[policyName(app(name))]!;
        assert.ok(policy, `${name}: policy present`);
        assert.deepEqual(policy.issuer, [issuer]);
        assert.deepEqual(policy.audience, ['5ebdd8f7-b9cb-45d9-b05a-a71f39db1bd0']);
        assert.equal(config.frontends.myfrontend?.auth, policyName(app(name)));
      }
    }
  }
});

test('both variants turn on require_registration (stricter than the seed)', () => {
  for (const keys of ['file', 'jwks'] as const) {
    const config = parseGatewayConfig(parseYaml(gatewayPolicyYaml({ app: app('HAProxy'), tenant: tenant('https://i.example'), keys, jwksUrl: 'http://127.0.0.1:9011/.well-known/jwks.json' })), '/srv');
    assert.equal(config.auth.haproxy?.require_registration, true, keys);
  }
});

test('the page\'s commands run as printed after npm ci: npx gatehouse, flags its --help lists; no bare gatehouse', async (t) => {
  const lines = RUN_COMMANDS.split('\n');
  assert.ok(lines.length >= 2);
  for (const line of lines) {
    const words = /^npx gatehouse (\w+)((?: --?[a-z-]+(?: [^ &]+)?)*)(?: &)?$/.exec(line);
    assert.ok(words, `${line}: npx gatehouse <command> [flags]`);
    const help = spawnSync(process.execPath, [CLI, words[1]!, '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(help.status, 0, help.stderr);
    for (const flag of words[2]!.match(/--[a-z-]+/g) ?? []) assert.ok(help.stdout.includes(flag), `gatehouse ${words[1]} --help lists ${flag}`);
  }
  const idp = await startConsoleIdp();
  t.after(() => idp.close());
  const s = await adminSession(idp.url);
  const created = await idp.api('POST', '/api/application', { application: { name: 'Shop' } });
  assert.equal(created.status, 200);
  const text = await (await s.get(`/admin/applications/${created.body.application.id}/gateway`)).text();
  assert.ok(text.includes(escapeHtml(RUN_COMMANDS)), 'the page shows the commands');
  const words = text.replace(/<[^>]+>/g, ' ');
  assert.deepEqual([...words.matchAll(/(?<!npx )\bgatehouse (up|idp|gateway|echo|check|convert)\b/g)].map((m) => m[0]), [], 'no bare gatehouse command');
  assert.equal((words.match(/require_registration: true/g) ?? []).length, 2);
});
