/**
 * `up --tls`: the HTTPS part of the walkthrough (curl with --cacert, over HTTP/2 and HTTP/1.1), and its
 * self-check: the HTTPS frontend, verified against the local CA, answers the seed's 403 without a token.
 */
import { request } from 'node:https';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';
import { MISSING_HEADER_BODY } from './self-check.js';

export function renderTlsWalkthrough(httpsUrl: string, caDisplay: string, action: string): string {
  return `
HTTPS (--tls): the same gateway at ${httpsUrl}, HTTP/2 and HTTP/1.1, with a certificate from a local CA
(${caDisplay}, ${action}). Give curl the CA, or trust it in your browser:

curl --cacert ${caDisplay} -I ${httpsUrl}
curl --cacert ${caDisplay} ${httpsUrl}/hello -H "Authorization: Bearer $TOKEN"
curl --cacert ${caDisplay} --http1.1 ${httpsUrl}/hello -H "Authorization: Bearer $TOKEN"
`;
}

/** Connects to 127.0.0.1 (or the dial host) with SNI `localhost`, trusting only the local CA. */
export function tlsSelfCheck(dialHost: string, port: number, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const host = dialHost.replace(/^\[|\]$/g, '');
    const req = request({ host, port, path: '/', ca, servername: 'localhost', agent: false, headers: { host: `localhost:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode === 403 && body === MISSING_HEADER_BODY) resolve();
        else reject(new GatehouseError(ErrorCode.UP_SELF_CHECK, `self-check failed at "HTTPS without a token": expected 403, got ${res.statusCode}`));
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(new GatehouseError(ErrorCode.UP_SELF_CHECK, `self-check failed at "HTTPS without a token": ${error.code ?? error.message}`));
    });
    req.end();
  });
}
