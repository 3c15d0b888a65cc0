/**
 * `up`'s development mailbox: a real identity provider whose tenant `configureDemoMail` points at the
 * mailbox sends a forgot-password email (nodemailer → smtp-server); the mailbox stores the .eml and a
 * readable .txt whose link (encoded in the .eml: it is longer than a mail line) is intact and
 * opens the hosted change-password page. The walkthrough's note names the folder and a command to read
 * the newest message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { configureDemoMail, renderMailNote } from '../../../src/cli/up/demo-mail.js';
import { startDevMailbox } from '../../../src/cli/up/mailbox.js';
import type { DemoState } from '../../../src/cli/up/demo-state.js';
import { createLogger } from '../../../src/shared/logger.js';
import { startTestIdp, tempDir } from '../../idp/support.js';

test('the development mailbox stores what the identity provider sends, readable, with a working link', async () => {
  const dir = tempDir('gatehouse-devmail-');
  const mailbox = await startDevMailbox(join(dir, 'mail'), createLogger({ level: 'silent' }));
  const idp = await startTestIdp({ passwordHashing: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });
  try {
    const app = (await idp.api('POST', '/api/application', { application: { name: 'Demo app' } })).body.application;
    await configureDemoMail(idp.url, { adminApiKey: idp.adminKey, applicationId: app.id } as DemoState, mailbox.port);
    await idp.api('POST', '/api/user', { user: { email: 'demo@example.com', password: 'demo-password' } });
    assert.equal((await idp.api('POST', '/api/user/forgot-password', { loginId: 'demo@example.com', applicationId: app.id })).status, 200);

    let names: string[] = [];
    for (let i = 0; i < 400 && names.length < 2; i++) {
      names = readdirSync(mailbox.dir).sort();
      if (names.length < 2) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(names.length, 2, `stored: ${names.join(', ')}`);
    assert.match(names[0]!, /^00001-.*\.eml$/);
    const eml = readFileSync(join(mailbox.dir, names[0]!), 'utf8');
    const txt = readFileSync(join(mailbox.dir, names[1]!), 'utf8');
    assert.match(txt, /^From: .*no-reply@localhost/m);
    assert.match(txt, /^To: demo@example\.com$/m);
    assert.match(txt, /^Subject: Reset your Demo app password$/m);
    const link = /https?:\/\/\S+/.exec(txt)?.[0];
    assert.ok(link !== undefined && link.startsWith(`${idp.url}/password/change/`), txt);
    assert.match(eml, /^Subject: Reset your Demo app password/m, 'the message as received');
    const page = await fetch(link);
    assert.equal(page.status, 200, 'the link opens the change-password page');

    const note = renderMailNote('./data/mail', mailbox.port, 'http://localhost:9011');
    assert.match(note, /\.\/data\/mail\//);
    assert.match(note, /http:\/\/localhost:9011\/admin\/mail/);
    assert.match(note, new RegExp(`127\\.0\\.0\\.1:${mailbox.port}`));
  } finally {
    await idp.close();
    await mailbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
