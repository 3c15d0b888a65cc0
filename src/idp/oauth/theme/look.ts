/**
 * A hosted page's look: the name it is branded with, its colours and logo — the theme of the application
 * (`application.themeId`) or else of its tenant (`tenant.themeId`), else the default. Error pages shown
 * before the client is trusted use the default look: an unverified client_id does not pick the branding.
 */
import type { IdpContext } from '../../context.js';
import type { Application, Tenant, Theme } from '../../model/types.js';
import { isColour, isLength, parseLogo, type Logo } from './css-values.js';
import { stylesheet, styleHash } from './stylesheet.js';
import { DEFAULT_COLOURS, VARIABLES, type Colours } from './variables.js';

export interface Look {
  /** The application's or tenant's name, shown when there is no logo and as the logo's text alternative. */
  name?: string;
  colours: Colours;
  logo?: Logo;
  /** The stylesheet and its CSP hash. */
  css: string;
  cssHash: string;
}

function look(colours: Colours, name?: string, logo?: Logo): Look {
  const css = stylesheet(colours);
  return { ...(name === undefined ? {} : { name }), colours, ...(logo === undefined ? {} : { logo }), css, cssHash: styleHash(css) };
}

export const DEFAULT_LOOK: Look = look(DEFAULT_COLOURS);

/**
 * The look of a stored theme (absent: the default colours) under `name`. Stored values are checked again
 * (they were when written): a value that does not pass is left at the default, never drawn.
 */
export function lookOf(theme: Theme | undefined, name?: string): Look {
  if (theme === undefined) return name === undefined ? DEFAULT_LOOK : look(DEFAULT_COLOURS, name);
  const colours = { ...DEFAULT_COLOURS };
  for (const key of Object.keys(colours) as (keyof Colours)[]) {
    const value = theme.variables[key];
    if (typeof value === 'string' && (VARIABLES[key] === 'length' ? isLength(value) : isColour(value))) colours[key] = value;
  }
  const logoUrl = theme.variables.logoImageURL;
  const logo = logoUrl === undefined ? undefined : parseLogo(logoUrl);
  return look(colours, name, logo === undefined || 'problem' in logo ? undefined : logo);
}

/** The look of a tenant's pages, or of an application's (its own theme before its tenant's). */
export async function hostedLook(ctx: IdpContext, tenant: Tenant | undefined, application?: Application): Promise<Look> {
  const themeId = [application?.themeId, tenant?.themeId].find((id): id is string => typeof id === 'string' && id !== '');
  const theme = themeId === undefined ? undefined : await ctx.storage.themes.get(themeId);
  return lookOf(theme, application?.name ?? tenant?.name);
}
