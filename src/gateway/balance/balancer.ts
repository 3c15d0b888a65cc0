/**
 * A balancer picks one available server of a backend for a request, never `exclude` (the server
 * that just failed, on a retry). Undefined means no server is available (the caller answers 503).
 */
import type { UpstreamServer } from '../health/index.js';
import { LeastConnections } from './least-connections.js';
import { RandomTwoChoices } from './random-two-choices.js';
import { WeightedRoundRobin } from './weighted-round-robin.js';

export interface Balancer {
  pick(exclude: UpstreamServer | undefined): UpstreamServer | undefined;
}

export type BalanceAlgorithm = 'roundrobin' | 'leastconn' | 'random';

export function createBalancer(algorithm: BalanceAlgorithm, servers: readonly UpstreamServer[]): Balancer {
  switch (algorithm) {
    case 'roundrobin':
      return new WeightedRoundRobin(servers);
    case 'leastconn':
      return new LeastConnections(servers);
    case 'random':
      return new RandomTwoChoices(servers);
  }
}
