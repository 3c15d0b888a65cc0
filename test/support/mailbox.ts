/**
 * A real SMTP server for tests (`smtp-server` on 127.0.0.1, port 0) that parses every message it accepts
 * with `mailparser`. With `auth`, it requires that username and password (plain SMTP, as a tenant with
 * `security: NONE` speaks). `next(to)` waits for the next message to an address.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The username the client authenticated as, when it did. */
  user?: string;
}

export interface TestMailbox {
  port: number;
  messages: ReceivedMail[];
  /** Every AUTH attempt's username and password, to check what the IdP sent. */
  logins: { username: string; password: string }[];
  /** The next message to `to` not yet taken (waits up to `timeoutMs`, 20 s by default: a loaded machine sends slowly). */
  next(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  /** The first https?:// link in a message's text. */
  link(mail: ReceivedMail): string;
  close(): Promise<void>;
}

function addresses(parsed: ParsedMail): string[] {
  const to = parsed.to === undefined ? [] : Array.isArray(parsed.to) ? parsed.to : [parsed.to];
  return to.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}

export async function startMailbox(options: { auth?: { username: string; password: string } } = {}): Promise<TestMailbox> {
  const messages: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const logins: { username: string; password: string }[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: options.auth === undefined ? ['AUTH', 'STARTTLS'] : ['STARTTLS'],
    authOptional: options.auth === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      if (options.auth !== undefined && auth.username === options.auth.username && auth.password === options.auth.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.push({
            to: addresses(parsed),
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            ...(typeof session.user === 'string' ? { user: session.user } : {}),
          });
          for (const wake of waiters.splice(0)) wake();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    messages,
    logins,
    async next(to, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find((m) => !taken.has(m) && m.to.includes(to.toLowerCase()));
        if (found !== undefined) {
          taken.add(found);
          return found;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no email to ${to} within ${timeoutMs} ms (received: ${messages.map((m) => m.to.join(',')).join('; ') || 'none'})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    link(mail) {
      const match = /https?:\/\/\S+/.exec(mail.text);
      if (match === null) throw new Error(`no link in the email "${mail.subject}"`);
      return match[0];
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The tenant `emailConfiguration` that points at a test mailbox, with the built-in templates. */
export function mailboxEmailConfiguration(mailbox: TestMailbox, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    host: '127.0.0.1',
    port: mailbox.port,
    security: 'NONE',
    defaultFromEmail: 'no-reply@gatehouse.test',
    defaultFromName: 'Gatehouse Test',
    forgotPasswordEmailTemplateId: '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0001',
    verificationEmailTemplateId: '0c6e1a52-8f1b-4f3e-9e51-3a7d5f0c0002',
    ...extra,
  };
}
