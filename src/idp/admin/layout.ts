/** The page shell: skip link, header with the section navigation, one flash message, the main region. */
import { html, type Html } from './html.js';
import type { AdminSession } from './session.js';

export type Section = 'home' | 'tenants' | 'applications' | 'users' | 'keys' | 'api-keys';

const NAV: [Section, string, string][] = [
  ['tenants', 'Tenants', '/admin/tenants'],
  ['applications', 'Applications', '/admin/applications'],
  ['users', 'Users', '/admin/users'],
  ['keys', 'Key Master', '/admin/keys'],
  ['api-keys', 'API Keys', '/admin/api-keys'],
];

export interface PageOptions {
  readonly title: string;
  readonly section: Section;
  readonly session?: AdminSession;
  readonly flash?: string;
  readonly body: Html;
}

export function page(options: PageOptions): Html {
  const { session } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Gatehouse admin</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/assets/admin.css">
<script src="/admin/assets/admin.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/admin/">Gatehouse</a>
  ${
    session?.userId === undefined
      ? ''
      : html`<nav aria-label="Sections"><ul>${NAV.map(([id, label, href]) => html`<li><a href="${href}"${id === options.section ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>
  <form class="logout" method="post" action="/admin/logout"><input type="hidden" name="_csrf" value="${session.csrf}"><span class="who">${session.loginId}</span> <button type="submit" class="link">Sign out</button></form>`
  }
</header>
<main id="main" tabindex="-1">
${options.flash === undefined ? '' : html`<p class="flash" role="status">${options.flash}</p>`}
${options.body}
</main>
</body>
</html>`;
}
