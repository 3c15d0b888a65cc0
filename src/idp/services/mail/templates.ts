/**
 * The built-in email templates. Gatehouse has no Email Template API: a tenant's `*EmailTemplateId` fields
 * name one of these fixed ids (docs/idp.md, "Email", lists them). Each renders a subject, a plain-text
 * body and an HTML body from the user, the application (when the request named one) and the link; every
 * interpolated value is escaped in the HTML body.
 */
import { escapeHtml } from '../../../shared/html.js';
import type { Application, Tenant, User } from '../../model/types.js';

export const FORGOT_PASSWORD_TEMPLATE_ID = '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0001';
export const VERIFICATION_TEMPLATE_ID = '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0002';
export const REGISTRATION_VERIFICATION_TEMPLATE_ID = '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0003';
export const TWO_FACTOR_TEMPLATE_ID = '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0004';

export interface TemplateModel {
  tenant: Tenant;
  application?: Application;
  user: User;
  /** The one-time link the email carries. */
  link: string;
  /** The one-time code the email carries (two-factor). */
  code?: string;
  /** How long the link works, in minutes. */
  minutes: number;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface EmailTemplate {
  id: string;
  name: string;
  render(model: TemplateModel): RenderedEmail;
}

function greeting(user: User): string {
  const name = [user.firstName, user.lastName].filter((n) => typeof n === 'string' && n !== '').join(' ') || (typeof user.fullName === 'string' ? user.fullName : '');
  return name === '' ? 'Hello,' : `Hello ${name},`;
}

function where(model: TemplateModel): string {
  return model.application?.name ?? model.tenant.name;
}

function duration(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? '24 hours' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

function html(paragraphs: readonly string[], link: string, action: string): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  return `<!DOCTYPE html>\n<html lang="en"><body style="font-family:system-ui,sans-serif">\n${body}\n<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>\n<p style="color:#555">${escapeHtml(link)}</p>\n</body></html>\n`;
}

const forgotPassword: EmailTemplate = {
  id: FORGOT_PASSWORD_TEMPLATE_ID,
  name: '[Gatehouse] Forgot password',
  render(model) {
    const lines = [
      greeting(model.user),
      `Someone asked to reset the password of your ${where(model)} account. To choose a new password, open this link within ${duration(model.minutes)}; it works once.`,
      'If you did not ask for this, ignore this email: your password stays as it is.',
    ];
    return { subject: `Reset your ${where(model)} password`, text: `${lines[0]}\n\n${lines[1]}\n\n${model.link}\n\n${lines[2]}\n`, html: html(lines, model.link, 'Choose a new password') };
  },
};

const verification: EmailTemplate = {
  id: VERIFICATION_TEMPLATE_ID,
  name: '[Gatehouse] Email verification',
  render(model) {
    const lines = [greeting(model.user), `Please confirm that this is your email address for ${where(model)}: open this link within ${duration(model.minutes)}.`, 'If you did not create an account, ignore this email.'];
    return { subject: `Verify your email address for ${where(model)}`, text: `${lines[0]}\n\n${lines[1]}\n\n${model.link}\n\n${lines[2]}\n`, html: html(lines, model.link, 'Verify my email address') };
  },
};

const registrationVerification: EmailTemplate = {
  id: REGISTRATION_VERIFICATION_TEMPLATE_ID,
  name: '[Gatehouse] Registration verification',
  render(model) {
    const lines = [greeting(model.user), `Please confirm your registration for ${where(model)}: open this link within ${duration(model.minutes)}.`, 'If you did not register, ignore this email.'];
    return { subject: `Confirm your registration for ${where(model)}`, text: `${lines[0]}\n\n${lines[1]}\n\n${model.link}\n\n${lines[2]}\n`, html: html(lines, model.link, 'Confirm my registration') };
  },
};

const twoFactorCode: EmailTemplate = {
  id: TWO_FACTOR_TEMPLATE_ID,
  name: '[Gatehouse] Two-factor code',
  render(model) {
    const code = model.code ?? '';
    const lines = [greeting(model.user), `Your ${where(model)} verification code is ${code}. It works once, within ${duration(model.minutes)}.`, 'If you did not try to sign in or change two-factor settings, someone may know your password: change it.'];
    const body = lines.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
    return {
      subject: `Your ${where(model)} verification code`,
      text: `${lines[0]}\n\n${lines[1]}\n\n${lines[2]}\n`,
      html: `<!DOCTYPE html>\n<html lang="en"><body style="font-family:system-ui,sans-serif">\n${body}\n<p style="font-size:1.5em;letter-spacing:.2em"><strong>${escapeHtml(code)}</strong></p>\n</body></html>\n`,
    };
  },
};

/** The built-in templates by id. */
export const TEMPLATES: Readonly<Record<string, EmailTemplate>> = {
  [forgotPassword.id]: forgotPassword,
  [verification.id]: verification,
  [registrationVerification.id]: registrationVerification,
  [twoFactorCode.id]: twoFactorCode,
};
