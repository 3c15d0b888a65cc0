/**
 * Password hashing: argon2id via @node-rs/argon2 (native, off the event loop). The parameters are OWASP's
 * first recommended argon2id configuration (19 MiB memory, 2 iterations, 1 lane) and are stored in every
 * hash (PHC string), so raising them later still verifies old hashes. docs/idp.md documents them.
 */
import { hash, verify } from '@node-rs/argon2';

/** `Algorithm.Argon2id` of @node-rs/argon2 (an ambient const enum, which isolated modules cannot read). */
const ARGON2ID = 2;

export interface PasswordHashing {
  /** KiB of memory per hash. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const DEFAULT_PASSWORD_HASHING: Readonly<PasswordHashing> = Object.freeze({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(readonly params: PasswordHashing = DEFAULT_PASSWORD_HASHING) {}

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, ...this.params });
  }

  async verify(stored: string, password: string): Promise<boolean> {
    try {
      return await verify(stored, password);
    } catch {
      return false;
    }
  }

  /**
   * Spends the time of one verification for a login whose user does not exist, so response time does not
   * tell which login ids exist.
   */
  async verifyNothing(password: string): Promise<void> {
    this.dummy ??= this.hash('gatehouse-dummy-password');
    await this.verify(await this.dummy, password);
  }
}
