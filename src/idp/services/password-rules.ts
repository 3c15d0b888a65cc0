/**
 * The tenant's password rules (`passwordValidationRules`), in one place for the User API, change
 * password and the hosted pages: `minLength`, `maxLength`, and FusionAuth's `requireMixedCase`,
 * `requireNonAlpha`, `requireNumber`. Each broken rule is one FusionAuth error code (`[tooShort]`,
 * `[tooLong]`, `[singleCase]`, `[onlyAlpha]`, `[requireNumber]`) on the field named by the caller, with a
 * message a person can act on.
 */
import type { ApiErrors } from '../model/errors.js';
import type { Tenant } from '../model/types.js';

export const PASSWORD_RULE_FLAGS = ['requireMixedCase', 'requireNonAlpha', 'requireNumber'] as const;

export interface PasswordProblem {
  reason: string;
  /** FusionAuth's API message, naming the field. */
  message: string;
  /** The same for a person filling in a form. */
  hint: string;
}

/** The rules `password` breaks under `tenant`, with messages naming `field`. */
export function passwordProblems(tenant: Tenant, password: string, field: string): PasswordProblem[] {
  const rules = tenant.passwordValidationRules;
  const problems: PasswordProblem[] = [];
  if (password.length < rules.minLength) {
    problems.push({ reason: 'tooShort', message: `The [${field}] property is shorter than the minimum of [${rules.minLength}] characters.`, hint: `Use at least ${rules.minLength} characters.` });
  }
  if (password.length > rules.maxLength) {
    problems.push({ reason: 'tooLong', message: `The [${field}] property is longer than the maximum of [${rules.maxLength}] characters.`, hint: `Use at most ${rules.maxLength} characters.` });
  }
  if (rules.requireMixedCase === true && (password.toLowerCase() === password || password.toUpperCase() === password)) {
    problems.push({ reason: 'singleCase', message: `The [${field}] property must contain both upper and lower case letters.`, hint: 'Use both upper and lower case letters.' });
  }
  if (rules.requireNonAlpha === true && !/[^\p{L}]/u.test(password)) {
    problems.push({ reason: 'onlyAlpha', message: `The [${field}] property must contain at least one character that is not a letter.`, hint: 'Include at least one character that is not a letter.' });
  }
  if (rules.requireNumber === true && !/\p{N}/u.test(password)) {
    problems.push({ reason: 'requireNumber', message: `The [${field}] property must contain at least one number.`, hint: 'Include at least one number.' });
  }
  return problems;
}

/** Records the broken rules in `errors` as `[reason]field`. */
export function checkPassword(errors: ApiErrors, tenant: Tenant, password: string, field: string): void {
  for (const problem of passwordProblems(tenant, password, field)) errors.field(field, problem.reason, problem.message);
}

/** The rules in words, for a form's hint ("At least 8 characters, with upper and lower case letters."). */
export function describePasswordRules(tenant: Tenant): string {
  const rules = tenant.passwordValidationRules;
  const parts = [`at least ${rules.minLength} characters`];
  if (rules.requireMixedCase === true) parts.push('upper and lower case letters');
  if (rules.requireNumber === true) parts.push('a number');
  if (rules.requireNonAlpha === true) parts.push('a character that is not a letter');
  const [first, ...rest] = parts;
  const text = rest.length === 0 ? first! : `${first}, with ${rest.join(', ')}`;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
