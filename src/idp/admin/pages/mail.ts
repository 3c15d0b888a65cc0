/**
 * `/admin/mail`: the development mailbox's messages (`gatehouse up` stores every email the identity
 * provider sends in data/mail/, src/cli/up/mailbox.ts), newest first, each with its From, To, Subject and
 * text (links included). Only when the IdP was started with `devMailbox`; otherwise the page says there
 * is none (a production IdP sends to a real SMTP server and keeps no copy).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { html } from '../html.js';
import { page } from '../layout.js';
import type { Router } from '../router.js';

const SHOWN = 50;

interface Message {
  name: string;
  headers: Record<string, string>;
  text: string;
}

function readMessages(dir: string): Message[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.txt')).sort().reverse().slice(0, SHOWN);
  } catch {
    return [];
  }
  return names.map((name) => {
    const content = readFileSync(join(dir, name), 'utf8');
    const end = content.indexOf('\n\n');
    const headers: Record<string, string> = {};
    for (const line of (end < 0 ? content : content.slice(0, end)).split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { name, headers, text: end < 0 ? '' : content.slice(end + 2) };
  });
}

export function registerMailPage(router: Router): void {
  router.page('/mail', async ({ session, scope }) => {
    const dir = scope.ctx.devMailbox;
    if (dir === undefined) {
      return page({ title: 'Mailbox', section: 'home', session, body: html`<h1>No development mailbox</h1><p>This identity provider sends email to its tenants' SMTP servers and keeps no copy.</p>` });
    }
    const messages = readMessages(dir);
    return page({
      title: 'Mailbox',
      section: 'home',
      session,
      body: html`<h1>Development mailbox</h1>
<p>Every email the identity provider sent, newest first (the last ${SHOWN}; all are in <code>${dir}</code>).</p>
${messages.length === 0 ? html`<p>No email yet.</p>` : ''}
${messages.map(
  (m) => html`<article class="card">
<h2>${m.headers.subject ?? '(no subject)'}</h2>
<p>To ${m.headers.to ?? ''} · from ${m.headers.from ?? ''} · ${m.headers.date ?? ''}</p>
<pre>${m.text}</pre>
</article>`,
)}`,
    });
  });
}
