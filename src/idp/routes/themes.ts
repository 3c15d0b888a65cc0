/**
 * Theme API — `/api/theme`: create (optionally copying `sourceThemeId`), retrieve, list, replace, patch,
 * delete; validation in services/themes.ts. Themes are global, like FusionAuth's: a tenant-scoped API key
 * does not see them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdpContext } from '../context.js';
import { fieldError, notFound } from '../model/errors.js';
import { mergePatch, type Body } from '../model/input.js';
import type { Theme } from '../model/types.js';
import { assertThemeUnused, saveTheme, validateTheme } from '../services/themes.js';
import { bodyOf, createId, pathId, withoutNulls, wrapped } from './common.js';

const ENDPOINT = { endpoint: '/api/theme' };

function global(request: FastifyRequest): void {
  if (request.apiKey?.tenantId !== undefined) notFound();
}

async function existing(ctx: IdpContext, request: FastifyRequest<{ Params: { id: string } }>): Promise<Theme> {
  global(request);
  return (await ctx.storage.themes.get(pathId(request.params.id))) ?? notFound();
}

export function registerThemeRoutes(app: FastifyInstance, ctx: IdpContext): void {
  const create = async (request: FastifyRequest<{ Params: { id?: string } }>) => {
    global(request);
    const body = bodyOf(request);
    const input = wrapped(request, 'theme');
    let base: Body = {};
    if (body.sourceThemeId !== undefined && body.sourceThemeId !== null) {
      const source = typeof body.sourceThemeId === 'string' ? await ctx.storage.themes.get(body.sourceThemeId.toLowerCase()) : undefined;
      if (source === undefined) fieldError('sourceThemeId', 'invalid', 'The [sourceThemeId] does not name an existing theme.');
      base = { type: source.type, variables: source.variables, data: source.data };
    }
    const id = createId(request.params.id, input.id, 'theme.id');
    const now = ctx.now();
    const theme = validateTheme({ ...mergePatch(base, withoutNulls(input)), id, insertInstant: now, lastUpdateInstant: now });
    await saveTheme(ctx, theme, true);
    return { theme };
  };
  app.post('/api/theme', { config: ENDPOINT }, create);
  app.post('/api/theme/:id', { config: ENDPOINT }, create);

  app.get('/api/theme', { config: ENDPOINT }, async (request) => {
    global(request);
    return { themes: await ctx.storage.themes.find() };
  });

  app.get<{ Params: { id: string } }>('/api/theme/:id', { config: ENDPOINT }, async (request) => ({ theme: await existing(ctx, request) }));

  const update = (patch: boolean) => async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const stored = await existing(ctx, request);
    const input = wrapped(request, 'theme');
    const next = patch ? mergePatch(stored as unknown as Body, input) : withoutNulls(input);
    const theme = validateTheme({ ...next, id: stored.id, insertInstant: stored.insertInstant, lastUpdateInstant: ctx.now() });
    await saveTheme(ctx, theme, false);
    return { theme };
  };
  app.put('/api/theme/:id', { config: ENDPOINT }, update(false));
  app.patch('/api/theme/:id', { config: ENDPOINT }, update(true));

  app.delete<{ Params: { id: string } }>('/api/theme/:id', { config: ENDPOINT }, async (request, reply) => {
    const theme = await existing(ctx, request);
    await assertThemeUnused(ctx, theme.id);
    await ctx.storage.themes.delete(theme.id);
    return reply.code(200).send();
  });
}
