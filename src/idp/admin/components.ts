/** Form controls and small widgets, each labelled, with errors tied to the control (aria-describedby). */
import { html, type Html } from './html.js';
import type { FormErrors } from './api.js';
import { readableMessage, type Labels } from './readable.js';

let counter = 0;
const nextId = (prefix: string): string => `${prefix}-${(counter = (counter + 1) % 1_000_000)}`;

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A form control an API field's errors belong to: its element id and its label. */
export type FieldRef = readonly [id: string, label: string];

/**
 * The error summary at the top of a form: every message in the form's words (labels for API paths,
 * readable.ts), each linked to its field when the form shows one.
 */
export function errorSummary(errors: FormErrors | undefined, fieldRefs: Readonly<Record<string, FieldRef>> = {}): Html {
  if (errors === undefined) return html``;
  const labels: Labels = Object.fromEntries(Object.entries(fieldRefs).map(([path, [, label]]) => [path, label]));
  const items = [
    ...errors.general.map((m) => html`<li>${readableMessage(m, labels)}</li>`),
    ...Object.entries(errors.fields).flatMap(([field, messages]) =>
      messages.map((m) => {
        const ref = fieldRefs[field];
        const text = readableMessage(m, labels);
        return ref === undefined ? html`<li>${text}</li>` : html`<li><a href="#${ref[0]}">${text}</a></li>`;
      }),
    ),
  ];
  return html`<div class="errors" role="alert" tabindex="-1"><h2>Please fix the following</h2><ul>${items}</ul></div>`;
}

export interface InputOptions {
  readonly name: string;
  readonly label: string;
  readonly value?: string | number | undefined;
  readonly type?: string;
  readonly hint?: string;
  readonly required?: boolean;
  readonly autocomplete?: string;
  /** The API field path whose errors belong to this input. */
  readonly errorKey?: string;
  readonly errors?: FormErrors | undefined;
  readonly id?: string;
  readonly attrs?: Html;
}

/** The label, hint and error around a control; `control` gets the id and the aria attributes. */
function frame(o: InputOptions, control: (id: string, aria: Html) => Html): Html {
  const id = o.id ?? nextId(o.name.replace(/[^a-z0-9]/gi, ''));
  const messages = o.errorKey === undefined ? [] : (o.errors?.fields[o.errorKey] ?? []);
  const hintId = o.hint === undefined ? undefined : `${id}-hint`;
  const errorId = messages.length === 0 ? undefined : `${id}-error`;
  const described = [hintId, errorId].filter((x) => x !== undefined).join(' ');
  const aria = html`${described === '' ? '' : html` aria-describedby="${described}"`}${messages.length > 0 ? html` aria-invalid="true"` : ''}`;
  return html`<div class="field${messages.length > 0 ? ' invalid' : ''}">
  <label for="${id}">${o.label}</label>${o.required === true ? html` <span class="req" aria-hidden="true">*</span>` : ''}
  ${hintId === undefined ? '' : html`<p class="hint" id="${hintId}">${o.hint}</p>`}
  ${errorId === undefined ? '' : html`<p class="error" id="${errorId}">${messages.map((m) => readableMessage(m, { [o.errorKey as string]: o.label })).join(' ')}</p>`}
  ${control(id, aria)}
</div>`;
}

export function input(o: InputOptions): Html {
  return frame(
    o,
    (id, aria) =>
      html`<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}"${o.required === true ? html` required` : ''}${o.autocomplete === undefined ? '' : html` autocomplete="${o.autocomplete}"`}${aria}${o.attrs ?? ''}>`,
  );
}

export function textarea(o: InputOptions & { rows?: number; mono?: boolean }): Html {
  return frame(o, (id, aria) => html`<textarea id="${id}" name="${o.name}" rows="${o.rows ?? 4}"${o.mono === true ? html` class="mono" spellcheck="false"` : ''}${aria}>${o.value ?? ''}</textarea>`);
}

