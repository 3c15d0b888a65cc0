/** Reads shared by several pages: tenants and keys for the selects, names for ids. */
import type { IdpContext } from '../context.js';
import { isUuid } from '../model/input.js';
import type { Key, Tenant } from '../model/types.js';

export async function tenants(ctx: IdpContext): Promise<Tenant[]> {
  return ctx.storage.tenants.find();
}

export async function keys(ctx: IdpContext): Promise<Key[]> {
  return ctx.storage.keys.find();
}

export function nameOf<T extends { id: string; name: string }>(list: readonly T[], id: string | undefined): string {
  return list.find((x) => x.id === id)?.name ?? id ?? '';
}

/** A whole number typed into a form as a number for the API; anything else is sent as typed, for the API to reject. */
export function numberOrText(value: string): number | string | undefined {
  if (value === '') return undefined;
  return /^\d{1,15}$/.test(value) ? Number(value) : value;
}

/** One value per line, blank lines dropped. */
export function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The object whose id is in the path (the IdP's own UUID rule), or undefined. */
export async function byId<T>(table: { get(id: string): Promise<T | undefined> }, id: unknown): Promise<T | undefined> {
  return isUuid(id) ? table.get(id.toLowerCase()) : undefined;
}
