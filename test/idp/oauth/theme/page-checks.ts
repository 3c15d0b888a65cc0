/**
 * An axe-like check of a hosted page, run in Chromium on the rendered page (computed styles, layout):
 * the document has a `lang`; every visible form control has an accessible name (a `<label for>`, a
 * wrapping label or aria-label/labelledby); every `aria-describedby` names an element; every visible text
 * has a contrast of at least 4.5:1 with the opaque background behind it (WCAG 1.4.3, AA); and, at phone
 * width, nothing scrolls sideways and controls and links are at least 44 px tall (WCAG 2.5.5).
 */
import type { Page } from 'playwright-core';

export interface Findings {
  lang: string;
  scrollWidth: number;
  unlabelled: string[];
  brokenDescribedBy: string[];
  lowContrast: string[];
  smallTargets: string[];
}

/** Runs in the page (the tests' TypeScript has no DOM types, so it is plain JavaScript). */
const IN_PAGE = String.raw`(() => {
  const rgba = (css) => {
    const m = /rgba?\(([^)]+)\)/.exec(css);
    if (m === null) return [0, 0, 0, 0];
    const p = m[1].split(/[\s,/]+/).filter((x) => x !== '').map(Number);
    return [p[0], p[1], p[2], p[3] ?? 1];
  };
  const channel = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  const luminance = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const background = (el) => {
    for (let e = el; e !== null; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.99) return c;
    }
    return [255, 255, 255, 1];
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id === '' ? '' : '#' + el.id) + ' "' + (el.textContent ?? '').trim().slice(0, 40) + '"';

  const unlabelled = [];
  for (const control of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
    if (!visible(control)) continue;
    const named =
      (control.tagName === 'BUTTON' && (control.textContent ?? '').trim() !== '') ||
      (control.id !== '' && document.querySelector('label[for="' + CSS.escape(control.id) + '"]') !== null) ||
      control.closest('label') !== null ||
      (control.getAttribute('aria-label') ?? '').trim() !== '' ||
      control.hasAttribute('aria-labelledby');
    if (!named) unlabelled.push(describe(control));
  }
  const brokenDescribedBy = Array.from(document.querySelectorAll('[aria-describedby]'))
    .filter((el) => el.getAttribute('aria-describedby').split(/\s+/).some((id) => document.getElementById(id) === null))
    .map(describe);

  const lowContrast = [];
  for (const el of document.querySelectorAll('body *')) {
    const text = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
    if (!text || !visible(el)) continue;
    const ls = [luminance(rgba(getComputedStyle(el).color)), luminance(background(el))].sort((a, b) => b - a);
    const ratio = (ls[0] + 0.05) / (ls[1] + 0.05);
    if (ratio < 4.5) lowContrast.push(describe(el) + ' ' + ratio.toFixed(2) + ':1');
  }

  const smallTargets = [];
  for (const el of document.querySelectorAll('button, a[href], input:not([type=hidden]):not([type=checkbox]), label.check')) {
    const h = el.getBoundingClientRect().height;
    if (visible(el) && h < 44) smallTargets.push(describe(el) + ' ' + h + 'px');
  }
  return { lang: document.documentElement.lang, scrollWidth: document.documentElement.scrollWidth, unlabelled, brokenDescribedBy, lowContrast, smallTargets };
})()`;

export async function checkPage(page: Page): Promise<Findings> {
  return page.evaluate<Findings>(IN_PAGE);
}
