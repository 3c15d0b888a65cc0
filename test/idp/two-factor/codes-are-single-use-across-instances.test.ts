/**
 * Two identity provider instances on one PostgreSQL database (behind a round-robin balancer): a
 * `twoFactorId` from one instance completes on the other, and one TOTP code sent to both at the same
 * moment is accepted exactly once — the spend is a compare-and-set in the database, not a per-process memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { postgresSchema } from '../engines.js';
import { startTestIdp } from '../support.js';
import { appCode, clock, statusOf } from './support.js';

test('a twoFactorId crosses instances, and one code sent to two instances at once wins once', async (t) => {
  const db = await postgresSchema(t, 'gatehouse_2fa');
  if (db === undefined) return;
  const time = clock();
  const a = await startTestIdp({ database: db.database, now: () => time.ms });
  const b = await startTestIdp({ database: db.database, now: () => time.ms });
  try {
    const ca = new FusionAuthClient(a.adminKey, a.url);
    const cb = new FusionAuthClient(a.adminKey, b.url);
    const userId = (await ca.createUser(null as never, { user: { email: 'two@example.com', password: 'two instances' } })).response.user!.id!;
    const secret = (await cb.generateTwoFactorSecret()).response.secretBase32Encoded!;
    assert.ok((await cb.enableTwoFactor(userId, { method: 'authenticator', secretBase32Encoded: secret, code: await appCode(secret, time) })).response.recoveryCodes);
    time.nextStep();

    const fromA = await ca.login({ loginId: 'two@example.com', password: 'two instances' });
    assert.equal(fromA.statusCode, 242);
    assert.equal((await cb.twoFactorLogin({ twoFactorId: fromA.response.twoFactorId!, code: await appCode(secret, time) })).statusCode, 200, 'completed on the other instance');

    for (let round = 0; round < 5; round++) {
      time.nextStep();
      const [first, second] = await Promise.all([ca.login({ loginId: 'two@example.com', password: 'two instances' }), cb.login({ loginId: 'two@example.com', password: 'two instances' })]);
      const code = await appCode(secret, time);
      const statuses = await Promise.all([
        statusOf(ca.twoFactorLogin({ twoFactorId: first.response.twoFactorId!, code })),
        statusOf(cb.twoFactorLogin({ twoFactorId: second.response.twoFactorId!, code })),
      ]);
      assert.deepEqual(statuses.sort(), [200, 421], `round ${round}: exactly one instance accepts the code`);
    }
  } finally {
    await b.close();
    await a.close();
    await db.drop();
  }
});
