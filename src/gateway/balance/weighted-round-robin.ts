/**
 * Smooth weighted round robin (as nginx): each pick adds every available server's weight to its running
 * weight, takes the largest and subtracts the total from it. Weights 5,1,1 give a a b a c a a, not a a a a a b c.
 */
import type { UpstreamServer } from '../health/index.js';
import type { Balancer } from './balancer.js';

export class WeightedRoundRobin implements Balancer {
  private readonly servers: readonly UpstreamServer[];

  constructor(servers: readonly UpstreamServer[]) {
    this.servers = servers;
  }

  pick(exclude: UpstreamServer | undefined): UpstreamServer | undefined {
    const servers = this.servers;
    let best: UpstreamServer | undefined;
    let total = 0;
    for (let i = 0; i < servers.length; i++) {
      const server = servers[i] as UpstreamServer;
      if (!server.available || server === exclude) continue;
      const weight = server.effectiveWeight();
      server.currentWeight += weight;
      total += weight;
      if (best === undefined || server.currentWeight > best.currentWeight) best = server;
    }
    if (best !== undefined) best.currentWeight -= total;
    return best;
  }
}
