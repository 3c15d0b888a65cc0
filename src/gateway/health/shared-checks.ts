/**
 * Cluster mode: the primary runs the active health checks, once per server for all workers, and sends
 * every verdict change to them (as HAProxy with `nbthread` checks each server once, not once per
 * thread). N workers therefore cost a backend one check per interval, log one "server is down" line, and
 * never disagree about a server for longer than an IPC message takes. A reload keeps the verdicts of
 * unchanged servers, like a single process does.
 */
import type { GatewayConfig } from '../config/index.js';
import type { Logger } from '../../shared/logger.js';
import { ActiveChecker } from './active-check.js';
import { backendServers, inheritHealth } from './backend-servers.js';
import type { AdminState, UpstreamServer } from './upstream-server.js';

/** An operator's state set through the primary's admin API, as sent to the workers. */
export interface ServerAdminState {
  readonly backend: string;
  readonly server: string;
  readonly state: AdminState;
}

/** One server's active-check verdict, as the primary sends it to the workers. */
export interface ServerHealth {
  readonly backend: string;
  readonly server: string;
  readonly host: string;
  readonly port: number;
  readonly up: boolean;
  readonly reason: string;
}

interface CheckedBackend {
  readonly servers: UpstreamServer[];
  readonly checker: ActiveChecker;
}

export class SharedHealthChecks {
  private readonly logger: Logger;
  private readonly publish: (states: ServerHealth[]) => void;
  private backends = new Map<string, CheckedBackend>();
  private config: GatewayConfig | undefined;

  constructor(logger: Logger, publish: (states: ServerHealth[]) => void) {
    this.logger = logger;
    this.publish = publish;
  }

  /** Starts checking the servers of `config` (again, after a reload: unchanged servers keep their state). */
  apply(config: GatewayConfig): void {
    const previous = this.backends;
    const next = new Map<string, CheckedBackend>();
    for (const [name, backend] of Object.entries(config.backends)) {
      if (backend.check === undefined) continue;
      const servers = backendServers(config, name, this.logger, (server) => this.publish([health(server)]));
      const checker = new ActiveChecker(backend.check, servers);
      const old = previous.get(name);
      const before = this.config;
      if (old !== undefined) {
        inheritHealth(servers, old.servers, true, (server) => config.backends[name]?.servers[server.name]?.state !== before?.backends[name]?.servers[server.name]?.state);
        checker.inheritCounters(old.checker);
      }
      next.set(name, { servers, checker });
    }
    this.backends = next;
    this.config = config;
    for (const old of previous.values()) old.checker.stop();
    for (const backend of next.values()) backend.checker.start();
    void closeServers(previous);
    this.publish(this.snapshot());
  }

  /** The operator's state for a checked server (maint stops its checks here too). */
  setAdminState(backend: string, server: string, state: AdminState): void {
    this.backends.get(backend)?.servers.find((s) => s.name === server)?.setAdminState(state, true);
  }

  /** Every checked server's current verdict (sent to a worker as it starts and after it reloads). */
  snapshot(): ServerHealth[] {
    return [...this.backends.values()].flatMap((backend) => backend.servers.map(health));
  }

  async close(): Promise<void> {
    const backends = this.backends;
    this.backends = new Map();
    for (const backend of backends.values()) backend.checker.stop();
    await closeServers(backends);
  }
}

function health(server: UpstreamServer): ServerHealth {
  return { backend: server.backend, server: server.name, host: server.host, port: server.port, up: server.activeUp, reason: server.lastReason };
}

async function closeServers(backends: ReadonlyMap<string, CheckedBackend>): Promise<void> {
  await Promise.all([...backends.values()].flatMap((backend) => backend.servers.map((server) => server.close())));
}
