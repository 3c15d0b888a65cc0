/**
 * Sends email with nodemailer to the tenant's SMTP server (`emailConfiguration`: host, port, security,
 * username/password, sender). `NONE` speaks plain SMTP (no STARTTLS), `SSL` connects with TLS (SMTPS),
 * `TLS` requires STARTTLS; certificates are verified.
 *
 * `deliver` sends in the background and returns at once, so an answer's timing does not depend on the
 * SMTP server (nor tell whether an email went out); a failure is logged as `mail.failed` with the
 * SMTP error code, never the message, the link it carries or the SMTP password. `idle()` waits for the
 * sends under way (tests, shutdown).
 */
import { createTransport, type TransportOptions } from 'nodemailer';
import type { Logger } from '../../../shared/logger.js';
import { ErrorCode } from '../../../shared/errors.js';
import type { EmailConfiguration } from './config.js';
import type { RenderedEmail } from './templates.js';

export interface OutgoingEmail extends RenderedEmail {
  to: string;
}

/** What a log line may say about an email: never its content. */
export interface MailLogContext {
  tenantId: string;
  userId: string;
  templateId: string;
}

/** The nodemailer transport options for a tenant's settings. */
export function transportOptions(config: EmailConfiguration): Record<string, unknown> {
  return {
    host: config.host,
    port: config.port,
    secure: config.security === 'SSL',
    requireTLS: config.security === 'TLS',
    ignoreTLS: config.security === 'NONE',
    ...(config.username === undefined || config.username === '' ? {} : { auth: { user: config.username, pass: config.password ?? '' } }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    logger: false,
    debug: false,
  };
}

function fromAddress(config: EmailConfiguration): { name: string; address: string } | string {
  return config.defaultFromName === undefined || config.defaultFromName === '' ? config.defaultFromEmail : { name: config.defaultFromName, address: config.defaultFromEmail };
}

export class Mailer {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Sends now; rejects when the server refuses or cannot be reached. */
  async send(config: EmailConfiguration, email: OutgoingEmail): Promise<void> {
    const transport = createTransport(transportOptions(config) as TransportOptions);
    try {
      await transport.sendMail({ from: fromAddress(config), to: email.to, subject: email.subject, text: email.text, html: email.html });
    } finally {
      transport.close();
    }
  }

  /** Sends in the background; the outcome is logged. */
  deliver(config: EmailConfiguration, email: OutgoingEmail, context: MailLogContext): void {
    const sending = this.send(config, email).then(
      () => this.logger.info({ event: 'mail.sent', ...context }, 'email sent'),
      (error: unknown) => {
        const e = error as { code?: string; responseCode?: number };
        this.logger.warn({ event: 'mail.failed', code: ErrorCode.IDP_MAIL, smtpCode: e.code, responseCode: e.responseCode, host: config.host, port: config.port, ...context }, 'email could not be sent');
      },
    );
    this.pending.add(sending);
    void sending.finally(() => this.pending.delete(sending));
  }

  /** Resolves when every email handed to `deliver` so far was sent or failed. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
