/**
 * Fetches one JSON document for the key sources (JWKS, OIDC discovery): a timeout, a size cap, no
 * redirects (a key set is fetched exactly from the configured or discovered URL), 200 only.
 */
import { DEFAULTS } from '../defaults.js';

export interface FetchedJson {
  readonly value: unknown;
  readonly text: string;
  readonly cacheControl: string | null;
}

export class FetchProblem extends Error {}

export async function fetchJson(url: string, timeoutMs: number, maxBytes: number = DEFAULTS.maxKeyDocumentBytes): Promise<FetchedJson> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (error) {
    const name = (error as Error).name;
    throw new FetchProblem(name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `request failed (${(error as Error & { cause?: { code?: string } }).cause?.code ?? name})`);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchProblem(`HTTP status ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FetchProblem(`document larger than ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    if (response.body !== null) {
      for await (const chunk of response.body) {
        total += chunk.byteLength;
        if (total > maxBytes) throw new FetchProblem(`document larger than ${maxBytes} bytes`);
        chunks.push(chunk);
      }
    }
  } catch (error) {
    if (error instanceof FetchProblem) throw error;
    throw new FetchProblem(`reading the body failed (${(error as Error).name})`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FetchProblem('the body is not JSON');
  }
  return { value, text, cacheControl: response.headers.get('cache-control') };
}

/** Cache lifetime from Cache-Control (max-age; no-store/no-cache mean "as short as allowed"), clamped. */
export function cacheLifetimeMs(cacheControl: string | null, minMs: number, maxMs: number): number {
  let wanted = 10 * 60_000;
  if (cacheControl !== null) {
    const cc = cacheControl.toLowerCase();
    const maxAge = /(?:^|[,\s])max-age\s*=\s*"?(\d{1,10})"?/.exec(cc);
    if (/(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])/.test(cc)) wanted = 0;
    else if (maxAge !== null) wanted = Number(maxAge[1]) * 1000;
  }
  return Math.min(maxMs, Math.max(minMs, wanted));
}
