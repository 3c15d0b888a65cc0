/** TLS clients for tests: one HTTPS request over a fresh connection, the certificate a handshake gets, curl. */
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';

export interface HttpsResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly protocol: string | null;
}

/** One request on a new connection (agent: false), HTTP/1.1 over TLS. */
export function httpsGet(port: number, path: string, tls: ConnectionOptions & { headers?: Record<string, string>; hostHeader?: string } = {}): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const { hostHeader, headers, ...options } = tls;
    const req = request({ host: '127.0.0.1', port, path, agent: false, ...options, headers: { host: hostHeader ?? 'localhost', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, protocol: (res.socket as TLSSocket).alpnProtocol || null }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Handshakes only; resolves with the server certificate's subject CN, or rejects with the TLS error. */
export function handshake(port: number, options: ConnectionOptions = {}): Promise<{ cn: string; fingerprint: string; protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options }, () => {
      const cert = socket.getPeerX509Certificate();
      const cn = /CN=([^\n]+)/.exec(cert?.subject ?? '')?.[1] ?? '';
      const result = { cn, fingerprint: cert?.fingerprint256 ?? '', protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.end();
      resolve(result);
    });
    socket.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/** A plain HTTP request with exactly these headers (fetch would rewrite Host). */
export function plainRequest(port: number, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export function curl(curlPath: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(curlPath, ['-sS', '--max-time', '10', ...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number((error as { code?: number }).code ?? 1), stdout, stderr });
    });
  });
}

/**
 * Raw bytes over one TLS connection: what came back, and whether the server closed it within 2 s (the
 * ALPN protocol negotiated too).
 */
export function tlsExchange(port: number, options: ConnectionOptions, raw: string): Promise<{ text: string; closed: boolean; alpn: string | false | null }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => socket.write(raw));
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false, alpn: socket.alpnProtocol });
    }, 2_000);
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (text += data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true, alpn: socket.alpnProtocol });
    });
  });
}
