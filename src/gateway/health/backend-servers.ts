/**
 * The servers of one backend as a config describes them (address, weight, pool limits and timeouts,
 * TLS, passive checks), and the hand-over of their health when a reload replaces them. Used by each
 * generation for proxying and, in cluster mode, by the primary for the checks it runs for every worker.
 */
import type { GatewayConfig } from '../config/index.js';
import type { Logger } from '../../shared/logger.js';
import { upstreamTls } from '../tls/upstream-tls.js';
import { UpstreamServer, type ServerStateListener } from './upstream-server.js';

export function backendServers(config: GatewayConfig, name: string, logger: Logger, onChange: ServerStateListener): UpstreamServer[] {
  const backend = config.backends[name];
  if (backend === undefined) throw new TypeError(`no backend ${name}`);
  const pool = {
    connections: backend.max_connections,
    connectTimeout: backend.timeouts.connect ?? config.timeouts.connect,
    responseTimeout: backend.timeouts.server ?? config.timeouts.server,
    queueTimeout: backend.timeouts.queue ?? config.timeouts.queue,
    maxHeaderSize: config.limits.max_header_size,
  };
  const tls = upstreamTls(name, backend.tls, config.baseDir, logger);
  return Object.entries(backend.servers).map(([serverName, server]) => {
    const upstream = new UpstreamServer(name, serverName, server.address, server.weight, pool, backend.passive, logger, onChange, tls);
    upstream.slowstartMs = backend.slowstart ?? 0;
    if (server.state !== 'ready') upstream.setAdminState(server.state, true);
    return upstream;
  });
}

/**
 * Reload: each server takes over the health of the same server (backend, name and address) among
 * `previous`. Active verdicts carry over only when the backend is actively checked in both configs; the
 * operator's state (drain, maint) carries over unless the new file sets a different `state` for it.
 */
export function inheritHealth(servers: readonly UpstreamServer[], previous: readonly UpstreamServer[], activeChecked: boolean, configStateChanged: (server: UpstreamServer) => boolean = () => false): void {
  for (const server of servers) {
    const old = previous.find((o) => server.sameServer(o));
    // the operator's state set at run time survives a reload, unless the reload changes it in the file
    if (old !== undefined) server.inherit(old, activeChecked, !configStateChanged(server));
  }
}
