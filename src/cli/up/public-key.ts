/**
 * The seed copies the application's public key from Key Master into pubkey.pem; `up` does the same through
 * the API (`GET /api/jwt/public-key?applicationId=`), so the static-key config always matches the keys
 * in the database.
 */
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { writeFileAtomic } from './data-dir.js';

export async function fetchApplicationPublicKey(idpUrl: string, applicationId: string): Promise<string> {
  const response = await fetch(`${idpUrl}/api/jwt/public-key?applicationId=${encodeURIComponent(applicationId)}`);
  if (response.status === 404) {
    await response.body?.cancel();
    throw new GatehouseError(
      ErrorCode.UP_FOREIGN_DATABASE,
      `the identity provider's database has no application ${applicationId} (from demo.json): the database was not created by this data directory. Use another --data-dir, or move demo.json away to start afresh`,
    );
  }
  const body = (await response.json().catch(() => ({}))) as { publicKey?: unknown };
  if (response.status !== 200 || typeof body.publicKey !== 'string' || !body.publicKey.includes('BEGIN PUBLIC KEY')) {
    throw new GatehouseError(ErrorCode.UP_SELF_CHECK, `GET /api/jwt/public-key?applicationId=${applicationId} gave HTTP ${response.status} without a PEM public key`);
  }
  return body.publicKey.endsWith('\n') ? body.publicKey : `${body.publicKey}\n`;
}

export function writePublicKey(path: string, pem: string): void {
  writeFileAtomic(path, pem, 0o644);
}
