/**
 * Backup servers (HAProxy's `backup`): they get traffic only when no other server of the backend is
 * available. Then the first available backup, in config order, takes it all, or, with `all_backups`
 * (HAProxy's `option allbackups`), the backups share it by the backend's algorithm.
 */
import type { UpstreamServer } from '../health/index.js';
import type { Balancer } from './balancer.js';

export class WithBackups implements Balancer {
  private readonly primary: Balancer;
  private readonly backup: Balancer;

  constructor(primary: Balancer, backup: Balancer) {
    this.primary = primary;
    this.backup = backup;
  }

  pick(exclude: UpstreamServer | undefined, key?: string): UpstreamServer | undefined {
    return this.primary.pick(exclude, key) ?? this.backup.pick(exclude, key);
  }
}

/** The first available server in config order. */
export class FirstAvailable implements Balancer {
  private readonly servers: readonly UpstreamServer[];

  constructor(servers: readonly UpstreamServer[]) {
    this.servers = servers;
  }

  pick(exclude: UpstreamServer | undefined): UpstreamServer | undefined {
    for (const server of this.servers) if (server.available && server !== exclude) return server;
    return undefined;
  }
}
