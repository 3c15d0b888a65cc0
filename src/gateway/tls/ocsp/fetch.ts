/**
 * One OCSP request over HTTP (RFC 6960 appendix A.1): POST the DER request as application/ocsp-request,
 * read at most 64 KiB of answer, within `timeout`. Rejects with a short reason (no response bytes).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

const MAX_RESPONSE = 64 * 1024;

export function fetchOcsp(url: string, body: Buffer, timeout: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new Error('invalid responder URL'));
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, {
      method: 'POST',
      agent: false,
      timeout,
      headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response', 'content-length': body.length },
    });
    const fail = (reason: string) => {
      req.destroy();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeout} ms`), timeout);
    timer.unref();
    req.on('timeout', () => fail(`no answer within ${timeout} ms`));
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(error.code ?? error.message));
    });
    req.on('response', (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        res.resume();
        fail(`HTTP status ${res.statusCode}`);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE) {
          clearTimeout(timer);
          fail(`answer larger than ${MAX_RESPONSE} bytes`);
        } else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    req.end(body);
  });
}
