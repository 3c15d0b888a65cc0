/**
 * `revocation:` (top level of the gateway config): the feed of revoked users and tokens the identity
 * provider publishes, read from the Redis of the config's `redis:` section (the one rate limits use).
 * Every auth policy applies it unless the policy says `revocation: false`.
 */
import { z } from 'zod';
import { DEFAULT_REVOCATION_STREAM } from '../../../shared/revocation-record.js';

export const revocationSchema = z.strictObject({
  /** The Redis stream the IdP appends to, under `redis.key_prefix` (the IdP's `--revocation-prefix`). */
  stream: z.string().min(1).max(200).regex(/^[!-~]+$/, 'expected visible ASCII without spaces').default(DEFAULT_REVOCATION_STREAM),
  /**
   * While the feed is not current (Redis unreachable, the connection lost, not caught up yet after a
   * start): `allow` — revocations already received still deny, new ones wait (fail open; the default);
   * `deny` — every token of a policy using the feed gets 503 (fail closed). Either way it is logged.
   */
  on_unavailable: z.enum(['allow', 'deny'], { error: 'expected allow or deny' }).default('allow'),
});

export type RevocationConfig = z.output<typeof revocationSchema>;
