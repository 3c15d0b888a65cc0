/** The Gateway page's gatehouse.yaml parses with the gateway's own loader, both variants, whatever the names hold. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { parseGatewayConfig } from '../../../src/gateway/index.js';
import { gatewayPolicyYaml, policyName } from '../../../src/idp/admin/pages/gateway.js';
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
