/**
 * Application roles and the registrations that hold them. Registrations name their roles, so a role's
 * delete or rename is carried to every registration of the application in the same transaction as the
 * application's change (FusionAuth: deleting a role "removes it from every user holding it"); a role
 * re-created later under the same name is therefore a new role that nobody holds.
 */
import type { Storage } from '../storage/index.js';
import type { Application, Registration, Role } from '../model/types.js';

/** The registration's roles that still exist on the application (names, in the registration's order). */
export function currentRoles(application: Application, roles: readonly string[]): string[] {
  return roles.filter((name) => application.roles.some((r) => r.name === name));
}

/**
 * Given the application's roles before and after a change, rewrites every registration of the
 * application: a deleted role is removed, a renamed one (same id) follows its new name. Must run inside
 * the transaction that writes the application, after `lockApplication(id, 'update')`.
 */
export async function carryRoleChanges(tx: Storage, applicationId: string, before: readonly Role[], after: readonly Role[]): Promise<number> {
  const renamed = new Map<string, string>();
  const removed = new Set<string>();
  for (const role of before) {
    const now = after.find((r) => r.id === role.id);
    if (now === undefined) removed.add(role.name);
    else if (now.name !== role.name) renamed.set(role.name, now.name);
  }
  if (renamed.size === 0 && removed.size === 0) return 0;
  let changed = 0;
  for (const registration of await tx.registrations.find({ application_id: applicationId })) {
    const roles = [...new Set(registration.roles.filter((name) => !removed.has(name)).map((name) => renamed.get(name) ?? name))];
    if (roles.length === registration.roles.length && roles.every((name, i) => name === registration.roles[i])) continue;
    const next: Registration = { ...registration, roles };
    await tx.registrations.update(next);
    changed++;
  }
  return changed;
}
