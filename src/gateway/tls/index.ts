export { CertificateStore, type CertificateInfo } from './certificate-store.js';
export { loadCertificate, dnsNames, type LoadedCertificate } from './certificate.js';
export { createTlsServer, Http2Connections, type TlsServerLimits } from './tls-server.js';
export { connectionSocket, tlsConnectionInfo, verifiedSubject, PLAIN_HTTP, type ConnectionInfo } from './connection-info.js';
export { hstsHeaderValue, httpsLocation, redirectPort, sendHttpsRedirect } from './https-redirect.js';
export { upstreamTls, connectOptions, type UpstreamTls } from './upstream-tls.js';
export { TlsMetrics } from './metrics.js';
export { frontendTlsSchema, backendTlsSchema, redirectHttpsSchema, type FrontendTlsConfig, type BackendTlsConfig, type RedirectHttpsConfig } from './schema.js';
export { MODERN_CIPHERS, TLS_DEFAULTS } from './defaults.js';
