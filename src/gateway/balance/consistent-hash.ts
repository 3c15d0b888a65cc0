/**
 * Consistent hashing (HAProxy's `balance source|uri|hdr(name)` with `hash-type consistent`): each server
 * owns `weight × POINTS_PER_WEIGHT` points on a 32-bit ring; a request's key goes to the first point at
 * or after its hash whose server is available. A server that goes down moves only its own keys (to the
 * next servers on the ring), and they come back to it when it is up again. During a `slowstart` ramp
 * only the server's first `effectiveWeight() × POINTS_PER_WEIGHT` points are live, so its keys come back
 * a share at a time, as HAProxy adds a ramping server's nodes to its tree. A request without a key (the
 * header is absent) is balanced by weighted round robin, as HAProxy does.
 */
import type { UpstreamServer } from '../health/index.js';
import type { Balancer } from './balancer.js';
import { WeightedRoundRobin } from './weighted-round-robin.js';

const POINTS_PER_WEIGHT = 40;

/** FNV-1a over UTF-16 code units, then murmur3's finaliser so nearby keys spread over the ring. */
export function hash32(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class ConsistentHash implements Balancer {
  private readonly points: Uint32Array;
  /** Index into `servers` of each point's server. */
  private readonly owners: Uint16Array;
  /** Each point's number among its server's points: the point is live while it is below the server's share. */
  private readonly ordinals: Uint16Array;
  private readonly servers: readonly UpstreamServer[];
  private readonly fallback: WeightedRoundRobin;

  constructor(servers: readonly UpstreamServer[]) {
    this.servers = servers;
    this.fallback = new WeightedRoundRobin(servers);
    const ring: Array<[point: number, owner: number, ordinal: number]> = [];
    servers.forEach((server, owner) => {
      // points derive from the server's name, not its position: adding a server moves only the keys it takes
      for (let i = 0; i < server.weight * POINTS_PER_WEIGHT; i++) ring.push([hash32(`${server.name}#${i}`), owner, i]);
    });
    ring.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(ring, (p) => p[0]);
    this.owners = Uint16Array.from(ring, (p) => p[1]);
    this.ordinals = Uint16Array.from(ring, (p) => p[2]);
  }

  pick(exclude: UpstreamServer | undefined, key?: string): UpstreamServer | undefined {
    if (key === undefined) return this.fallback.pick(exclude);
    const points = this.points;
    const count = points.length;
    if (count === 0) return undefined;
    const h = hash32(key);
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((points[mid] as number) < h) lo = mid + 1;
      else hi = mid;
    }
    // walk clockwise past the points of unavailable servers, and past a ramping server's points beyond its
    // share (all down: one lap, then 503)
    for (let k = 0; k < count; k++) {
      const at = (lo + k) % count;
      const server = this.servers[this.owners[at] as number] as UpstreamServer;
      if (server.available && server !== exclude && (this.ordinals[at] as number) < server.effectiveWeight() * POINTS_PER_WEIGHT) return server;
    }
    return undefined;
  }
}
