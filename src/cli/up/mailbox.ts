/**
 * The development mailbox of `gatehouse up`: a real SMTP server (`smtp-server`) on 127.0.0.1 at a free
 * port that accepts every message the identity provider sends and stores it in the data directory's
 * `mail/` folder — the message as received (`<n>-<time>.eml`, for any mail program) and a readable copy
 * (`.txt`: From, To, Subject and the plain-text body, decoded, so a reset or verification link can be
 * copied from it). Development only: it accepts mail for any address and delivers nothing further. At
 * most `MAX_MESSAGES` are kept; older ones are deleted as new ones arrive.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../shared/logger.js';
import { readableEmail } from './mail-text.js';

export const MAX_MESSAGES = 200;
const MAX_SIZE = 1024 * 1024;

export interface DevMailbox {
  readonly port: number;
  readonly dir: string;
  close(): Promise<void>;
}

function trim(dir: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith('.eml')).sort();
  for (const name of names.slice(0, Math.max(0, names.length - MAX_MESSAGES))) {
    rmSync(join(dir, name), { force: true });
    rmSync(join(dir, name.replace(/\.eml$/, '.txt')), { force: true });
  }
}

export async function startDevMailbox(dir: string, logger: Logger): Promise<DevMailbox> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let count = readdirSync(dir).filter((n) => n.endsWith('.eml')).length;
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    size: MAX_SIZE,
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, { user: 'dev' });
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        try {
          const raw = Buffer.concat(chunks).toString('utf8');
          count += 1;
          const base = `${String(count).padStart(5, '0')}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
          writeFileSync(join(dir, `${base}.eml`), raw, { mode: 0o600 });
          writeFileSync(join(dir, `${base}.txt`), readableEmail(raw), { mode: 0o600 });
          trim(dir);
          logger.info({ event: 'devmail.stored', file: `${base}.txt` }, 'development mailbox: message stored');
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return { port, dir, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
