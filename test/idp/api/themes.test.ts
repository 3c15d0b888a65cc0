/**
 * The Theme API through the real `@fusionauth/typescript-client`: a simple theme is created, retrieved,
 * listed, patched, replaced, copied and deleted; a tenant and an application take it by `themeId`, which
 * must name a stored theme, and a theme in use cannot be deleted. What Gatehouse does not draw (advanced
 * templates, a stylesheet, undrawn variables) is refused `[notImplemented]`, and a value that could escape
 * the stylesheet or load a script (a colour with `;}`, a `javascript:` or `http:` logo) is `[invalid]` —
 * nothing is stored.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { FusionAuthClient } from '@fusionauth/typescript-client';
import { startTestIdp, type TestIdp } from '../support.js';

let idp: TestIdp;
let client: FusionAuthClient;
before(async () => {
  idp = await startTestIdp();
  client = new FusionAuthClient(idp.adminKey, idp.url);
});
after(() => idp.close());

/** The field errors of a refused call. */
async function refused(call: Promise<unknown>): Promise<Record<string, { code: string; message: string }[]>> {
  const error = (await call.then(
    () => assert.fail('the call was accepted'),
    (e: unknown) => e,
  )) as { statusCode: number; exception: { fieldErrors: Record<string, { code: string; message: string }[]> } };
  assert.equal(error.statusCode, 400);
  return error.exception.fieldErrors;
}

const ACME = { pageBackgroundColor: '#0b1f3a', panelBackgroundColor: '#ffffff', fontColor: '#14213d', primaryButtonColor: 'rgb(196, 30, 58)', primaryButtonTextColor: '#fff', borderRadius: '0.5rem', logoImageURL: 'https://cdn.acme.example/brand/logo.svg' };

test('a simple theme: create, retrieve, list, patch, update, copy, delete', async () => {
  const id = randomUUID();
  const created = await client.createTheme(id, { theme: { name: 'Acme', variables: ACME } });
  assert.equal(created.statusCode, 200);
  assert.equal(created.response.theme!.id, id);
  assert.equal(created.response.theme!.type, 'simple');
  assert.deepEqual(created.response.theme!.variables, ACME);

  const retrieved = await client.retrieveTheme(id);
  assert.deepEqual(retrieved.response.theme, created.response.theme);
  assert.ok((await client.retrieveThemes()).response.themes!.some((t) => t.id === id));

  const patched = await client.patchTheme(id, { theme: { variables: { fontColor: 'hsl(220, 40%, 15%)' } } });
  assert.equal(patched.response.theme!.variables!.fontColor, 'hsl(220, 40%, 15%)');
  assert.equal(patched.response.theme!.variables!.logoImageURL, ACME.logoImageURL, 'a patch keeps the other variables');

  const updated = await client.updateTheme(id, { theme: { name: 'Acme 2', variables: { primaryButtonColor: '#123456' } } });
  assert.deepEqual(updated.response.theme!.variables, { primaryButtonColor: '#123456' }, 'an update replaces');
  assert.equal(updated.response.theme!.name, 'Acme 2');

  const copy = await client.createTheme(null as never, { sourceThemeId: id, theme: { name: 'Acme copy' } });
  assert.deepEqual(copy.response.theme!.variables, { primaryButtonColor: '#123456' });
  assert.notEqual(copy.response.theme!.id, id);

  const duplicate = await refused(client.createTheme(null as never, { theme: { name: 'Acme 2' } }));
  assert.equal(duplicate['theme.name']![0]!.code, '[duplicate]theme.name');

  assert.equal((await client.deleteTheme(copy.response.theme!.id!)).statusCode, 200);
  const gone = await client.retrieveTheme(copy.response.theme!.id!).catch((e: { statusCode: number }) => e);
  assert.equal(gone.statusCode, 404);
});

