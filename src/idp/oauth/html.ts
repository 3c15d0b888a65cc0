/**
 * HTML for the hosted pages: escaping (every interpolated value goes through `escapeHtml`), one inline
 * stylesheet allowed by its hash in the Content-Security-Policy, no script and no external asset, and the
 * headers that keep the page out of frames, caches and referrers.
 */
import { escapeHtml } from '../../shared/html.js';
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

export { escapeHtml };

export const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}
main{box-sizing:border-box;max-width:22rem;margin:8vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 .25rem}p.app{margin:0 0 1.5rem;color:#4a5263}
label{display:block;font-weight:600;margin:1rem 0 .3rem}
input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:.6rem;border:1px solid #8a92a3;border-radius:4px;font-size:1rem}
input[aria-invalid=true]{border-color:#b3261e}
button{margin-top:1.5rem;width:100%;padding:.7rem;border:0;border-radius:4px;background:#1b4fd8;color:#fff;font-size:1rem;font-weight:600;cursor:pointer}
button:focus,input:focus{outline:3px solid #f5b700;outline-offset:1px}
label.check{display:flex;gap:.5rem;align-items:center;font-weight:400}
.error{background:#fdecea;color:#8c1d18;border:1px solid #b3261e;border-radius:4px;padding:.6rem;margin:0 0 1rem}`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * Sends an HTML page with the hosted pages' headers; `formAction` lists where its form may go, `frameSrc`
 * the origins it may frame (the front-channel logout page).
 */
export function sendPage(reply: FastifyReply, status: number, html: string, formAction: readonly string[] = [], frameSrc: readonly string[] = []): FastifyReply {
  const actions = formAction.length === 0 ? "'none'" : ["'self'", ...formAction].join(' ');
  const frames = frameSrc.length === 0 ? '' : `; frame-src ${frameSrc.join(' ')}`;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', `default-src 'none'; style-src ${STYLE_HASH}; img-src 'none'; form-action ${actions}; frame-ancestors 'none'; base-uri 'none'${frames}`)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(html);
}

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The error page shown instead of redirecting to an untrusted or unknown place. */
export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p class="error" role="alert">${escapeHtml(message)}</p>`);
}
