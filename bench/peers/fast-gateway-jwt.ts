/**
 * The other Node peer for the JWT benchmark: fast-gateway 3.4.7 (restana + fast-proxy-lite) with a
 * fast-jwt verifier middleware (RS256 pinned, iss and aud checked, exp required, fast-jwt's cache on).
 * Run as its own process: node dist/bench/peers/fast-gateway-jwt.js <port> <upstream host:port>
 * <pubkey.pem> <issuer> <audience>.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import gateway from 'fast-gateway';
import { createVerifier } from 'fast-jwt';

const [port, upstream, pubkey, issuer, audience] = process.argv.slice(2) as [string, string, string, string, string];

const verify = createVerifier({ key: readFileSync(pubkey, 'utf8'), algorithms: ['RS256'], allowedIss: issuer, allowedAud: audience, requiredClaims: ['exp'], cache: 10_000 });

function jwt(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const header = req.headers.authorization ?? '';
  try {
    if (!header.startsWith('Bearer ')) throw new Error('no token');
    verify(header.slice(7));
  } catch {
    res.statusCode = 401;
    res.end('Unauthorized');
    return;
  }
  next();
}

const server = gateway({
  middlewares: [jwt],
  routes: [{ prefix: '', pathRegex: '/*', target: `http://${upstream}` }],
});
await server.start(Number(port), '127.0.0.1');
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
