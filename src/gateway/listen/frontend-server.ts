/**
 * Which server a frontend listens with. HTTP/1.1 is the gateway's own server (src/gateway/http1) on plain
 * frontends and on TLS ones (there behind Node's TLS: src/gateway/tls/tls-frontend-server.ts, with `h2`
 * connections served by node:http2). `server: node` picks node:http's HTTP/1.1 instead: node:http on a plain
 * frontend, node:https or node:http2's HTTP/1.1 fallback on a TLS one — and so does a Node that lacks the
 * parser internals the own server needs (`nativeParserAvailable()`), automatically, with a warning.
 */
import { createServer, type Server } from 'node:http';
import type { GatewayConfig } from '../config/index.js';
import { Http1Server, nativeParserAvailable, nativeParserMissing } from '../http1/index.js';
import type { Logger } from '../../shared/logger.js';
import { CertificateStore } from '../tls/certificate-store.js';
import { createTlsServer, type Http2Connections } from '../tls/tls-server.js';
import { TlsFrontendServer } from '../tls/tls-frontend-server.js';
import type { OcspObserver } from '../tls/ocsp/index.js';
import type { Server as TlsListener } from 'node:tls';

export interface FrontendServer {
  readonly server: Server | Http1Server | TlsFrontendServer;
  /** True when node:http serves HTTP/1.1 (its upgrades come as 'upgrade', adapted in ./upgrade-response.ts). */
  readonly node: boolean;
  readonly certificates: CertificateStore | undefined;
  /** TLS frontends: the TLS listener (certificate reload, session tickets); `server` itself with `server: node`. */
  readonly tls: TlsListener | undefined;
  /** `server: node` with HTTP/2: the sessions and node:http sockets to drain (the other servers drain their own). */
  readonly http2: Http2Connections | undefined;
}

/** Whether the own HTTP/1.1 server serves this frontend; warns when it would but cannot on this Node. */
function ownServer(name: string, config: GatewayConfig, logger: Logger): boolean {
  if (config.frontends[name]?.server === 'node') return false;
  if (nativeParserAvailable()) return true;
  logger.warn({ frontend: name, reason: nativeParserMissing() }, `frontend ${name}: the gateway's own HTTP/1.1 server cannot run on this Node.js; serving with node:http instead (set server: node to silence this)`);
  return false;
}

export function createFrontendServer(name: string, config: GatewayConfig, logger: Logger, ocsp?: OcspObserver): FrontendServer {
  const frontend = config.frontends[name];
  const tls = frontend?.tls;
  const maxHeaderSize = config.limits.max_header_size;
  const connectionsCheckingInterval = Math.max(100, Math.min(1_000, Math.floor(config.timeouts.http_request / 4)));
  const own = ownServer(name, config, logger);
  if (tls !== undefined) {
    const certificates = new CertificateStore(name, tls, config.baseDir, logger, ocsp);
    const limits = { maxHeaderSize, connectionsCheckingInterval };
    let created: FrontendServer;
    if (own) {
      const server = new TlsFrontendServer(certificates, tls, limits, config.tls_sessions);
      created = { server, node: false, certificates, tls: server.tls, http2: undefined };
    } else {
      const { server, http2 } = createTlsServer(certificates, tls, limits, config.tls_sessions);
      created = { server, node: true, certificates, tls: server as unknown as TlsListener, http2 };
    }
    // failed handshakes (no shared protocol, bad client certificate): the client sees the TLS alert
    created.tls?.on('tlsClientError', (error: Error & { code?: string }, socket) => {
      logger.debug({ frontend: name, code: error.code, client: socket.remoteAddress }, 'TLS handshake failed');
      socket.destroy();
    });
    return created;
  }
  if (own) return { server: new Http1Server({ maxHeaderSize }), node: false, certificates: undefined, tls: undefined, http2: undefined };
  // requireHostHeader off: node:http would answer a Host-less HTTP/1.1 request itself and go on emitting the
  // requests pipelined behind it; the route stage refuses it instead and marks the connection (admit/framing.ts)
  const server = createServer({ maxHeaderSize, requestTimeout: 0, connectionsCheckingInterval, requireHostHeader: false, joinDuplicateHeaders: false, insecureHTTPParser: false, noDelay: true });
  return { server, node: true, certificates: undefined, tls: undefined, http2: undefined };
}
