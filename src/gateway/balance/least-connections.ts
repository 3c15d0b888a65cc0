/**
 * Least connections: the available server with the fewest requests in flight relative to its weight;
 * ties go round robin so equal servers share the load.
 */
import type { UpstreamServer } from '../health/index.js';
import type { Balancer } from './balancer.js';

export class LeastConnections implements Balancer {
  private readonly servers: readonly UpstreamServer[];
  private next = 0;

  constructor(servers: readonly UpstreamServer[]) {
    this.servers = servers;
  }

  pick(exclude: UpstreamServer | undefined): UpstreamServer | undefined {
    const servers = this.servers;
    const count = servers.length;
    const start = this.next;
    this.next = (start + 1) % count;
    let best: UpstreamServer | undefined;
    let bestLoad = Infinity;
    for (let k = 0; k < count; k++) {
      const server = servers[(start + k) % count] as UpstreamServer;
      if (!server.available || server === exclude) continue;
      const load = server.inflight / server.effectiveWeight();
      if (load < bestLoad) {
        best = server;
        bestLoad = load;
      }
    }
    return best;
  }
}
