/**
 * Client Credentials without FusionAuth's (licensed) Entity Management: applications play the entities.
 * A service that accepts machine clients (the *target*) lists who may call it and with which permissions
 * in `oauthConfiguration.entityGrants: [{ recipientEntityId: <client application id>, permissions: [...] }]`
 * — FusionAuth's EntityGrant field names, kept on the target as FusionAuth keeps grants on the target
 * entity. The client asks with FusionAuth's scope syntax `target-entity:<target id>[:<perm>,<perm>]`.
 */
import type { ApiErrors } from '../model/errors.js';
import { isObject, isUuid, type Body } from '../model/input.js';
import type { Application } from '../model/types.js';

export interface EntityGrant {
  recipientEntityId: string;
  permissions: string[];
}

const PERMISSION = /^[A-Za-z0-9_.\-]{1,100}$/;

/** Validates `oauthConfiguration.entityGrants` of an application request (called by routes/applications.ts). */
export function validateEntityGrants(errors: ApiErrors, oauth: Body): void {
  const value = oauth.entityGrants;
  if (value === undefined || value === null) return;
  const path = 'application.oauthConfiguration.entityGrants';
  if (!Array.isArray(value)) {
    errors.invalid(path, `The [${path}] property must be an array.`);
    return;
  }
  value.forEach((grant, i) => {
    if (!isObject(grant) || !isUuid(grant.recipientEntityId)) errors.invalid(`${path}[${i}].recipientEntityId`, 'Each grant needs a [recipientEntityId]: the client application id.');
    else if (!Array.isArray(grant.permissions) || grant.permissions.some((p) => typeof p !== 'string' || !PERMISSION.test(p))) {
      errors.invalid(`${path}[${i}].permissions`, 'The [permissions] must be an array of names (letters, digits, _ . -).');
    }
  });
}

/** The permissions the target grants to `clientId`, or undefined when it grants nothing. */
export function grantFor(target: Application, clientId: string): readonly string[] | undefined {
  const grants = target.oauthConfiguration.entityGrants;
  if (!Array.isArray(grants)) return undefined;
  const grant = (grants as EntityGrant[]).find((g) => isObject(g) && typeof g.recipientEntityId === 'string' && g.recipientEntityId.toLowerCase() === clientId);
  return grant === undefined ? undefined : grant.permissions;
}
