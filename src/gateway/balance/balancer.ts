/**
 * A balancer picks one available server of a backend for a request, never `exclude` (the server
 * that just failed, on a retry). Undefined means no server is available (the caller answers 503).
 * Hashing balancers use the request's `key` (hash-key.ts); the others ignore it.
 */
import type { UpstreamServer } from '../health/index.js';
import { FirstAvailable, WithBackups } from './backups.js';
import { ConsistentHash } from './consistent-hash.js';
import { isHashBalance } from './hash-key.js';
import { LeastConnections } from './least-connections.js';
import { RandomTwoChoices } from './random-two-choices.js';
import { WeightedRoundRobin } from './weighted-round-robin.js';

export interface Balancer {
  pick(exclude: UpstreamServer | undefined, key?: string): UpstreamServer | undefined;
}

/** `roundrobin`, `leastconn`, `random`, or a hash: `source`, `uri`, `hdr(<name>)`. */
export type BalanceAlgorithm = string;

export interface BalancerOptions {
  /** Which servers are backups (by server); they get traffic only when no other server is available. */
  readonly isBackup?: (server: UpstreamServer) => boolean;
  /** Backups share the traffic by the backend's algorithm instead of the first one taking it all. */
  readonly allBackups?: boolean;
}

function algorithm(balance: BalanceAlgorithm, servers: readonly UpstreamServer[]): Balancer {
  if (balance === 'leastconn') return new LeastConnections(servers);
  if (balance === 'random') return new RandomTwoChoices(servers);
  if (isHashBalance(balance)) return new ConsistentHash(servers);
  return new WeightedRoundRobin(servers);
}

export function createBalancer(balance: BalanceAlgorithm, servers: readonly UpstreamServer[], options: BalancerOptions = {}): Balancer {
  const isBackup = options.isBackup;
  const backups = isBackup === undefined ? [] : servers.filter(isBackup);
  if (backups.length === 0) return algorithm(balance, servers);
  const primaries = servers.filter((server) => !backups.includes(server));
  return new WithBackups(algorithm(balance, primaries), options.allBackups === true ? algorithm(balance, backups) : new FirstAvailable(backups));
}
