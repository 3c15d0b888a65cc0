/**
 * Themes of the hosted pages (FusionAuth's simple themes): validation and use. A theme is a name and
 * `variables` — colours, a border radius and a logo URL, each checked by grammar
 * (oauth/theme/css-values.ts) so no value can escape the stylesheet or load anything but the logo.
 * FusionAuth's advanced themes (FreeMarker `templates`, `stylesheet`, messages) and the variables Gatehouse
 * does not draw are refused as `[notImplemented]`; unknown members as `[unknown]`. A theme in use by a
 * tenant or an application cannot be deleted.
 */
import type { IdpContext } from '../context.js';
import { ApiErrors, fieldError } from '../model/errors.js';
import { isObject, isUuid, objectAt, optionalString, requiredString, type Body } from '../model/input.js';
import type { Theme } from '../model/types.js';
import { refuseUnimplementedFields } from '../http/not-implemented.js';
import { isColour, isLength, parseLogo } from '../oauth/theme/css-values.js';
import { UNIMPLEMENTED_VARIABLES, VARIABLES, type VariableName } from '../oauth/theme/variables.js';
import { DuplicateError } from '../storage/index.js';

const THEME_FIELDS: ReadonlySet<string> = new Set(['id', 'name', 'type', 'variables', 'data', 'insertInstant', 'lastUpdateInstant']);
const THEME_UNIMPLEMENTED: ReadonlySet<string> = new Set(['templates', 'stylesheet', 'defaultMessages', 'localizedMessages']);

function variable(errors: ApiErrors, name: VariableName, value: unknown): string | undefined {
  const path = `theme.variables.${name}`;
  if (typeof value !== 'string') {
    errors.invalid(path, `The [${path}] property must be a string.`);
    return undefined;
  }
  const kind = VARIABLES[name];
  if (kind === 'colour' && !isColour(value)) errors.invalid(path, `The [${path}] property must be a CSS colour: #rgb, #rrggbb, #rrggbbaa, rgb(…) or hsl(…).`);
  else if (kind === 'length' && !isLength(value)) errors.invalid(path, `The [${path}] property must be 0 or a length in px, rem, em or %.`);
  else if (kind === 'logo') {
    const logo = parseLogo(value);
    if ('problem' in logo) errors.invalid(path, `The [${path}] property must be ${logo.problem}.`);
  } else return value;
  return errors.fieldErrors[path] === undefined ? value : undefined;
}

function variables(errors: ApiErrors, input: Body): Record<string, string> {
  refuseUnimplementedFields(input, 'theme.variables', new Set(Object.keys(VARIABLES)), UNIMPLEMENTED_VARIABLES, errors);
  const out: Record<string, string> = {};
  for (const name of Object.keys(VARIABLES) as VariableName[]) {
    const value = input[name];
    if (value === undefined || value === null || value === '') continue;
    const checked = variable(errors, name, value);
    if (checked !== undefined) out[name] = checked;
  }
  return out;
}

/** Validates a complete theme document (with id and instants), collecting every problem. */
export function validateTheme(input: Body): Theme {
  const errors = refuseUnimplementedFields(input, 'theme', THEME_FIELDS, THEME_UNIMPLEMENTED);
  const name = requiredString(errors, input, 'name', 'theme.name');
  const type = optionalString(errors, input, 'type', 'theme.type') ?? 'simple';
  if (type === 'advanced') errors.field('theme.type', 'notImplemented', 'Gatehouse does not implement advanced (template) themes; use [simple] with [theme.variables] (see docs/idp.md, "Themes").');
  else if (type !== 'simple') errors.invalid('theme.type', 'The [theme.type] property must be [simple].');
  const vars = variables(errors, objectAt(errors, input, 'variables', 'theme.variables'));
  if (input.data !== undefined && input.data !== null && !isObject(input.data)) errors.invalid('theme.data', 'The [theme.data] property must be an object.');
  errors.throwIfAny();
  return {
    id: input.id as string,
    name: name!,
    type: 'simple',
    variables: vars,
    data: (input.data as Theme['data'] | undefined) ?? {},
    insertInstant: input.insertInstant as number,
    lastUpdateInstant: input.lastUpdateInstant as number,
  };
}

export async function saveTheme(ctx: IdpContext, theme: Theme, create: boolean): Promise<void> {
  try {
    if (create) await ctx.storage.themes.insert(theme);
    else await ctx.storage.themes.update(theme);
  } catch (error) {
    if (error instanceof DuplicateError) {
      if (create && (await ctx.storage.themes.get(theme.id)) !== undefined) fieldError('theme.id', 'duplicate', `A Theme with Id [${theme.id}] already exists.`);
      fieldError('theme.name', 'duplicate', `A Theme with name [${theme.name}] already exists.`);
    }
    throw error;
  }
}

/** Checks `body.themeId` (a tenant's or an application's): absent, or the id of a stored theme. */
export async function checkThemeId(ctx: IdpContext, errors: ApiErrors, body: Body, path: string): Promise<void> {
  const id = optionalString(errors, body, 'themeId', path);
  if (id === undefined || id === '') return;
  if (!isUuid(id) || (await ctx.storage.themes.get(id.toLowerCase())) === undefined) errors.invalid(path, `The [${path}] property does not name an existing theme.`);
}

/** Refuses to delete a theme a tenant or an application uses. */
export async function assertThemeUnused(ctx: IdpContext, themeId: string): Promise<void> {
  const tenant = (await ctx.storage.tenants.find()).find((t) => t.themeId === themeId);
  if (tenant !== undefined) fieldError('themeId', 'inUse', `The theme is the theme of the tenant [${tenant.name}]; give the tenant another theme first.`);
  const application = (await ctx.storage.applications.find()).find((a) => a.themeId === themeId);
  if (application !== undefined) fieldError('themeId', 'inUse', `The theme is the theme of the application [${application.name}]; give the application another theme first.`);
}
