/**
 * Builds one policy from its config: validates it (every problem with its key path), loads the keys
 * (PEM files are read now — the gateway calls this again on SIGHUP, so a reload re-reads them; remote
 * key sets are fetched before this resolves), and assembles the pipeline parts. Any change of keys
 * clears the policy's verified-token cache.
 */
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import type { VerificationKey } from './algorithms.js';
import { ClaimRules } from './claims.js';
import { authPolicySchema, type AuthPolicyConfig, type AuthPolicyConfigInput } from './config.js';
import { ClaimForwarder } from './forward.js';
import { HeaderRules } from './header-rules.js';
import { KeySet, dropDuplicateKids } from './keys/key-set.js';
import { DiscoveredJwks } from './keys/discovery.js';
import { loadInlineJwks, loadPemFiles, loadSecret } from './keys/local.js';
import { RemoteJwks } from './keys/remote-jwks.js';
import { SILENT_LOGGER, type AuthLogger } from './logging.js';
import { PolicyMetrics } from './metrics.js';
import { createLoginPolicy } from './login/index.js';
import { JwtPolicy } from './policy.js';
import { Requirements } from './requirements.js';
import { ResponseBuilder } from './response.js';
import type { AuthPolicy } from './types.js';
import { Verifier } from './verifier.js';
import { OriginCheck, TokenSources } from './sources/index.js';
import type { RevocationList } from './revocation/index.js';

export interface AuthPolicyContext {
  /** Directory that relative key file paths resolve against (the config file's directory). */
  readonly baseDir: string;
  /** Where key loading and fetch problems are logged (a pino logger fits). Never given a token. */
  readonly logger?: AuthLogger;
  /** Wall clock in ms; tests freeze it. Defaults to Date.now. */
  readonly now?: () => number;
  /** The process's revocation list (the gateway's `revocation:` feed); applied unless the policy says `revocation: false`. */
  readonly revocations?: RevocationList;
}

export function formatIssues(prefix: string, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues.map((i) => `${[prefix, ...i.path.map(String)].join('.')}: ${i.message}`).join('\n');
}

