/**
 * `GET /.well-known/jwks.json` answered before the router: gateways and relying parties poll it, and it is
 * the same bytes until a key changes. The key ring keeps the answer serialised (and drops it on any key
 * write in any instance, see services/keyring.ts), so the hot path is one comparison and one write, with
 * no per-request allocation beyond node's own. While the key set is (re)loading, the request falls
 * through to the ordinary route. These reads are not logged one line each (the log would cost more than
 * the answer); everything else is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyRing } from '../services/keyring.js';

export const JWKS_PATH = '/.well-known/jwks.json';

export class FastPath {
  constructor(private readonly keys: KeyRing) {}

  /** Answers the request and returns true, or returns false for the router to handle it. */
  serve(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.url !== JWKS_PATH || request.method !== 'GET') return false;
    const body = this.keys.jwksNow();
    if (body === undefined) return false;
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    response.end(body);
    return true;
  }
}
