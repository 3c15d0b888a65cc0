/**
 * A tiny upstream as its own process (so a test can SIGKILL it and start it again on the same port):
 * `node upstream-main.js <name> <port>`; prints `{"port":N}` once listening. Answers every request with
 * `<name>`, and /health with 200.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const [name = 'upstream', portText = '0'] = process.argv.slice(2);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name });
    res.end(name);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portText), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
