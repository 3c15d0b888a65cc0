/**
 * Random with two choices: draw two distinct available servers at random (weighted), keep the one with
 * fewer requests in flight relative to its weight. Near least-connections quality without scanning state.
 */
import type { UpstreamServer } from '../health/index.js';
import type { Balancer } from './balancer.js';

export class RandomTwoChoices implements Balancer {
  private readonly servers: readonly UpstreamServer[];
  private readonly candidates: UpstreamServer[] = [];

  constructor(servers: readonly UpstreamServer[]) {
    this.servers = servers;
  }

  private draw(total: number, skip: UpstreamServer | undefined): UpstreamServer | undefined {
    let ticket = Math.random() * total;
    const candidates = this.candidates;
    for (let i = 0; i < candidates.length; i++) {
      const server = candidates[i] as UpstreamServer;
      if (server === skip) continue;
      ticket -= server.effectiveWeight();
      if (ticket < 0) return server;
    }
    for (let i = candidates.length - 1; i >= 0; i--) if (candidates[i] !== skip) return candidates[i];
    return undefined;
  }

  pick(exclude: UpstreamServer | undefined): UpstreamServer | undefined {
    const candidates = this.candidates;
    candidates.length = 0;
    let total = 0;
    for (let i = 0; i < this.servers.length; i++) {
      const server = this.servers[i] as UpstreamServer;
      if (!server.available || server === exclude) continue;
      candidates.push(server);
      total += server.effectiveWeight();
    }
    if (candidates.length <= 1) return candidates[0];
    const first = this.draw(total, undefined) as UpstreamServer;
    const second = this.draw(total - first.effectiveWeight(), first) as UpstreamServer;
    return first.inflight / first.effectiveWeight() <= second.inflight / second.effectiveWeight() ? first : second;
  }
}
