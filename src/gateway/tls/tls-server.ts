/**
 * The TLS side of a TLS frontend's listener, and the listener itself when a frontend says `server: node`.
 * Every TLS frontend takes the default certificate for clients that send no SNI name and the store's SNI
 * callback for the others; a client certificate is asked for when `client_certificates` is set (and
 * required unless its mode is `optional`); TCP_NODELAY, shared session tickets and the session cache are on.
 *
 * What serves what: `h2` connections are node:http2's (its secure server, ALPN `h2`, `http/1.1`).
 * HTTP/1.1 connections (ALPN `http/1.1` or none) go to the gateway's own HTTP/1.1 server
 * (./tls-frontend-server.ts); with `server: node` they stay node:http's, as `createTlsServer` below makes
 * them: node:http2's secure server with `allowHTTP1`, or node:https when `http2: false`.
 */
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, type Http2Session } from 'node:http2';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Server as TlsListener, TLSSocket } from 'node:tls';
import type { CertificateStore } from './certificate-store.js';
import { constants } from 'node:crypto';
import type { FrontendTlsConfig, TlsSessionsConfig } from './schema.js';
import { ticketKeys } from './ticket-keys.js';
import { sessionCache } from './session-cache.js';

export interface TlsServerLimits {
  readonly maxHeaderSize: number;
  /** The own HTTP/1.1 server's field limit (default 101, as on plain frontends). */
  readonly maxHeaderFields?: number | undefined;
  readonly connectionsCheckingInterval: number;
}

/**
 * HTTP/2 sessions of an http2 server, which has no closeIdleConnections(), and with `nodeHttp1` the HTTP/1.1
 * sockets node:http serves on it (`server: node`; the own server drains its own).
 */
export class Http2Connections {
  private readonly sessions = new Set<Http2Session>();
  private readonly sockets = new Set<Socket>();

  constructor(server: Server, nodeHttp1 = true) {
    server.on('session', (session: Http2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    if (nodeHttp1) server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol === 'h2') return;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Graceful: GOAWAY to every session (streams in flight finish), idle HTTP/1.1 sockets closed. */
  closeIdle(): void {
    for (const session of this.sessions) if (!session.closed) session.close();
    for (const socket of this.sockets) {
      if ((socket as Socket & { _httpMessage?: unknown })._httpMessage == null) socket.destroy();
    }
  }

  closeAll(): void {
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
  }
}

/**
 * TCP_NODELAY on every accepted socket (node:http2's secure server leaves it off, unlike node:https): a
 * response is several TLS records, and with Nagle's algorithm a later one can wait for the client's delayed ACK.
 */
export function noDelay(server: Server): void {
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
}

/** The default context's options with the session settings: also what setSecureContext() takes on reload. */
export function serverContextOptions(store: CertificateStore, sessions: TlsSessionsConfig): object {
  const base = store.defaultOptions();
  return {
    ...base,
    sessionTimeout: Math.floor(sessions.session_timeout / 1000),
    ...(sessions.tickets ? {} : { secureOptions: (base.secureOptions ?? 0) | constants.SSL_OP_NO_TICKET }),
  };
}

/** Shared ticket keys and session cache on a server (again after setSecureContext(), which replaces the context). */
export function useSharedTicketKeys(server: Server, sessions: TlsSessionsConfig): void {
  sessionCache.configure(sessions);
  sessionCache.install(server);
  if (!sessions.tickets) return;
  ticketKeys.configure(sessions);
  ticketKeys.install(server);
}

/**
 * OCSP stapling: Node emits 'OCSPRequest' when a client sends status_request (and only then), with the
 * certificate the handshake serves; the store answers with its verified response, or none. Always
 * listened to, so a reload can turn `tls.ocsp` on.
 */
export function useOcsp(server: { on(event: 'OCSPRequest', listener: CertificateStore['ocspCallback']): unknown }, store: CertificateStore): void {
  server.on('OCSPRequest', store.ocspCallback);
}

/** What every TLS frontend's server is made with: certificates, SNI, session settings, client certificates. */
export function secureServerOptions(store: CertificateStore, tls: FrontendTlsConfig, sessions: TlsSessionsConfig): object {
  const client = tls.client_certificates;
  return {
    ...serverContextOptions(store, sessions),
    SNICallback: store.sniCallback,
    requestCert: client !== undefined,
    rejectUnauthorized: client !== undefined && client.mode === 'required',
  };
}

/** node:http2's secure server as a TLS frontend runs it: HTTP/1.1 is offered too (ALPN `h2`, `http/1.1`). */
export function http2SecureServerOptions(common: object, limits: TlsServerLimits): object {
  return {
    ...common,
    allowHTTP1: true,
    settings: { maxHeaderListSize: limits.maxHeaderSize, enablePush: false },
    maxSessionInvalidFrames: 100,
    maxSessionRejectedStreams: 100,
  };
}

/** `server: node`: node:http serves the HTTP/1.1 connections (node:http2's HTTP/1.1 fallback, or node:https). */
export function createTlsServer(store: CertificateStore, tls: FrontendTlsConfig, limits: TlsServerLimits, sessions: TlsSessionsConfig): { server: Server; http2: Http2Connections | undefined } {
  const common = secureServerOptions(store, tls, sessions);
  if (!tls.http2) {
    const server = createHttpsServer({
      ...common,
      ALPNProtocols: ['http/1.1'],
      maxHeaderSize: limits.maxHeaderSize,
      requestTimeout: 0,
      connectionsCheckingInterval: limits.connectionsCheckingInterval,
      // the route stage refuses a Host-less HTTP/1.1 request (see listen/frontend-server.ts)
      requireHostHeader: false,
      joinDuplicateHeaders: false,
      insecureHTTPParser: false,
    });
    noDelay(server as unknown as Server);
    useSharedTicketKeys(server as unknown as Server, sessions);
    useOcsp(server, store);
    return { server: server as unknown as Server, http2: undefined };
  }
  const server = createSecureServer(http2SecureServerOptions(common, limits)) as unknown as Server & { maxHeaderSize?: number; requestTimeout: number; connectionsCheckingInterval?: number };
  // read by Node's HTTP/1.1 parser for the allowHTTP1 connections
  server.maxHeaderSize = limits.maxHeaderSize;
  server.requestTimeout = 0;
  noDelay(server);
  useSharedTicketKeys(server, sessions);
  useOcsp(server as unknown as TlsListener, store);
  return { server, http2: new Http2Connections(server) };
}