export function select(o: InputOptions & { options: [string, string][]; value?: string }): Html {
  return frame(o, (id, aria) => html`<select id="${id}" name="${o.name}"${aria}${o.attrs ?? ''}>${o.options.map(([value, label]) => html`<option value="${value}"${value === o.value ? html` selected` : ''}>${label}</option>`)}</select>`);
}

/**
 * Tabs after the ARIA pattern (the script adds arrow keys and hides the other panels); without the
 * script every panel shows, one after the other, each under its heading.
 */
export function tabs(label: string, panels: readonly [id: string, title: string, body: Html][]): Html {
  return html`<div class="tabs tabs-nojs">
<div role="tablist" aria-label="${label}">${panels.map(([id, title], i) => html`<button type="button" role="tab" id="tab-${id}" aria-controls="panel-${id}" aria-selected="${i === 0 ? 'true' : 'false'}">${title}</button>`)}</div>
${panels.map(([id, title, body]) => html`<section class="tabpanel" role="tabpanel" id="panel-${id}" aria-labelledby="tab-${id}"><h2 class="panel-title">${title}</h2>${body}</section>`)}
</div>`;
}

/** A checkbox drawn as a switch; `role="switch"` so screen readers say on/off. */
export function toggle(o: { name: string; label: string; checked: boolean; hint?: string; disabled?: boolean; id?: string; value?: string }): Html {
  const id = o.id ?? nextId(o.name.replace(/[^a-z0-9]/gi, ''));
  return html`<div class="field switch">
  <input type="checkbox" role="switch" id="${id}" name="${o.name}" value="${o.value ?? 'on'}"${o.checked ? html` checked` : ''}${o.disabled === true ? html` disabled` : ''}${o.hint === undefined ? '' : html` aria-describedby="${id}-hint"`}>
  <label for="${id}">${o.label}</label>
  ${o.hint === undefined ? '' : html`<p class="hint" id="${id}-hint">${o.hint}</p>`}
</div>`;
}

/** A read-only value with a copy button (the button needs the small script; the value is selectable without it). */
export function copyable(label: string, value: string, options: { multiline?: boolean; id: string }): Html {
  return html`<div class="copyable">
  <div class="copy-head"><span class="copy-label" id="${options.id}-label">${label}</span> <button type="button" class="copy" data-copy="${options.id}" aria-label="Copy ${label}">Copy</button></div>
  ${
    options.multiline === true
      ? html`<pre id="${options.id}" class="mono" tabindex="0" aria-labelledby="${options.id}-label">${value}</pre>`
      : html`<code id="${options.id}" class="mono" aria-labelledby="${options.id}-label">${value}</code>`
  }
</div>`;
}

/** A POST button in its own small form (with the CSRF token). */
export function postButton(action: string, csrf: string, label: string, options: { danger?: boolean; ariaLabel?: string; icon?: Html } = {}): Html {
  return html`<form method="post" action="${action}" class="inline">${csrfField(csrf)}<button type="submit" class="${options.danger === true ? 'danger' : 'secondary'}"${options.ariaLabel === undefined ? '' : html` aria-label="${options.ariaLabel}"`}>${options.icon ?? ''}${label}</button></form>`;
}

export function formatInstant(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** The seed's red padlock, drawn inline (no icon font, no emoji font needed). */
export const PADLOCK = html`<svg class="icon" aria-hidden="true" focusable="false" width="14" height="14" viewBox="0 0 24 24"><path fill="currentColor" d="M6 10V7a6 6 0 1 1 12 0v3h1a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V11a1 1 0 0 1 1-1h1zm2 0h8V7a4 4 0 1 0-8 0v3z"/></svg>`;

/** The seed's green magnifying glass on View buttons. */
export const MAGNIFIER = html`<svg class="icon view-icon" aria-hidden="true" focusable="false" width="14" height="14" viewBox="0 0 24 24"><path fill="currentColor" d="M10 2a8 8 0 0 1 6.32 12.9l5.39 5.4-1.41 1.41-5.4-5.39A8 8 0 1 1 10 2zm0 2a6 6 0 1 0 0 12 6 6 0 0 0 0-12z"/></svg>`;
