/**
 * The demo's identity: ids, API keys, the demo user's password and the issuer. Generated once on the first
 * start and kept in `<data-dir>/demo.json`, so every later start (and every script) sees the same values.
 * The file also carries the URLs of the running parts, refreshed on each start.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { readFileIfExists, writeFileAtomic } from './data-dir.js';

export interface DemoState {
  /** The tenant issuer: the identity provider's URL at the first start. */
  readonly issuer: string;
  readonly applicationId: string;
  /** The seed's API key: allowed to POST /api/login and nothing else. */
  readonly apiKey: string;
  readonly loginId: string;
  readonly password: string;
  readonly gatewayUrl: string;
  readonly idpUrl: string;
  readonly echoUrl: string;
  readonly userId: string;
  /** An unrestricted API key for managing the demo through the API (kickstart, scripts, tests). */
  readonly adminApiKey: string;
  readonly jwksUrl: string;
  readonly createdAt: string;
  /** The admin console's demo administrator (absent in data directories from before the console; `up` adds them). */
  readonly adminLoginId?: string;
  readonly adminPassword?: string;
  /** When `up`'s self-check last passed with this data directory (absent until a start has completed). */
  readonly verifiedAt?: string;
}

const GENERATED = ['issuer', 'applicationId', 'apiKey', 'loginId', 'password', 'userId', 'adminApiKey'] as const;

function secret(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function generateDemoState(urls: { idpUrl: string; gatewayUrl: string; echoUrl: string }): DemoState {
  return {
    issuer: urls.idpUrl,
    applicationId: randomUUID(),
    apiKey: secret(32),
    loginId: 'demo@example.com',
    password: `demo-${secret(9)}`,
    ...urls,
    jwksUrl: `${urls.idpUrl}/.well-known/jwks.json`,
    userId: randomUUID(),
    adminApiKey: secret(32),
    createdAt: new Date().toISOString(),
  };
}

/** Reads demo.json; undefined when it does not exist yet. A damaged file is an error naming the file. */
export function readDemoState(path: string): DemoState | undefined {
  const text = readFileIfExists(path);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GatehouseError(ErrorCode.UP_DEMO_STATE, `${path}: not valid JSON; fix it, or move the data directory away to start afresh`);
  }
  const record = parsed as Record<string, unknown>;
  for (const field of GENERATED) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      throw new GatehouseError(ErrorCode.UP_DEMO_STATE, `${path}: ${field}: expected a non-empty string; fix it, or move the data directory away to start afresh`);
    }
  }
  return parsed as DemoState;
}

/** The same identity with this start's URLs. */
export function withUrls(state: DemoState, urls: { idpUrl: string; gatewayUrl: string; echoUrl: string }): DemoState {
  return { ...state, ...urls, jwksUrl: `${urls.idpUrl}/.well-known/jwks.json` };
}

export function writeDemoState(path: string, state: DemoState): void {
  const ordered = {
    issuer: state.issuer,
    applicationId: state.applicationId,
    apiKey: state.apiKey,
    loginId: state.loginId,
    password: state.password,
    gatewayUrl: state.gatewayUrl,
    idpUrl: state.idpUrl,
    echoUrl: state.echoUrl,
    jwksUrl: state.jwksUrl,
    userId: state.userId,
    adminApiKey: state.adminApiKey,
    ...(state.adminLoginId === undefined ? {} : { adminLoginId: state.adminLoginId, adminPassword: state.adminPassword }),
    createdAt: state.createdAt,
    ...(state.verifiedAt === undefined ? {} : { verifiedAt: state.verifiedAt }),
  };
  writeFileAtomic(path, `${JSON.stringify(ordered, null, 2)}\n`);
}
