/**
 * User search — `GET|POST /api/user/search`, FusionAuth's database search engine (its default):
 *
 * - `ids` (repeated query parameter, or an array): those users, in the tenant scope; not paged or sorted.
 * - `queryString`: one term, matched case-insensitively against `firstName`, `lastName`, `fullName`,
 *   `email` and `username` (any of them); `*` alone is every user, `*` inside a term any run of
 *   characters. A term without `*` matches a field that contains it (a choice where FusionAuth's docs
 *   disagree; check exact emails yourself, as FusionAuth's users are told to).
 * - `sortFields` (`[{name, order}]`; `birthDate`, `email`, `fullName`, `id`, `insertInstant`,
 *   `lastLoginInstant`, `login`, `tenantId`, `username`), `startRow` (0), `numberOfResults` (25, at most
 *   10,000) → `{total, users}`.
 * - `query` (Elasticsearch JSON) and `nextResults` are Elasticsearch features: 400 `[notImplemented]`.
 *
 * The users of the tenant scope are read and filtered in the process: fine for the thousands of users
 * this serves, not for millions.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { ApiErrors } from '../model/errors.js';
import { isObject, isUuid, type Body } from '../model/input.js';
import type { User } from '../model/types.js';
import { optionalTenant } from '../http/tenant.js';
import { assertImplementedFields } from '../http/not-implemented.js';
import { bodyOf } from './common.js';
import { userResponse } from './users.js';

const ENDPOINT = { endpoint: '/api/user/search' };
const FIELDS: ReadonlySet<string> = new Set(['ids', 'queryString', 'sortFields', 'startRow', 'numberOfResults', 'accurateTotal']);
const UNIMPLEMENTED: ReadonlySet<string> = new Set(['query', 'nextResults']);
const MATCHED = ['firstName', 'lastName', 'fullName', 'email', 'username'] as const;
const SORTABLE = new Set(['birthDate', 'email', 'fullName', 'id', 'insertInstant', 'lastLoginInstant', 'login', 'tenantId', 'username']);

interface Search {
  ids?: string[];
  queryString?: string;
  sortFields: { name: string; order: 'asc' | 'desc' }[];
  startRow: number;
  numberOfResults: number;
}

/** The search from a POST body's `search`, or from the query parameters of a GET. */
function readSearch(request: FastifyRequest): Search {
  let input: Body;
  if (request.method === 'POST') {
    const body = bodyOf(request);
    assertImplementedFields(body, '', new Set(['search']), new Set());
    input = isObject(body.search) ? body.search : {};
  } else {
    const q = request.query as Record<string, string | string[]>;
    input = {};
    const sortFields: Body[] = [];
    for (const [name, raw] of Object.entries(q)) {
      const sort = /^sortFields\[(\d+)\]\.(name|order|missing)$/.exec(name);
      if (sort !== null) (sortFields[Number(sort[1])] ??= {})[sort[2]!] = Array.isArray(raw) ? raw[0] : raw;
      else if (name === 'ids') input.ids = Array.isArray(raw) ? raw : [raw];
      else if (name === 'startRow' || name === 'numberOfResults') input[name] = Number(Array.isArray(raw) ? raw[0] : raw);
      else input[name] = Array.isArray(raw) ? raw[0] : raw;
    }
    if (sortFields.length > 0) input.sortFields = sortFields.filter((s) => s !== undefined);
  }
  assertImplementedFields(input, 'search', FIELDS, UNIMPLEMENTED);
  const errors = new ApiErrors();
  const search: Search = { sortFields: [], startRow: 0, numberOfResults: 25 };
  if (input.ids !== undefined && input.ids !== null) {
    if (!Array.isArray(input.ids) || !input.ids.every(isUuid)) errors.invalid('search.ids', 'The [search.ids] property must be a list of UUIDs.');
    else search.ids = input.ids.map((id) => id.toLowerCase());
  }
  if (input.queryString !== undefined && input.queryString !== null) {
    if (typeof input.queryString !== 'string' || input.queryString.trim() === '' || /\s/.test(input.queryString.trim())) {
      errors.invalid('search.queryString', 'The [search.queryString] property must be one term without spaces (the database search engine); * matches anything.');
    } else search.queryString = input.queryString.trim();
  }
  if (search.ids === undefined && search.queryString === undefined && errors.empty) errors.blank('search.queryString', 'You must specify [search.ids] or [search.queryString].');
  for (const [name, max] of [['startRow', Number.MAX_SAFE_INTEGER], ['numberOfResults', 10_000]] as const) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) errors.invalid(`search.${name}`, `The [search.${name}] property must be a whole number from 0 to ${max}.`);
    else search[name] = value;
  }
  const sortFields = input.sortFields;
  if (sortFields !== undefined && sortFields !== null) {
    if (!Array.isArray(sortFields)) errors.invalid('search.sortFields', 'The [search.sortFields] property must be a list.');
    else
      sortFields.forEach((field: unknown, i) => {
        const f = (isObject(field) ? field : {}) as { name?: unknown; order?: unknown };
        if (typeof f.name !== 'string' || !SORTABLE.has(f.name)) errors.invalid(`search.sortFields[${i}].name`, `Sort by one of ${[...SORTABLE].join(', ')}.`);
        else if (f.order !== undefined && f.order !== 'asc' && f.order !== 'desc') errors.invalid(`search.sortFields[${i}].order`, 'The order is asc or desc.');
        else search.sortFields.push({ name: f.name, order: f.order === 'desc' ? 'desc' : 'asc' });
      });
  }
  errors.throwIfAny();
  return search;
}

/** The term as a case-insensitive test: `*` is any run of characters; without `*`, "contains". */
function matcher(term: string): (value: string) => boolean {
  if (term === '*') return () => true;
  const pattern = term.toLowerCase().split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const regex = new RegExp(term.includes('*') ? `^${pattern}$` : pattern);
  return (value) => regex.test(value.toLowerCase());
}

function sortValue(user: User, name: string): string | number | undefined {
  const value = name === 'login' ? (user.email ?? user.username) : (user as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.toLowerCase() : typeof value === 'number' ? value : undefined;
}

export function registerUserSearchRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const search = async (request: FastifyRequest) => {
    const s = readSearch(request);
    const scope = (await optionalTenant(ctx, request))?.id;
    const all = await ctx.storage.users.find(scope === undefined ? {} : { tenant_id: scope });
    if (s.ids !== undefined) {
      const wanted = new Set(s.ids);
      const users = all.filter((u) => wanted.has(u.id));
      return { total: users.length, users: await Promise.all(users.map((u) => userResponse(ctx, u))) };
    }
    const test = matcher(s.queryString!);
    const found = all.filter((u) => MATCHED.some((field) => typeof u[field] === 'string' && test(u[field] as string)));
    for (const sort of [...s.sortFields].reverse()) {
      const sign = sort.order === 'desc' ? -1 : 1;
      found.sort((a, b) => {
        const x = sortValue(a, sort.name);
        const y = sortValue(b, sort.name);
        if (x === y) return 0;
        if (x === undefined) return 1;
        if (y === undefined) return -1;
        return x < y ? -sign : sign;
      });
    }
    const page = found.slice(s.startRow, s.startRow + s.numberOfResults);
    return { total: found.length, users: await Promise.all(page.map((u) => userResponse(ctx, u))) };
  };
  app.get('/api/user/search', { config: ENDPOINT }, search);
  app.post('/api/user/search', { config: ENDPOINT }, search);
}
