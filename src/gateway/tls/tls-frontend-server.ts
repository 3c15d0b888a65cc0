/**
 * A TLS frontend's listener (unless it says `server: node`): TLS is Node's, HTTP/1.1 is the gateway's own.
 * Each connection is dispatched by what ALPN negotiated, once its handshake is done:
 * - `h2`: node:http2's sessions (node's own http2 connection listener, called here), each request stream
 *   served through the core stream API by small adapters (src/gateway/http2), not node:http2's
 *   compatibility layer (Http2ServerRequest/Response), which cost a quarter to a third of the h2 path's CPU
 *   (docs/benchmarks.md, "The HTTP/2 path");
 * - `http/1.1`, or no ALPN: the gateway's HTTP/1.1 server (src/gateway/http1), which adopts the TLSSocket
 *   and reads its native handle (TLSWrap, a StreamBase like a TCP handle: node:https reads it the same way).
 * With `http2: false` the TLS server is a plain `tls.Server` offering `http/1.1` only.
 *
 * Towards the frontend listener it is one server, with the own HTTP/1.1 server's surface: 'connection'
 * (each TCP connection, for the connection gauge), 'request' (from both protocols), 'clientError' (the
 * own server's refusals), 'error', and close() / closeIdleConnections() / closeAllConnections() covering
 * the HTTP/2 sessions too (GOAWAY to each on a drain).
 */
import { EventEmitter } from 'node:events';
import { createSecureServer, type ServerHttp2Stream } from 'node:http2';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo, ListenOptions, Socket } from 'node:net';
import { createServer as createTlsListener, type Server as TlsListener, type TLSSocket } from 'node:tls';
import { Http1Server } from '../http1/index.js';
import { serveStream } from '../http2/index.js';
import type { CertificateStore } from './certificate-store.js';
import type { FrontendTlsConfig, TlsSessionsConfig } from './schema.js';
import { Http2Connections, http2SecureServerOptions, noDelay, secureServerOptions, useOcsp, useSharedTicketKeys, type TlsServerLimits } from './tls-server.js';

type SecureConnectionListener = (this: TlsListener, socket: TLSSocket) => void;

export class TlsFrontendServer extends EventEmitter {
  /** The TLS listener (node:http2's secure server, or a tls.Server): certificates, tickets, SNI live here. */
  readonly tls: TlsListener;
  private readonly http1: Http1Server;
  /** node:http2's connection listener (sets up the session of an `h2` connection); undefined with `http2: false`. */
  private readonly h2: SecureConnectionListener | undefined;
  private readonly sessions: Http2Connections | undefined;

  constructor(store: CertificateStore, config: FrontendTlsConfig, limits: TlsServerLimits, sessions: TlsSessionsConfig) {
    super();
    this.http1 = new Http1Server({ maxHeaderSize: limits.maxHeaderSize, maxHeaderFields: limits.maxHeaderFields, adopt: true });
    const common = secureServerOptions(store, config, sessions);
    if (config.http2) {
      const server = createSecureServer(http2SecureServerOptions(common, limits)) as unknown as TlsListener;
      // node:http2's secure server set up each connection in its one 'secureConnection' listener; it is
      // now called for `h2` connections only (HTTP/1.1 ones would go to node:http from there)
      const listeners = server.listeners('secureConnection') as SecureConnectionListener[];
      if (listeners.length !== 1) throw new Error(`node:http2's secure server has ${listeners.length} 'secureConnection' listeners, expected its one connection listener`);
      server.removeAllListeners('secureConnection');
      this.h2 = listeners[0];
      this.sessions = new Http2Connections(server as unknown as Server, false);
      // 'stream', never 'request': a 'request' listener would make node:http2 set up its compatibility layer
      server.on('stream', this.onStream);
      this.tls = server;
    } else {
      this.tls = createTlsListener({ ...common, ALPNProtocols: ['http/1.1'] });
    }
    this.tls.on('secureConnection', this.onSecureConnection);
    this.tls.on('connection', this.forwardConnection);
    this.tls.on('error', this.forwardError);
    noDelay(this.tls as unknown as Server);
    useSharedTicketKeys(this.tls as unknown as Server, sessions);
    useOcsp(this.tls, store);
    this.http1.on('request', this.forwardRequest);
    this.http1.on('clientError', this.forwardClientError);
  }

  private readonly onSecureConnection = (socket: TLSSocket): void => {
    if (socket.alpnProtocol === 'h2' && this.h2 !== undefined) {
      this.h2.call(this.tls, socket);
      return;
    }
    // half-open, as on plain frontends: a client that shuts its side (close_notify) after the request
    // still gets the answer. Set here, for these sockets only: HTTP/2 sessions keep node's default.
    socket.allowHalfOpen = true;
    this.http1.accept(socket);
  };

  private readonly onStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders: string[]): void => {
    serveStream(this.forwardRequest, stream, headers, rawHeaders);
  };

  private readonly forwardConnection = (socket: Socket): void => {
    this.emit('connection', socket);
  };

  private readonly forwardRequest = (req: unknown, res: unknown): void => {
    this.emit('request', req, res);
  };

  private readonly forwardClientError = (error: Error, socket: Socket): void => {
    this.emit('clientError', error, socket);
  };

  private readonly forwardError = (error: Error): void => {
    this.emit('error', error);
  };

  get maxConnections(): number {
    return this.tls.maxConnections;
  }

  set maxConnections(value: number) {
    this.tls.maxConnections = value;
  }

  get headersTimeout(): number {
    return this.http1.headersTimeout;
  }

  set headersTimeout(value: number) {
    this.http1.headersTimeout = value;
  }

  get keepAliveTimeout(): number {
    return this.http1.keepAliveTimeout;
  }

  set keepAliveTimeout(value: number) {
    this.http1.keepAliveTimeout = value;
  }

  /** HTTP/1.1: the own server's inactivity timeout; HTTP/2: node:http2's idle timeout of each session's socket. */
  get timeout(): number {
    return this.http1.timeout;
  }

  set timeout(value: number) {
    this.http1.timeout = value;
    if (this.h2 !== undefined) (this.tls as unknown as { timeout: number }).timeout = value;
  }

  setSecureContext(options: object): void {
    this.tls.setSecureContext(options);
  }

  listen(options: ListenOptions, callback: () => void): this {
    this.tls.listen(options, callback);
    return this;
  }

  address(): AddressInfo | string | null {
    return this.tls.address();
  }

  /** Stops accepting; `callback` runs once every connection has closed (idle ones close now, busy ones after their answer). */
  close(callback?: (error?: Error) => void): this {
    this.tls.close(callback);
    this.http1.close();
    this.sessions?.closeIdle();
    return this;
  }

  closeIdleConnections(): void {
    this.http1.closeIdleConnections();
    this.sessions?.closeIdle();
  }

  closeAllConnections(): void {
    this.http1.closeAllConnections();
    this.sessions?.closeAll();
  }
}
