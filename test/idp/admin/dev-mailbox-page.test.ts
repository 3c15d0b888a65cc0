/**
 * The admin console's /admin/mail lists the development mailbox (`gatehouse up`'s data/mail): a real
 * forgot-password email sent by the IdP through nodemailer to the mailbox's SMTP server shows there with
 * its subject and link, behind the console's sign-in; an IdP without a development mailbox says it has none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDevMailbox } from '../../../src/cli/up/mailbox.js';
import { createLogger } from '../../../src/shared/logger.js';
import { tempDir } from '../support.js';
import { PLAIN, adminSession, startConsoleIdp } from './support.js';

test('/admin/mail lists what the development mailbox received', async () => {
  const dir = tempDir('gatehouse-admin-mail-');
  const mailbox = await startDevMailbox(join(dir, 'mail'), createLogger({ level: 'silent' }));
  const idp = await startConsoleIdp({ devMailbox: mailbox.dir });
  const plain = await startConsoleIdp();
  try {
    const tenantId = (await idp.api('GET', '/api/tenant')).body.tenants[0].id as string;
    await idp.api('PATCH', `/api/tenant/${tenantId}`, {
      tenant: { emailConfiguration: { host: '127.0.0.1', port: mailbox.port, security: 'NONE', defaultFromEmail: 'no-reply@localhost', forgotPasswordEmailTemplateId: '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0001' } },
    });
    assert.equal((await idp.api('POST', '/api/user/forgot-password', { loginId: PLAIN.loginId })).status, 200);
    for (let i = 0; i < 400 && readdirSync(mailbox.dir).filter((n) => n.endsWith('.txt')).length === 0; i++) await new Promise((r) => setTimeout(r, 50));

    assert.equal((await fetch(`${idp.url}/admin/mail`, { redirect: 'manual' })).status, 303, 'behind the sign-in');
    const session = await adminSession(idp.url);
    const page = await (await session.get('/admin/mail')).text();
    assert.match(page, /Reset your Default password/);
    assert.match(page, /To plain@example\.com/);
    assert.match(page, new RegExp(`${idp.url.replace(/[.]/g, '\\.')}/password/change/[A-Za-z0-9_-]{43}`));
    assert.match(await (await session.get('/admin/')).text(), /href="\/admin\/mail"/, 'the home page links to it');

    const other = await adminSession(plain.url);
    assert.match(await (await other.get('/admin/mail')).text(), /No development mailbox/);
    assert.doesNotMatch(await (await other.get('/admin/')).text(), /\/admin\/mail/);
  } finally {
    await idp.close();
    await plain.close();
    await mailbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
