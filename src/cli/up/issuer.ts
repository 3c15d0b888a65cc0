/**
 * The demo tenant's issuer, as the identity provider has it. The console (like the seed) invites changing
 * it; the gateway `up` runs checks `iss` against it, so `up` follows it: at start it adopts the tenant's
 * issuer (demo.json and both gateway configs are rewritten), and while running it looks every few seconds
 * and, when it changed, rewrites the configs and reloads the gateway, saying so on stdout.
 */
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { idpCall } from './demo-admin.js';

/** The issuer of the tenant that owns the demo application. `idpUrl` is a loopback URL. */
export async function tenantIssuer(idpUrl: string, adminApiKey: string, applicationId: string): Promise<string> {
  const application = await idpCall(idpUrl, adminApiKey, 'GET', `/api/application/${applicationId}`);
  const tenantId = application.json?.application?.tenantId as string | undefined;
  if (application.status !== 200 || tenantId === undefined) {
    throw new GatehouseError(ErrorCode.UP_SELF_CHECK, `GET /api/application/${applicationId} gave HTTP ${application.status}; cannot read the tenant's issuer`);
  }
  const tenant = await idpCall(idpUrl, adminApiKey, 'GET', `/api/tenant/${tenantId}`);
  const issuer = tenant.json?.tenant?.issuer as string | undefined;
  if (tenant.status !== 200 || typeof issuer !== 'string' || issuer === '') {
    throw new GatehouseError(ErrorCode.UP_SELF_CHECK, `GET /api/tenant/${tenantId} gave HTTP ${tenant.status} without an issuer`);
  }
  return issuer;
}

export function issuerChangedNote(from: string, to: string): string {
  return `The tenant's issuer changed (in the console or the API): ${JSON.stringify(from)} -> ${JSON.stringify(to)}. The gateway now checks iss = ${JSON.stringify(to)} (demo.json and the gateway configs rewritten); tokens issued before the change no longer pass.`;
}

/** Polls the tenant's issuer every `intervalMs` and calls `onChange` when it differs; returns a stop function. */
export function watchIssuer(read: () => Promise<string>, current: string, onChange: (issuer: string) => Promise<void>, intervalMs = 3_000): () => void {
  let known = current;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    read()
      .then(async (issuer) => {
        if (issuer === known) return;
        known = issuer;
        await onChange(issuer);
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
