/**
 * The IdP's API errors in the console's words. FusionAuth's messages name fields by their API path in
 * brackets ("The [application.jwtConfiguration.timeToLiveInSeconds] property must be a whole number",
 * "shorter than the minimum of [8] characters"); a person filling in a form knows the field by its label.
 * A path with a label on the form becomes that label, any other path its last part in plain words, and a
 * bracketed value (a number, a name) loses its brackets.
 */
import type { FormErrors } from './api.js';

/** API field path → the label of the form control it belongs to. */
export type Labels = Readonly<Record<string, string>>;

const PATH = /^[a-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*|\[\d*\])*$/;

/** `application.jwtConfiguration.timeToLiveInSeconds` → "time to live in seconds"; `loginId` → "login id". */
export function pathInWords(path: string): string {
  const last = path.replace(/\[\d*\]/g, '').split('.').pop() ?? path;
  return last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase();
}

function name(path: string, labels: Labels): string {
  return labels[path] ?? pathInWords(path);
}

/** One API message in words, with `labels` for the fields this form shows. */
export function readableMessage(message: string, labels: Labels = {}): string {
  const required = /^You must specify the \[([^\]]+)\] property\.?$/.exec(message);
  if (required !== null && PATH.test(required[1]!)) return `${capitalize(name(required[1]!, labels))} is required.`;
  const leading = /^[Tt]he \[([^\]]+)\] property\b/.exec(message);
  let text = message;
  if (leading !== null && PATH.test(leading[1]!)) text = `${capitalize(name(leading[1]!, labels))}${message.slice(leading[0].length)}`;
  return text.replace(/\[([^\]]*)\]( property)?/g, (whole, inner: string) => {
    if (/^\d+$/.test(inner)) return inner;
    if (PATH.test(inner) && (labels[inner] !== undefined || /[.A-Z]/.test(inner) || /^[a-z]+$/.test(inner))) return name(inner, labels);
    return inner === '' ? whole : `"${inner}"`;
  });
}

/** Every message of a failed API call, general ones first, in words. */
export function readableErrors(errors: FormErrors, labels: Labels = {}): string[] {
  return [...errors.general.map((m) => readableMessage(m, labels)), ...Object.entries(errors.fields).flatMap(([field, list]) => list.map((m) => readableMessage(m, { [field]: labels[field] ?? pathInWords(field), ...labels })))];
}

/** A failed call's messages as one flash line. */
export function flashOf(errors: FormErrors): string {
  return readableErrors(errors).join(' ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
