/**
 * One authentication's tokens: an access token (unless `noJWT`) and, when the application generates them
 * and the user is registered, a refresh token whose id becomes the access token's `sid`. Used by the
 * Login API and the registration APIs; the OAuth grants of the next issue build on the same call.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import type { Application, Registration, Tenant, User } from '../model/types.js';
import { refreshPolicy } from './tokens.js';
import { secureAttribute } from '../http/secure-cookies.js';

export interface SessionRequest {
  tenant: Tenant;
  application?: Application;
  user: User;
  registration?: Registration;
  authenticationType: string;
  noJWT?: boolean;
  /** Whether to issue a refresh token if the application allows; default true. */
  refresh?: boolean;
  metaData?: Record<string, unknown>;
}

export interface SessionTokens {
  refreshToken?: string;
  refreshTokenId?: string;
  token?: string;
  tokenExpirationInstant?: number;
}

export async function issueSession(ctx: IdpContext, request: SessionRequest): Promise<SessionTokens> {
  const { tenant, application, user, registration } = request;
  const out: SessionTokens = {};
  const authTime = Math.floor(ctx.now() / 1000);
  if (request.refresh !== false && application !== undefined && registration !== undefined && application.loginConfiguration.generateRefreshTokens) {
    const issued = await ctx.tokens.createRefreshToken({
      tenant,
      application,
      user,
      authTime,
      authenticationType: request.authenticationType,
      ...(request.metaData === undefined ? {} : { metaData: request.metaData }),
    });
    out.refreshToken = issued.token;
    out.refreshTokenId = issued.record.id;
  }
  if (request.noJWT !== true) {
    const access = await ctx.tokens.issueAccessToken({
      tenant,
      ...(application === undefined ? {} : { application }),
      user,
      ...(registration === undefined ? {} : { registration }),
      authenticationType: request.authenticationType,
      authTime,
      ...(out.refreshTokenId === undefined ? {} : { sid: out.refreshTokenId }),
    });
    out.token = access.token;
    out.tokenExpirationInstant = access.expirationInstant;
  }
  return out;
}

function secure(request: FastifyRequest): string {
  return secureAttribute(request);
}

/** FusionAuth's cookies: `access_token` for the session, `refresh_token` for the refresh token's lifetime. */
export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, tokens: SessionTokens, tenant: Tenant, application?: Application): void {
  const cookies: string[] = [];
  if (tokens.token !== undefined) cookies.push(`access_token=${tokens.token}; Path=/; HttpOnly; SameSite=Strict${secure(request)}`);
  if (tokens.refreshToken !== undefined) {
    const maxAge = refreshPolicy(tenant, application).ttlMinutes * 60;
    cookies.push(`refresh_token=${tokens.refreshToken}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Strict${secure(request)}`);
  }
  if (cookies.length > 0) void reply.header('set-cookie', cookies);
}

export function clearSessionCookies(reply: FastifyReply): void {
  void reply.header('set-cookie', ['access_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict', 'refresh_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict']);
}

/** A cookie's value from the request, without a cookie library. */
export function cookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
