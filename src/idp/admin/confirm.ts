/**
 * The confirmation step of every destructive action: a page (GET) that names what is deleted and what
 * follows from it, with the one button that does it (POST, with the CSRF token) and a way back. Nothing is
 * deleted by a single click in a list, and the step works without JavaScript (no `confirm()` dialog).
 */
import { csrfField } from './components.js';
import { html, type Html } from './html.js';
import { page, type Section } from './layout.js';
import type { AdminRequest } from './router.js';

export interface Confirmation {
  readonly section: Section;
  /** What kind of thing: "API key", "user", … */
  readonly what: string;
  /** Its name as the administrator knows it. */
  readonly name: string;
  /** What follows from it, in a sentence or two. */
  readonly consequences: Html;
  /** The POST that does it. */
  readonly action: string;
  /** Where Cancel goes. */
  readonly cancel: string;
  /** The button's words; "Delete permanently" unless told. */
  readonly button?: string;
  /** The question's verb; "Delete" unless told ("Remove"…). */
  readonly verb?: string;
}

export function confirmPage(r: AdminRequest, c: Confirmation): Html {
  const verb = c.verb ?? 'Delete';
  return page({
    title: `${verb} ${c.what} ${c.name}`,
    section: c.section,
    session: r.session,
    body: html`<h1>${verb} ${c.what} <span class="subject">${c.name}</span>?</h1>
<div class="card confirm">${c.consequences}</div>
<form method="post" action="${c.action}">${csrfField(r.session.csrf)}<div class="actions"><button type="submit" class="danger">${c.button ?? 'Delete permanently'}</button> <a class="button secondary" href="${c.cancel}">Cancel</a></div></form>`,
  });
}
