/**
 * Active health checks: every `interval`, each server of the backend gets `method path` with the check
 * timeout; `rise` consecutive passes bring it up, `fall` consecutive failures take it down.
 * One timer per backend; a check never overlaps the previous one of the same server. On reload the new
 * checker takes over each unchanged server's counters (`inherit`), so a server half-way to `fall` or
 * `rise` stays half-way.
 */
import type { CheckConfig } from '../config/index.js';
import type { UpstreamServer } from './upstream-server.js';
import { probe } from '../upstream/index.js';

interface ServerCheckState {
  readonly server: UpstreamServer;
  passes: number;
  failures: number;
  running: boolean;
}

export class ActiveChecker {
  private readonly check: CheckConfig;
  private readonly states: ServerCheckState[];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(check: CheckConfig, servers: readonly UpstreamServer[]) {
    this.check = check;
    this.states = servers.map((server) => ({ server, passes: 0, failures: 0, running: false }));
  }

  /** Reload: the rise/fall counters of the same servers in `previous` (their verdicts: UpstreamServer.inherit). */
  inheritCounters(previous: ActiveChecker): void {
    for (const state of this.states) {
      const old = previous.states.find((o) => state.server.sameServer(o.server));
      if (old === undefined) continue;
      state.passes = old.passes;
      state.failures = old.failures;
    }
  }

  start(): void {
    // a server in maintenance is not checked (HAProxy's `maint`); it is checked again once it leaves it
    for (const state of this.states) if (state.server.adminState !== 'maint') void this.probe(state);
    this.timer = setInterval(() => {
      for (const state of this.states) if (!state.running && state.server.adminState !== 'maint') void this.probe(state);
    }, this.check.interval).unref();
  }

  private async probe(state: ServerCheckState): Promise<void> {
    state.running = true;
    const { method, path, host, timeout, expect_status: [lo, hi] } = this.check;
    let ok = false;
    let reason = '';
    try {
      const status = await probe(state.server.pool, method, path, ['host', host ?? `${state.server.host}:${state.server.port}`, 'user-agent', 'gatehouse-health-check'], timeout);
      ok = status >= lo && status <= hi;
      reason = `status ${status}`;
    } catch (error) {
      reason = (error as { code?: string }).code ?? (error as Error).name;
    }
    state.running = false;
    if (this.closed) return;
    if (ok) {
      state.failures = 0;
      state.passes++;
      if (state.passes >= this.check.rise) state.server.setActive(true, reason);
    } else {
      state.passes = 0;
      state.failures++;
      if (state.failures >= this.check.fall) state.server.setActive(false, reason);
    }
  }

  stop(): void {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
