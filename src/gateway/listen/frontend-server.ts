/**
 * Which server a frontend listens with: TLS frontends run node:https (or node:http2 with HTTP/1.1
 * fallback); plain ones the gateway's own HTTP/1.1 server (src/gateway/http1), or node:http's with
 * `server: node` — and automatically, with a warning, when this Node lacks the parser internals the own
 * server needs (`nativeParserAvailable()`).
 */
import { createServer, type Server } from 'node:http';
import type { GatewayConfig } from '../config/index.js';
import { Http1Server, nativeParserAvailable, nativeParserMissing } from '../http1/index.js';
import type { Logger } from '../../shared/logger.js';
import { CertificateStore } from '../tls/certificate-store.js';
import { createTlsServer, type Http2Connections } from '../tls/tls-server.js';

export interface FrontendServer {
  readonly server: Server | Http1Server;
  /** True for node:http/https/http2 servers (their upgrades come as 'upgrade', adapted in ./upgrade-response.ts). */
  readonly node: boolean;
  readonly certificates: CertificateStore | undefined;
  readonly http2: Http2Connections | undefined;
}

export function createFrontendServer(name: string, config: GatewayConfig, logger: Logger): FrontendServer {
  const frontend = config.frontends[name];
  const tls = frontend?.tls;
  const maxHeaderSize = config.limits.max_header_size;
  const connectionsCheckingInterval = Math.max(100, Math.min(1_000, Math.floor(config.timeouts.http_request / 4)));
  if (tls !== undefined) {
    const certificates = new CertificateStore(name, tls, config.baseDir, logger);
    const { server, http2 } = createTlsServer(certificates, tls, { maxHeaderSize, connectionsCheckingInterval }, config.tls_sessions);
    // failed handshakes (no shared protocol, bad client certificate): the client sees the TLS alert
    server.on('tlsClientError', (error: Error & { code?: string }, socket) => {
      logger.debug({ frontend: name, code: error.code, client: socket.remoteAddress }, 'TLS handshake failed');
      socket.destroy();
    });
    return { server, node: true, certificates, http2 };
  }
  if (frontend?.server !== 'node') {
    if (nativeParserAvailable()) return { server: new Http1Server({ maxHeaderSize }), node: false, certificates: undefined, http2: undefined };
    logger.warn({ frontend: name, reason: nativeParserMissing() }, `frontend ${name}: the gateway's own HTTP/1.1 server cannot run on this Node.js; serving with node:http instead (set server: node to silence this)`);
  }
  // requireHostHeader off: node:http would answer a Host-less HTTP/1.1 request itself and go on emitting the
  // requests pipelined behind it; the route stage refuses it instead and marks the connection (admit/framing.ts)
  const server = createServer({ maxHeaderSize, requestTimeout: 0, connectionsCheckingInterval, requireHostHeader: false, joinDuplicateHeaders: false, insecureHTTPParser: false, noDelay: true });
  return { server, node: true, certificates: undefined, http2: undefined };
}
