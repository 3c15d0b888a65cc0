/**
 * Revocation events: what the identity provider tells the world when tokens stop being valid, so that
 * gateways which check access tokens offline stop admitting them before they expire. Each site that
 * revokes (logout, refresh-token revocation, password change, deactivation) makes one call here; this
 * service loads what the event needs, appends a revocation to the Redis stream the gateways read
 * (revocation-stream.ts) and sends FusionAuth's webhook event (revocation-webhooks.ts):
 *
 * - `jwt.refresh-token.revoke` (`userId`, `user`, `applicationId` for one application,
 *   `applicationTimeToLiveInSeconds`) for logout, refresh-token revocation and password change — also
 *   when the user held no refresh token (FusionAuth then sends nothing), because their access tokens
 *   still have to be recalled;
 * - `user.deactivate` (`user` with `active: false`) when a user is deactivated.
 *
 * The stream entry revokes every token of the user issued at or before now (shared/revocation-record.ts);
 * an access token revoked by itself (RFC 7009) also revokes its `jti`. With nothing configured, both
 * sinks are no-ops.
 */
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Logger } from '../../shared/logger.js';
import { DEFAULT_REVOCATION_STREAM, type Revocation } from '../../shared/revocation-record.js';
import type { Storage } from '../storage/index.js';
import type { Application, RefreshToken, User } from '../model/types.js';
import { userJson } from '../model/serialize.js';
import { accessTokenTtl } from './tokens.js';
import { RevocationStream } from './revocation-stream.js';
import { RevocationWebhooks } from './revocation-webhooks.js';

export interface RevocationOptions {
  /** `redis://host:port[/db]`: where revocations are appended for the gateways. */
  readonly redis?: string;
  /** Key prefix, as the gateways' `redis.key_prefix` (default `gatehouse:`). */
  readonly keyPrefix?: string;
  /** Stream name, as the gateways' `revocation.stream` (default `revocations`). */
  readonly stream?: string;
  /** How long entries stay in the stream; must exceed the longest access-token lifetime (default 24 h). */
  readonly retentionMs?: number;
  /** URLs that receive the FusionAuth-shaped events. */
  readonly webhooks?: readonly string[];
}

/** Added to an entry's `until`: gateways may accept tokens a little past `exp` (clock_skew). */
const SKEW_MARGIN_MS = 5 * 60_000;

export class RevocationEvents {
  private readonly stream: RevocationStream | undefined;
  private readonly webhooks: RevocationWebhooks;

  constructor(options: RevocationOptions, private readonly storage: Storage, private readonly logger: Logger, private readonly now: () => number) {
    this.stream =
      options.redis === undefined
        ? undefined
        : new RevocationStream({ url: options.redis, key: `${options.keyPrefix ?? 'gatehouse:'}${options.stream ?? DEFAULT_REVOCATION_STREAM}`, retentionMs: options.retentionMs ?? 24 * 3_600_000 }, logger);
    this.webhooks = new RevocationWebhooks(options.webhooks ?? [], logger);
  }

  /**
   * Refresh tokens were revoked (DELETE /api/jwt/refresh, /api/logout, /oauth2/revoke): one event per user.
   * `user`: a revocation asked for a whole user (`?userId=`) by a caller allowed to — that user's event is
   * sent even when no refresh token was left, so access tokens issued without one are recalled too.
   */
  async refreshTokensRevoked(tokens: readonly RefreshToken[], options: { accessToken?: JWTPayload; user?: { id: string; tenantScope: string | undefined } } = {}): Promise<void> {
    const byUser = new Map<string, RefreshToken[]>();
    for (const token of tokens) byUser.set(token.userId, [...(byUser.get(token.userId) ?? []), token]);
    const whole = options.user;
    if (whole !== undefined && !byUser.has(whole.id)) {
      const user = await this.storage.users.get(whole.id);
      if (user !== undefined && (whole.tenantScope === undefined || whole.tenantScope === user.tenantId)) byUser.set(whole.id, []);
    }
    for (const [userId, ofUser] of byUser) await this.userTokensRevoked(userId, ofUser.map((t) => t.applicationId), options.accessToken);
  }

  /** /oauth2/logout with a verified id_token_hint of this application. */
  async loggedOut(claims: JWTPayload | undefined, application: Application | undefined): Promise<void> {
    if (claims === undefined || application === undefined || typeof claims.sub !== 'string' || claims.aud !== application.id) return;
    await this.userTokensRevoked(claims.sub, [application.id]);
  }

  /** Every token of the user (password change). */
  async userRevoked(user: User): Promise<void> {
    await this.userTokensRevoked(user.id, []);
  }

  /** The user was deactivated (soft delete, or `active: false`). */
  async userDeactivated(user: User): Promise<void> {
    const at = this.now();
    const id = randomUUID();
    await this.publish(await this.userRevocation(user.id, user.tenantId, 'user.deactivate', id, at), {
      createInstant: at,
      id,
      tenantId: user.tenantId,
      type: 'user.deactivate',
      user: userJson({ ...user, active: false }, await this.storage.registrations.find({ user_id: user.id })),
    });
  }

  async close(): Promise<void> {
    await this.stream?.close();
  }

  private async userTokensRevoked(userId: string, applicationIds: readonly string[], accessToken?: JWTPayload): Promise<void> {
    const user = await this.storage.users.get(userId);
    if (user === undefined) return;
    const at = this.now();
    const id = randomUUID();
    const type = 'jwt.refresh-token.revoke';
    const ttls: Record<string, number> = {};
    const tenant = await this.storage.tenants.get(user.tenantId);
    for (const appId of new Set(applicationIds)) {
      const application = await this.storage.applications.get(appId);
      if (tenant !== undefined) ttls[appId] = accessTokenTtl(tenant, application);
    }
    const event: Record<string, unknown> = { applicationTimeToLiveInSeconds: ttls, createInstant: at, id, tenantId: user.tenantId, type, userId, user: userJson(user) };
    if (applicationIds.length === 1) event.applicationId = applicationIds[0];
    await this.publish(await this.userRevocation(userId, user.tenantId, type, id, at), event);
    if (typeof accessToken?.jti === 'string' && typeof accessToken.exp === 'number') {
      await this.stream?.append({ kind: 'jti', jti: accessToken.jti, until: accessToken.exp * 1000 + SKEW_MARGIN_MS, type, event: id }, at);
    }
  }

  /** A user entry that lasts as long as the longest-lived access token the tenant's applications issue. */
  private async userRevocation(sub: string, tenantId: string, type: string, event: string, at: number): Promise<Revocation> {
    const tenant = await this.storage.tenants.get(tenantId);
    let ttl = tenant?.jwtConfiguration.timeToLiveInSeconds ?? 3_600;
    if (tenant !== undefined) for (const application of await this.storage.applications.find({ tenant_id: tenantId })) ttl = Math.max(ttl, accessTokenTtl(tenant, application));
    return { kind: 'user', sub, at, until: at + ttl * 1000 + SKEW_MARGIN_MS, type, event };
  }

  private async publish(revocation: Revocation, event: Record<string, unknown>): Promise<void> {
    // the gateways first: the feed is what stops admissions
    await this.stream?.append(revocation, revocation.kind === 'user' ? revocation.at : this.now());
    await this.webhooks.send(event);
    this.logger.info({ event: 'idp.revocation', type: revocation.type, id: revocation.event, userId: revocation.kind === 'user' ? revocation.sub : undefined }, 'revocation published');
  }
}
