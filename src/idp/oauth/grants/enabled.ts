/** `oauthConfiguration.enabledGrants`: a grant not listed is refused (`unauthorized_client`, `grant_type_disabled`). */
import type { Application } from '../../model/types.js';
import { oauthError } from '../errors.js';

export function grantEnabled(application: Application, grant: string): boolean {
  const list = application.oauthConfiguration.enabledGrants;
  return Array.isArray(list) && list.includes(grant);
}

export function requireGrant(application: Application, grant: string): void {
  if (!grantEnabled(application, grant)) oauthError('unauthorized_client', 'grant_type_disabled', `The grant [${grant}] is not enabled for this application.`);
}
