/** Email: the tenant's SMTP settings, the built-in templates and the mailer that sends through nodemailer. */
export { EMAIL, EMAIL_DEFAULTS, emailConfiguration, keepEmailPassword, publicTenant, validateEmailConfiguration, type EmailConfiguration, type EmailSecurity } from './config.js';
export { Mailer, transportOptions, type OutgoingEmail } from './mailer.js';
export { emailAddressOf, sendTemplatedEmail, type TemplatedEmail } from './send.js';
export { FORGOT_PASSWORD_TEMPLATE_ID, REGISTRATION_VERIFICATION_TEMPLATE_ID, TEMPLATES, TWO_FACTOR_TEMPLATE_ID, VERIFICATION_TEMPLATE_ID, type EmailTemplate, type RenderedEmail } from './templates.js';
