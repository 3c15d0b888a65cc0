/**
 * OIDC discovery: `<issuer>/.well-known/openid-configuration` → `jwks_uri`. The document's `issuer` must
 * equal the configured issuer byte for byte (OpenID Connect Discovery §4.3), or the policy is not built.
 */
import { ErrorCode, GatehouseError } from '../../../shared/errors.js';
import { fetchJson } from './http-json.js';

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export async function discoverJwksUri(issuer: string, timeoutMs: number, path: string): Promise<string> {
  const url = discoveryUrl(issuer);
  let document: unknown;
  try {
    document = (await fetchJson(url, timeoutMs)).value;
  } catch (error) {
    throw new GatehouseError(ErrorCode.KEY_FETCH, `${path}: OIDC discovery from ${url} failed (${(error as Error).message})`);
  }
  const doc = document as { issuer?: unknown; jwks_uri?: unknown } | null;
  if (typeof doc !== 'object' || doc === null) throw new GatehouseError(ErrorCode.KEY_FETCH, `${path}: ${url} is not a discovery document`);
  if (doc.issuer !== issuer) throw new GatehouseError(ErrorCode.KEY_FETCH, `${path}: ${url} names issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(issuer)}`);
  if (typeof doc.jwks_uri !== 'string' || !/^https?:\/\/\S+$/.test(doc.jwks_uri)) throw new GatehouseError(ErrorCode.KEY_FETCH, `${path}: ${url} has no http(s) jwks_uri`);
  return doc.jwks_uri;
}
