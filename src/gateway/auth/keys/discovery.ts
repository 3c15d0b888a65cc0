/**
 * OIDC discovery: `<issuer>/.well-known/openid-configuration` → `jwks_uri`. The document's `issuer` must
 * equal the configured issuer byte for byte (OpenID Connect Discovery §4.3), or the policy is not built.
 *
 * The document is re-read like the key set itself (`Refresher`): in the background after its
 * Cache-Control lifetime within [min_age, max_age], and when a token's unknown kid is still unknown
 * after the key set was refetched — at most once per cool-down, all such tokens sharing one read; a kid
 * still unknown after that gets the key set's bounded retries (remote-jwks.ts). A
 * changed `jwks_uri` is followed once the new URL serves a usable key set. A document that cannot be
 * fetched, is not JSON, names another issuer or has no http(s) `jwks_uri` changes nothing: the last
 * good `jwks_uri` and keys stay (logged and counted), and it is read again after the cool-down.
 */
import { ErrorCode, GatehouseError } from '../../../shared/errors.js';
import type { AuthLogger } from '../logging.js';
import { FetchProblem, fetchJson } from './http-json.js';
import { Refresher, type FetchOutcome, type RefresherOptions } from './refresher.js';
import { RemoteJwks, type RemoteJwksOptions } from './remote-jwks.js';

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** `error`: the document could not be fetched or parsed; `invalid`: it is not one this policy may use. */
export type DiscoveryResult = 'ok' | 'error' | 'invalid';

export class DiscoveryProblem extends Error {
  constructor(
    readonly result: Exclude<DiscoveryResult, 'ok'>,
    message: string,
  ) {
    super(message);
  }
}

export interface DiscoveryDocument {
  readonly jwksUri: string;
  readonly cacheControl: string | null;
}

/** Reads and checks the discovery document; throws a `DiscoveryProblem` (its message names no secret). */
export async function readDiscovery(issuer: string, timeoutMs: number): Promise<DiscoveryDocument> {
  const url = discoveryUrl(issuer);
  let fetched;
  try {
    fetched = await fetchJson(url, timeoutMs);
  } catch (error) {
    throw new DiscoveryProblem('error', `OIDC discovery from ${url} failed (${error instanceof FetchProblem ? error.message : (error as Error).name})`);
  }
  const doc = fetched.value as { issuer?: unknown; jwks_uri?: unknown } | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new DiscoveryProblem('invalid', `${url} is not a discovery document`);
  if (doc.issuer !== issuer) throw new DiscoveryProblem('invalid', `${url} names issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(issuer)}`);
  if (typeof doc.jwks_uri !== 'string' || !/^https?:\/\/\S+$/.test(doc.jwks_uri)) throw new DiscoveryProblem('invalid', `${url} has no http(s) jwks_uri`);
  return { jwksUri: doc.jwks_uri, cacheControl: fetched.cacheControl };
}

export interface DiscoveredJwksOptions extends RefresherOptions {
  readonly issuer: string;
  /** Config key path, for messages. */
  readonly path: string;
  readonly timeoutMs: number;
  readonly logger: AuthLogger;
  readonly onDiscovery: (result: DiscoveryResult) => void;
  /** For the key set; its `url` is the discovered `jwks_uri`. */
  readonly jwks: Omit<RemoteJwksOptions, 'url'>;
}

/** A key set found by OIDC discovery, with the discovery document kept fresh. */
export class DiscoveredJwks {
  private remote: RemoteJwks | undefined;
  /** The refetch → discovery → retries chain in progress for an unknown kid. */
  private unknownKid: Promise<boolean> | undefined;
  private firstProblem = '';
  private readonly refresher: Refresher;

  constructor(private readonly options: DiscoveredJwksOptions) {
    this.refresher = new Refresher(options, () => this.rediscover());
  }

  get keySet(): RemoteJwks {
    if (this.remote === undefined) throw new Error('DiscoveredJwks used before start()');
    return this.remote;
  }

  get lastSuccessAt(): number {
    return this.keySet.lastSuccessAt;
  }

  /** Discovery, then the first key set fetch; the policy is not built until both succeed. */
  async start(): Promise<void> {
    try {
      if (!(await this.refresher.run())) throw new GatehouseError(ErrorCode.KEY_FETCH, `${this.options.path}: ${this.firstProblem}`);
      await this.keySet.start();
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * A token names a kid the key set does not have: refetch the key set (at most once per cool-down,
   * shared); if the kid is still unknown, re-read discovery (the same rule) and follow a moved
   * `jwks_uri`; if it is still unknown after that, the key set's bounded retries (about 1 s in all, as
   * for a `jwks` URL: the identity provider's JWKS may be a moment behind a rotation). One such chain per
   * cool-down, shared: a token arriving while it runs waits for it. Undefined when nothing is allowed now.
   */
  refetchForUnknownKid(kid: string): Promise<boolean> | undefined {
    const refetch = this.keySet.refetchOnDemand();
    if (refetch === undefined) return this.unknownKid ?? this.keySet.retries;
    const chain = refetch.then((ok) => this.afterRefetch(kid, ok));
    this.unknownKid = chain;
    void chain.finally(() => {
      if (this.unknownKid === chain) this.unknownKid = undefined;
    });
    return chain;
  }

  /** Discovery first (a moved `jwks_uri` is found at once), then the retries of the key set. */
  private async afterRefetch(kid: string, refetched: boolean): Promise<boolean> {
    if (this.keySet.hasKid(kid)) return refetched;
    const rediscovery = this.refresher.runOnDemand();
    if (rediscovery !== undefined) await rediscovery;
    if (!refetched || this.keySet.hasKid(kid)) return refetched;
    return this.keySet.retryForKid(kid) ?? refetched;
  }

  close(): void {
    this.refresher.close();
    this.remote?.close();
  }

  /** The first read (no key set yet) or a refresh. Never rejects. */
  private async rediscover(): Promise<FetchOutcome> {
    const { issuer, timeoutMs, logger, path } = this.options;
    const remote = this.remote;
    let doc: DiscoveryDocument;
    try {
      doc = await readDiscovery(issuer, timeoutMs);
    } catch (error) {
      const problem = error instanceof DiscoveryProblem ? error : new DiscoveryProblem('error', (error as Error).name);
      this.options.onDiscovery(problem.result);
      if (remote === undefined) this.firstProblem = problem.message;
      else logger.warn({ path, issuer, problem: problem.message, keptJwksUri: remote.url, keptKeys: remote.keys.length }, 'auth: OIDC discovery failed; keeping the last good jwks_uri and keys');
      return false;
    }
    this.options.onDiscovery('ok');
    const outcome = { cacheControl: doc.cacheControl };
    if (remote === undefined) {
      this.remote = new RemoteJwks({ ...this.options.jwks, url: doc.jwksUri });
      return outcome;
    }
    if (doc.jwksUri === remote.url) return outcome;
    logger.info({ path, issuer, jwksUri: doc.jwksUri, previous: remote.url }, 'auth: OIDC discovery names a new jwks_uri');
    // A new URL without a usable key set is a failed refresh: discovery is read again after the cool-down.
    return (await remote.moveTo(doc.jwksUri)) ? outcome : false;
  }
}
