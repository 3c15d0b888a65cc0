/**
 * The demo administrator of the admin console (/admin): a user registered to the console's application
 * with the `admin` role, made through the identity provider's API with the demo's unrestricted key at
 * every start when missing — so a data directory from before the console gets one too. The login id and
 * password live in demo.json (`adminLoginId`, `adminPassword`).
 */
import { randomBytes } from 'node:crypto';
import { ADMIN_APPLICATION_ID, ADMIN_APPLICATION_NAME, ADMIN_ROLE } from '../../idp/admin/index.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { DemoState } from './demo-state.js';

export const DEMO_ADMIN_LOGIN_ID = 'admin@example.com';

export function generateAdminCredentials(): { adminLoginId: string; adminPassword: string } {
  return { adminLoginId: DEMO_ADMIN_LOGIN_ID, adminPassword: `admin-${randomBytes(12).toString('base64url')}` };
}

export async function idpCall(idpUrl: string, apiKey: string, method: string, path: string, body?: unknown, tenantId?: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${idpUrl}${path}`, {
    method,
    headers: { authorization: apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(tenantId === undefined ? {} : { 'x-fusionauth-tenantid': tenantId }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
}

function fail(step: string, status: number): never {
  throw new GatehouseError(ErrorCode.IDP_ADMIN_SETUP, `up: could not create the admin console's demo administrator (${step}: HTTP ${status})`);
}

/** Creates the console's application and the demo administrator unless they exist. `idpUrl` is a loopback URL. */
export async function ensureDemoAdmin(idpUrl: string, state: DemoState & { adminLoginId: string; adminPassword: string }): Promise<void> {
  const key = state.adminApiKey;
  const demoApp = await idpCall(idpUrl, key, 'GET', `/api/application/${state.applicationId}`);
  if (demoApp.status !== 200) fail('GET the demo application', demoApp.status);
  const tenantId = demoApp.json.application.tenantId as string;
  const admin = await idpCall(idpUrl, key, 'GET', `/api/application/${ADMIN_APPLICATION_ID}`);
  if (admin.status === 404) {
    const created = await idpCall(idpUrl, key, 'POST', `/api/application/${ADMIN_APPLICATION_ID}`, { application: { name: ADMIN_APPLICATION_NAME, roles: [{ name: ADMIN_ROLE, isSuperRole: true }] } }, tenantId);
    if (created.status !== 200) fail('create the console application', created.status);
  } else if (admin.status !== 200) fail('GET the console application', admin.status);
  const user = await idpCall(idpUrl, key, 'GET', `/api/user?email=${encodeURIComponent(state.adminLoginId)}`, undefined, tenantId);
  if (user.status === 200) return;
  if (user.status !== 404) fail('look up the administrator', user.status);
  const registered = await idpCall(
    idpUrl,
    key,
    'POST',
    '/api/user/registration',
    { user: { email: state.adminLoginId, password: state.adminPassword, firstName: 'Demo', lastName: 'Admin' }, registration: { applicationId: ADMIN_APPLICATION_ID, roles: [ADMIN_ROLE] } },
    tenantId,
  );
  if (registered.status !== 200) fail('create the administrator', registered.status);
}
