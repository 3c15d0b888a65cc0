/**
 * OpenID Connect's `prompt` and `max_age` at `/oauth2/authorize`, as FusionAuth (1.60+) reads them:
 * `none` (no form: a code from the SSO session or `login_required`; alone, never combined), `login` (the
 * form even with a session), `consent` and `select_account` (accepted, nothing to do: there is no consent
 * screen or account chooser). `max_age=N` asks for a sign-in no older than N seconds; `0` equals
 * `prompt=login`. Unknown prompt values are ignored, as OpenID Connect Core §3.1.2.1 leaves them.
 */
import { invalidRequest } from './errors.js';
import { param, type Params } from './form.js';

export interface Prompt {
  none: boolean;
  login: boolean;
  /** Seconds; undefined when not sent. */
  maxAge?: number;
}

export function readPrompt(params: Params): Prompt {
  const values = (param(params, 'prompt') ?? '').split(' ').filter((v) => v !== '');
  const none = values.includes('none');
  if (none && values.length > 1) invalidRequest('invalid_prompt', 'The [prompt] value none cannot be combined with other values.');
  const rawMaxAge = param(params, 'max_age');
  let maxAge: number | undefined;
  if (rawMaxAge !== undefined) {
    if (!/^\d{1,10}$/.test(rawMaxAge)) invalidRequest('invalid_max_age', 'The [max_age] parameter must be a whole number of seconds.');
    maxAge = Number(rawMaxAge);
  }
  return { none, login: values.includes('login') || maxAge === 0, ...(maxAge === undefined ? {} : { maxAge }) };
}

/** True when a sign-in at `authTime` (epoch seconds) is recent enough for `prompt` at `nowMs`. */
export function freshEnough(prompt: Prompt, authTime: number, nowMs: number): boolean {
  return prompt.maxAge === undefined || Math.floor(nowMs / 1000) - authTime <= prompt.maxAge;
}
