/**
 * The layout every hosted page uses (login, error, sign-out, and the forgot-password and registration
 * pages): `lang`, viewport, title, the look's stylesheet, and a branded header — the logo with the
 * application's or tenant's name as its text alternative, or the name as text. The body is HTML built by
 * the caller with every interpolated value escaped; the look's values are escaped here.
 */
import { escapeHtml } from '../../../shared/html.js';
import type { Look } from './look.js';

function brand(look: Look): string {
  if (look.logo !== undefined) return `<header class="brand"><img src="${escapeHtml(look.logo.src)}" alt="${escapeHtml(look.name ?? 'Logo')}"></header>\n`;
  if (look.name !== undefined) return `<header class="brand"><p>${escapeHtml(look.name)}</p></header>\n`;
  return '';
}

export function layout(look: Look, title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${look.css}</style>
</head>
<body>
<main>
${brand(look)}${body}
</main>
</body>
</html>
`;
}
