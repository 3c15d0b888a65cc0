/**
 * Front-channel logout, as FusionAuth's `oauth2Logout` page does it: when `/oauth2/logout` ends an SSO
 * session, the browser gets a page with one hidden iframe per application that received a code through
 * that session and has an `oauthConfiguration.logoutURL` (each app clears its own session there), and a
 * refresh to the final redirect after 2 seconds, with a link for who does not want to wait. The page's
 * Content-Security-Policy allows frames from exactly those origins. An application whose
 * `logoutBehavior` is `RedirectOnly` asks for the redirect alone.
 */
import type { FastifyReply } from 'fastify';
import type { IdpContext } from '../context.js';
import type { Application, SsoSession } from '../model/types.js';
import { escapeHtml, page, sendPage, type Look } from './html.js';

function logoutUrl(application: Application): URL | undefined {
  const value = application.oauthConfiguration.logoutURL;
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

export function redirectOnly(application: Application | undefined): boolean {
  return application?.oauthConfiguration.logoutBehavior === 'RedirectOnly';
}

/** The logout URLs of the session's active applications (of its tenant), each once. */
export async function sessionLogoutUrls(ctx: IdpContext, session: SsoSession): Promise<URL[]> {
  const urls = new Map<string, URL>();
  for (const id of session.applicationIds) {
    const application = await ctx.storage.applications.get(id);
    if (application === undefined || !application.active || application.tenantId !== session.tenantId) continue;
    const url = logoutUrl(application);
    if (url !== undefined) urls.set(url.href, url);
  }
  return [...urls.values()];
}

export function sendFrontChannelLogout(reply: FastifyReply, urls: readonly URL[], next: string, look?: Look): FastifyReply {
  const frames = urls.map((u) => `<iframe src="${escapeHtml(u.href)}" hidden title="Signing out"></iframe>`).join('\n');
  const html = page(
    'Signing out',
    `<meta http-equiv="refresh" content="2; url=${escapeHtml(next)}">
<h1>Signing out</h1>
<p class="app">You are being signed out of ${urls.length === 1 ? 'one application' : `${urls.length} applications`}.</p>
${frames}
<p><a href="${escapeHtml(next)}">Continue</a></p>`,
    look,
  );
  return sendPage(reply.header('cache-control', 'no-store'), 200, html, [], [...new Set(urls.map((u) => u.origin))], look);
}
