/**
 * HTML for the hosted pages: escaping (every interpolated value goes through `escapeHtml`), the shared
 * layout (theme/layout.ts) in a look (theme/look.ts: a theme's colours and logo), one inline stylesheet
 * allowed by its hash in the Content-Security-Policy, no script, no asset but the theme's logo, and the
 * headers that keep the page out of frames, caches and referrers. A page and its `sendPage` take the same
 * look (the default when omitted).
 */
import { escapeHtml } from '../../shared/html.js';
import type { FastifyReply } from 'fastify';
import { layout } from './theme/layout.js';
import { DEFAULT_LOOK, type Look } from './theme/look.js';

export { escapeHtml, DEFAULT_LOOK, type Look };

/**
 * Sends an HTML page with the hosted pages' headers; `formAction` lists where its form may go, `frameSrc`
 * the origins it may frame (the front-channel logout page); `look` is the page's: its stylesheet's hash
 * and its logo (alone) are allowed.
 */
export function sendPage(reply: FastifyReply, status: number, html: string, formAction: readonly string[] = [], frameSrc: readonly string[] = [], look: Look = DEFAULT_LOOK): FastifyReply {
  const actions = formAction.length === 0 ? "'none'" : ["'self'", ...formAction].join(' ');
  const frames = frameSrc.length === 0 ? '' : `; frame-src ${frameSrc.join(' ')}`;
  const images = look.logo === undefined ? "'none'" : look.logo.cspSource;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', `default-src 'none'; style-src ${look.cssHash}; img-src ${images}; form-action ${actions}; frame-ancestors 'none'; base-uri 'none'${frames}`)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(html);
}

export function page(title: string, body: string, look: Look = DEFAULT_LOOK): string {
  return layout(look, title, body);
}

/**
 * The error page shown instead of redirecting to an untrusted or unknown place: what went wrong, and what
 * the person in front of it can do.
 */
export function errorPage(title: string, message: string, look: Look = DEFAULT_LOOK): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p class="error" role="alert">${escapeHtml(message)}</p>\n<p>Go back to the application you came from and try again. If this keeps happening, tell the application's support: the message above says what to fix.</p>`, look);
}