export async function createAuthPolicy(name: string, config: AuthPolicyConfig | AuthPolicyConfigInput, context: AuthPolicyContext): Promise<AuthPolicy> {
  const at = `auth.${name}`;
  const parsed = authPolicySchema.safeParse(config);
  if (!parsed.success) throw new GatehouseError(ErrorCode.CONFIG_INVALID, formatIssues(at, parsed.error.issues));
  const c = parsed.data;
  const logger = context.logger ?? SILENT_LOGGER;
  const now = context.now ?? Date.now;

  const staticKeys: VerificationKey[] = [];
  if (c.keys.file !== undefined) {
    const files = typeof c.keys.file === 'string' ? [c.keys.file] : c.keys.file;
    staticKeys.push(...(await loadPemFiles(files, context.baseDir, c.algorithms, `${at}.keys.file`)));
  }
  if (c.keys.jwk !== undefined) staticKeys.push(...loadInlineJwks([c.keys.jwk], c.algorithms, `${at}.keys.jwk`));
  if (c.keys.jwks !== undefined && typeof c.keys.jwks !== 'string') staticKeys.push(...loadInlineJwks(c.keys.jwks.keys, c.algorithms, `${at}.keys.jwks.keys`));
  if (c.keys.secret !== undefined) staticKeys.push(await loadSecret(c.keys.secret, context.baseDir, c.algorithms, `${at}.keys.secret`));
  const staticUnique = dropDuplicateKids(staticKeys);
  if (staticUnique.duplicates.length > 0) throw new GatehouseError(ErrorCode.KEY_UNSAFE, `${at}.keys: duplicate kid ${staticUnique.duplicates.map((k) => JSON.stringify(k)).join(', ')}`);

  const metrics = new PolicyMetrics(name);
  let keySet = new KeySet(staticKeys);
  let policy: JwtPolicy | undefined;
  const loadedAt = now();

  let source: RemoteJwks | DiscoveredJwks | undefined;
  const jwksUrl = typeof c.keys.jwks === 'string' ? c.keys.jwks : undefined;
  const jwks = {
    path: `${at}.keys`,
    algorithms: c.algorithms,
    minAgeMs: c.key_cache.min_age,
    maxAgeMs: c.key_cache.max_age,
    cooldownMs: c.key_cache.cooldown,
    timeoutMs: c.key_cache.timeout,
    logger,
    now,
    onFetch: (result: 'ok' | 'error') => metrics.fetched(result),
    onChange: (keys: readonly VerificationKey[]) => {
      const merged = dropDuplicateKids([...staticKeys, ...keys]);
      if (merged.duplicates.length > 0) logger.warn({ policy: name, kids: merged.duplicates }, 'auth: kid both configured and fetched; both refused');
      keySet = new KeySet(merged.keys);
      policy?.clearCache();
    },
  };
  if (c.keys.discovery !== undefined) {
    const issuer = c.keys.discovery === true ? (c.issuer[0] as string) : c.keys.discovery;
    if (!c.issuer.includes(issuer)) throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${at}.keys.discovery: ${issuer} is not one of the policy's issuers`);
    if (jwksUrl !== undefined) throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${at}.keys: give either jwks (URL) or discovery, not both`);
    source = new DiscoveredJwks({ ...jwks, issuer, path: `${at}.keys.discovery`, onDiscovery: (result) => metrics.discovered(result), jwks });
  } else if (jwksUrl !== undefined) {
    source = new RemoteJwks({ ...jwks, url: jwksUrl });
  }
  await source?.start();
  const ageOwner = {};
  metrics.trackKeyAge(ageOwner, () => (now() - (source === undefined ? loadedAt : source.lastSuccessAt)) / 1000);

  const claims = new ClaimRules({
    issuers: c.issuer,
    audiences: c.audience,
    clockSkewMs: c.clock_skew,
    maxLifetimeMs: c.max_lifetime,
    requireIat: c.require_iat,
    requiredClaims: c.required_claims,
    requireRegistration: c.require_registration,
  });
  const verifier = new Verifier(c.algorithms, c.response, new HeaderRules(c.typ), claims, {
    current: () => keySet,
    refetchForUnknownKid: (kid) => source?.refetchForUnknownKid(kid),
  });
  policy = new JwtPolicy({
    name,
    maxTokenBytes: c.max_token_bytes,
    // header only (the default): no sources object, policy.ts calls extractBearer directly
    sources: c.token_from.length === 1 && c.token_from[0] === 'header' ? undefined : new TokenSources(c.token_from, c.max_token_bytes),
    originCheck: c.allowed_origins === undefined ? undefined : new OriginCheck(c.allowed_origins),
    revocations: c.revocation ? context.revocations : undefined,
    verifier,
    claims,
    requirements: new Requirements(c.roles, c.roles_match, c.scopes, c.scopes_match),
    forwarder: new ClaimForwarder(c.forward.headers, c.forward.unsafe_values, c.forward.strip_authorization),
    responses: new ResponseBuilder(c.response, c.realm),
    metrics,
    cache: c.cache === false ? false : { maxEntries: c.cache.max_entries, negativeMaxEntries: c.cache.negative_max_entries, negativeTtlMs: c.cache.negative_ttl },
    now,
    onClose: () => {
      source?.close();
      metrics.untrackKeyAge(ageOwner);
    },
  });
  logger.info({ policy: name, keys: keySet.size, remote: source instanceof DiscoveredJwks ? source.keySet.url : (jwksUrl ?? null), response: c.response }, 'auth: policy ready');
  if (c.login === undefined) return policy;
  const jwt = policy;
  try {
    return await createLoginPolicy(c.login, jwt, {
      name, issuers: c.issuer, algorithms: c.algorithms, stripAuthorization: c.forward.strip_authorization, baseDir: context.baseDir, logger, now,
      buildIdTokenPolicy: (idName, idConfig) => createAuthPolicy(idName, { ...idConfig, key_cache: c.key_cache } as AuthPolicyConfigInput, context),
    });
  } catch (error) {
    jwt.close();
    throw error;
  }
}
