/**
 * The floor bench:idp compares the identity provider's JWKS answer with: a bare node:http server that
 * answers GET /.well-known/jwks.json with the same bytes (read from the file given) and nothing else. It
 * prints its URL when listening. Run pinned exactly as the IdP is.
 *
 * Usage: node dist/bench/support/bare-jwks.js <file with the JWKS bytes>
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: bare-jwks.js <file>');
  process.exit(2);
}
const body = readFileSync(file);
const server = createServer((request, response) => {
  if (request.url === '/.well-known/jwks.json' && request.method === 'GET') {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    response.end(body);
    return;
  }
  response.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
