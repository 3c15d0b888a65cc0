/** What every route and service of the identity provider shares; built once by server.ts. */
import type { Logger } from '../shared/logger.js';
import type { Storage } from './storage/index.js';
import type { PasswordHasher } from './crypto/password.js';
import type { KeyRing } from './services/keyring.js';
import type { TokenService } from './services/tokens.js';
import type { RevocationEvents } from './services/revocation-events.js';
import type { Mailer } from './services/mail/index.js';

export interface IdpContext {
  storage: Storage;
  keys: KeyRing;
  tokens: TokenService;
  passwords: PasswordHasher;
  logger: Logger;
  /** Revocation events for gateways and webhooks; every site that revokes tokens makes one call here. */
  revocationEvents: RevocationEvents;
  /** Sends the tenant's emails (src/idp/services/mail/). */
  mail: Mailer;
  /** The URL browsers reach this server at; the links in emails start with it (set once listening). */
  publicUrl: string;
  /** `gatehouse up`'s development mailbox folder, listed at /admin/mail; undefined elsewhere. */
  devMailbox?: string;
  /** Epoch milliseconds; tests may replace it to freeze the clock. */
  now(): number;
  /** A superuser API key that exists only in memory while a kickstart file runs. */
  internalKey: string | undefined;
  /** A superuser API key that exists only in memory, for the admin console's in-process API calls. */
  consoleKey?: string;
}