test('unsafe or unsupported values are refused, naming the field, and nothing is stored', async () => {
  const before = (await client.retrieveThemes()).response.themes!.length;
  const cases: [Record<string, unknown>, string][] = [
    [{ variables: { logoImageURL: 'javascript:alert(1)' } }, '[invalid]theme.variables.logoImageURL'],
    [{ variables: { logoImageURL: 'http://cdn.example/logo.png' } }, '[invalid]theme.variables.logoImageURL'],
    [{ variables: { logoImageURL: 'data:text/html;base64,PHNjcmlwdD4=' } }, '[invalid]theme.variables.logoImageURL'],
    [{ variables: { logoImageURL: 'https://user:pw@cdn.example/logo.png' } }, '[invalid]theme.variables.logoImageURL'],
    [{ variables: { fontColor: 'red;}body{background:url(https://evil.example/x)' } }, '[invalid]theme.variables.fontColor'],
    [{ variables: { fontColor: '#12345' } }, '[invalid]theme.variables.fontColor'],
    [{ variables: { primaryButtonColor: 'red' } }, '[invalid]theme.variables.primaryButtonColor'],
    [{ variables: { borderRadius: '4px;color:red' } }, '[invalid]theme.variables.borderRadius'],
    [{ variables: { fontFamily: 'Comic Sans MS' } }, '[notImplemented]theme.variables.fontFamily'],
    [{ variables: { backgroundImageURL: 'https://cdn.example/bg.png' } }, '[notImplemented]theme.variables.backgroundImageURL'],
    [{ variables: { fontColour: '#000' } }, '[unknown]theme.variables.fontColour'],
    [{ templates: { oauth2Authorize: '[#ftl/]' } }, '[notImplemented]theme.templates'],
    [{ stylesheet: 'body{}' }, '[notImplemented]theme.stylesheet'],
    [{ type: 'advanced' }, '[notImplemented]theme.type'],
  ];
  for (const [theme, code] of cases) {
    const field = code.replace(/^\[\w+\]/, '');
    const errors = await refused(client.createTheme(null as never, { theme: { name: `bad ${code}`, ...theme } as never }));
    assert.equal(errors[field]?.[0]?.code, code, `${JSON.stringify(theme)}: ${JSON.stringify(errors)}`);
    assert.ok(!(errors[field]![0]!.message).includes('evil.example'), 'the message does not echo the value');
  }
  assert.equal((await client.retrieveThemes()).response.themes!.length, before);
  const data = await client.createTheme(null as never, { theme: { name: 'Data logo', variables: { logoImageURL: 'data:image/png;base64,iVBORw0KGgo=' } } });
  assert.equal(data.statusCode, 200);
});

test('tenant.themeId and application.themeId name a stored theme; a theme in use is not deleted', async () => {
  const theme = (await client.createTheme(null as never, { theme: { name: 'Tenant look', variables: { primaryButtonColor: '#0a7d38' } } })).response.theme!;
  const tenantId = (await client.retrieveTenants()).response.tenants![0]!.id!;
  const unknown = await refused(client.patchTenant(tenantId, { tenant: { themeId: randomUUID() } }));
  assert.equal(unknown['tenant.themeId']![0]!.code, '[invalid]tenant.themeId');
  assert.equal((await client.patchTenant(tenantId, { tenant: { themeId: theme.id! } })).response.tenant!.themeId, theme.id);

  const inUse = await refused(client.deleteTheme(theme.id!));
  assert.equal(inUse['themeId']![0]!.code, '[inUse]themeId');

  const appUnknown = await refused(client.createApplication(null as never, { application: { name: 'Themed', themeId: randomUUID() } }));
  assert.equal(appUnknown['application.themeId']![0]!.code, '[invalid]application.themeId');
  const app = (await client.createApplication(null as never, { application: { name: 'Themed', themeId: theme.id! } })).response.application!;
  assert.equal(app.themeId, theme.id);

  await client.patchTenant(tenantId, { tenant: { themeId: null as never } });
  const appUses = await refused(client.deleteTheme(theme.id!));
  assert.equal(appUses['themeId']![0]!.code, '[inUse]themeId');
  await client.patchApplication(app.id!, { application: { themeId: null as never } });
  assert.equal((await client.deleteTheme(theme.id!)).statusCode, 200);
});

test('a tenant-scoped API key does not see themes', async () => {
  const tenantId = (await client.retrieveTenants()).response.tenants![0]!.id!;
  const key = `scoped-${randomUUID()}`;
  await client.createAPIKey(null as never, { apiKey: { key, tenantId } });
  const scoped = new FusionAuthClient(key, idp.url);
  const answer = await scoped.retrieveThemes().catch((e: { statusCode: number }) => e);
  assert.equal(answer.statusCode, 404);
});
