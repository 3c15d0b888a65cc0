/** What the hosted backend's routes share: their query, the application they name, and the error page. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdpContext } from '../../context.js';
import type { Application } from '../../model/types.js';
import { findClient } from '../client-auth.js';
import { OAuthError } from '../errors.js';
import { param, queryParams, type Params } from '../form.js';
import { errorPage, sendPage } from '../html.js';

export type HostedRequest = FastifyRequest<{ Params: { clientId?: string } }>;

/** A problem shown as an HTML page (these routes are browser navigations). */
export class HostedError extends Error {
  constructor(
    readonly status: number,
    readonly publicMessage: string,
  ) {
    super(publicMessage);
  }
}

export function hostedQuery(request: FastifyRequest): Params {
  try {
    return queryParams(request.url);
  } catch (error) {
    if (error instanceof OAuthError) throw new HostedError(400, error.description);
    throw error;
  }
}

/** The application of `/app/x/{clientId}` or `/app/x/?client_id=`; undefined when neither names an active one. */
export async function namedClient(ctx: IdpContext, request: HostedRequest, params: Params): Promise<Application | undefined> {
  return findClient(ctx, request.params.clientId ?? param(params, 'client_id'));
}

export async function requireClient(ctx: IdpContext, request: HostedRequest, params: Params): Promise<Application> {
  const application = await namedClient(ctx, request, params);
  if (application === undefined) throw new HostedError(400, 'The client_id is missing or does not name an active application.');
  return application;
}

/** Runs a navigation handler; a HostedError becomes the error page. */
export async function asPage(reply: FastifyReply, title: string, work: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HostedError) return sendPage(reply, error.status, errorPage(title, error.publicMessage));
    throw error;
  }
}
