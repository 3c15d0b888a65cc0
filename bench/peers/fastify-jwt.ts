/**
 * The Node peer for the JWT benchmark: Fastify with @fastify/jwt (fast-jwt: RS256 pinned, iss and aud
 * checked, exp required, its verified-token cache on) in front of @fastify/http-proxy (undici). Run as
 * its own process: node dist/bench/peers/fastify-jwt.js <port> <upstream host:port> <pubkey.pem>
 * <issuer> <audience>.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import fastifyJwt from '@fastify/jwt';
import proxy from '@fastify/http-proxy';

const [port, upstream, pubkey, issuer, audience] = process.argv.slice(2) as [string, string, string, string, string];

const app = Fastify({ logger: false });
await app.register(fastifyJwt, {
  secret: { public: readFileSync(pubkey, 'utf8') },
  verify: { algorithms: ['RS256'], allowedIss: issuer, allowedAud: audience, requiredClaims: ['exp'], cache: 10_000 },
});
app.addHook('onRequest', async (request, reply) => {
  try {
    await request.jwtVerify();
  } catch {
    await reply.code(401).send('Unauthorized');
  }
});
await app.register(proxy, { upstream: `http://${upstream}`, http2: false });
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
