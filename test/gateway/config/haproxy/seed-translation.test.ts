/**
 * The seed's haproxy.cfg translates to the gateway config a gatehouse.yaml user would write for the seed
 * (a response: seed policy with the same checks), validated by the same schema; rule sets that differ
 * from the seed's are refused naming the line, not approximated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { parseGatewayConfig } from '../../../../src/gateway/config/index.js';
import { seedCfg, SEED_AUDIENCE, SEED_ISSUER } from './seed-cfg.js';

const cfg = seedCfg({ bind: '127.0.0.1:8080', upstream: '127.0.0.1:9000', pubkeyPath: '/etc/haproxy/pubkey.pem' });

test("the seed's file becomes a seed-mode policy with its alg, issuer, audience and PEM, on its frontend", () => {
  const t = translateHaproxy(cfg, 'haproxy.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual(t.config.auth, {
    'myfrontend-jwt': { response: 'seed', algorithms: ['RS256'], issuer: [SEED_ISSUER], audience: [SEED_AUDIENCE], keys: { file: '/etc/haproxy/pubkey.pem' } },
  });
  assert.deepEqual(t.config.frontends, { myfrontend: { bind: '127.0.0.1:8080', auth: 'myfrontend-jwt', default_backend: 'webservers' } });
  assert.deepEqual(t.config.backends, { webservers: { servers: { s1: { address: '127.0.0.1:9000' } } } });
  assert.deepEqual(t.config.timeouts, { client: 10_000, connect: 5_000, server: 10_000, http_request: 10_000 });
  assert.match(t.notices.join('\n'), /stricter checks still apply \(docs\/security\.md/);
  const config = parseGatewayConfig(t.config, '/etc/haproxy', 'haproxy.cfg');
  assert.equal(config.auth['myfrontend-jwt']?.response, 'seed');
});

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function errorsFor(edit: (text: string) => string): string[] {
  return [...translateHaproxy(edit(cfg), 'haproxy.cfg', { env: {} }).errors];
}

test('a changed deny message is refused naming its line (the seed mode answers the seed\'s bodies)', () => {
  const text = cfg.replace("'Invalid JWT issuer'", "'Bad issuer'");
  const errors = errorsFor(() => text);
  assert.equal(errors.length, 1);
  assert.match(errors[0] as string, new RegExp(`^haproxy\\.cfg:${lineOf(text, 'Bad issuer')}: ".*Bad issuer.*": the issuer check must answer as the seed does`));
});

test('a missing check is refused: the policy would check more than the file says', () => {
  const errors = errorsFor((t) => t.split('\n').filter((l) => !l.includes('JWT has expired')).join('\n'));
  assert.match(errors.join('\n'), /without the seed's expiry check/);
});

test('checks out of order are refused', () => {
  const errors = errorsFor((t) => {
    const lines = t.split('\n');
    const iss = lines.findIndex((l) => l.includes('Invalid JWT issuer'));
    const aud = lines.findIndex((l) => l.includes('Invalid JWT audience'));
    [lines[iss], lines[aud]] = [lines[aud] as string, lines[iss] as string];
    return lines.join('\n');
  });
  assert.match(errors.join('\n'), /the issuer check comes after the audience check/);
});

test('jwt_verify against a literal algorithm or another claim is not the seed\'s rule', () => {
  const errors = errorsFor((t) => t.replace('jwt_verify(txn.alg,', 'jwt_verify(txn.iss,'));
  assert.match(errors.join('\n'), /not one of the seed's six JWT checks/);
});

test('a case-insensitive issuer match (-i) is refused (Gatehouse compares exactly)', () => {
  const errors = errorsFor((t) => t.replace(`-m str ${SEED_ISSUER}`, `-i -m str ${SEED_ISSUER}`));
  assert.match(errors.join('\n'), /not one of the seed's six JWT checks/);
});

test('several accepted issuers (HAProxy ORs the patterns) become an issuer list', () => {
  const t = translateHaproxy(cfg.replace(`-m str ${SEED_ISSUER}`, `-m str ${SEED_ISSUER} https://other.example`), 'haproxy.cfg', { env: {} });
  assert.deepEqual(t.errors, []);
  assert.deepEqual((t.config.auth as Record<string, { issuer: string[] }>)['myfrontend-jwt']?.issuer, [SEED_ISSUER, 'https://other.example']);
});

test('the issuer may come from the environment ("${ISSUER}")', () => {
  const t = translateHaproxy(cfg.replace(`-m str ${SEED_ISSUER}`, '-m str "${ISSUER}"'), 'haproxy.cfg', { env: { ISSUER: 'https://env.example' } });
  assert.deepEqual((t.config.auth as Record<string, { issuer: string[] }>)['myfrontend-jwt']?.issuer, ['https://env.example']);
});
