/**
 * CORS of the hosted backend's fetch endpoints (`/app/me`, `/app/refresh`): the SDK calls them from the
 * app's origin with `credentials: "include"`, so the answer names that exact origin and allows
 * credentials, when the origin is one of the application's `oauthConfiguration.authorizedOriginURLs`.
 * A request from another origin gets no CORS headers (its script cannot read the answer); a POST from
 * another origin is refused outright (403), so another site of the same site cannot make a browser
 * refresh its tokens.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../../context.js';
import type { Application } from '../../model/types.js';
import { baseUrl } from '../../routes/well-known.js';

function origins(application: Application): string[] {
  const list = application.oauthConfiguration.authorizedOriginURLs;
  if (!Array.isArray(list)) return [];
  return list.flatMap((u) => {
    if (typeof u !== 'string') return [];
    try {
      return [new URL(u).origin];
    } catch {
      return [];
    }
  });
}

/**
 * Whether the request's Origin (if any) may use the answer; sets the CORS headers when it may. Without a
 * known application (an `/app/me` without a valid token), any active application's origins count.
 */
export async function allowOrigin(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, application: Application | undefined): Promise<boolean> {
  const origin = request.headers.origin;
  void reply.header('vary', 'Origin');
  if (origin === undefined || origin === baseUrl(request)) return true;
  const candidates = application === undefined ? (await ctx.storage.applications.find()).filter((a) => a.active) : [application];
  if (!candidates.some((a) => origins(a).includes(origin))) return false;
  void reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true');
  return true;
}

/** Answers a CORS preflight: 204 with the allowed method and headers, or 403. */
export async function preflight(ctx: IdpContext, request: FastifyRequest, reply: FastifyReply, application: Application | undefined, method: string): Promise<FastifyReply> {
  if (!(await allowOrigin(ctx, request, reply, application))) return reply.code(403).send();
  return reply.code(204).header('access-control-allow-methods', method).header('access-control-allow-headers', 'Content-Type').header('access-control-max-age', '600').send();
}
