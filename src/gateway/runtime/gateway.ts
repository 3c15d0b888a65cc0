/**
 * The programmatic gateway: `startGateway()` runs every frontend listener (and the admin listener)
 * in this process and returns the bound ports, `reload()` swaps a new config in atomically, `close()`
 * drains. `gatehouse gateway` and `gatehouse up` both use it (the CLI adds node:cluster on top).
 */
import type { AddressInfo } from 'node:net';
import { AdminServer, adminToken, ServerStateFile, type StatsSnapshot } from '../admin/index.js';
import { loadGatewayConfig, type GatewayConfig } from '../config/index.js';
import { FrontendListener } from '../listen/frontend-listener.js';
import { createAccessLog, GatewayMetrics, noAccessLog } from '../observe/index.js';
import { createTracing } from '../observe/tracing/index.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { buildGeneration, type AuthPolicyFactory, type Generation, type GenerationContext } from './generation.js';
import type { PassiveDown, ServerAdminState, ServerHealth } from '../health/index.js';
import { statsSnapshot } from './stats.js';
import { TlsMetrics } from '../tls/metrics.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export interface StartGatewayOptions {
  /** A validated config (from parseGatewayConfig/loadGatewayConfig) or a path to load. */
  readonly config?: GatewayConfig;
  readonly configPath?: string;
  readonly logger?: Logger;
  /** Run the admin listener when the config has one (default true; cluster workers pass false). */
  readonly admin?: boolean;
  /** Builds auth policies; defaults to JWT authorization's createAuthPolicy (tests pass a double). */
  readonly createPolicy?: AuthPolicyFactory;
  /**
   * Run the active health checks in this process (default true). Cluster workers pass false and get the
   * primary's verdicts through `applyHealth`, starting with `health` before they listen.
   */
  readonly activeChecks?: boolean;
  readonly health?: readonly ServerHealth[];
  /** Cluster worker: operator states set through the primary's admin API, applied before listening. */
  readonly adminStates?: readonly ServerAdminState[];
  /** Cluster worker: called when this worker's passive checks take a server out (the primary tells the others). */
  readonly onPassiveDown?: (down: PassiveDown) => void;
}

export interface BoundAddress {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

export interface RunningGateway {
  readonly frontends: readonly BoundAddress[];
  readonly admin: { readonly address: string; readonly port: number } | undefined;
  readonly metrics: GatewayMetrics;
  /** The current config. */
  config(): GatewayConfig;
  stats(workers?: number): StatsSnapshot;
  /** Cluster worker: active-check verdicts from the primary. */
  applyHealth(states: readonly ServerHealth[]): void;
  /** Cluster worker: operator states from the primary's admin API. */
  applyAdminStates(states: readonly ServerAdminState[]): void;
  /** Cluster worker: servers other workers' passive checks took out. */
  applyPassiveDowns(downs: readonly PassiveDown[]): void;
  /** Validates and swaps in a new config (default: re-read the config file). Throws and keeps the old one when invalid. */
  reload(next?: GatewayConfig | string): Promise<void>;
  /** Stops accepting, waits for in-flight requests (up to timeouts.drain), closes everything. */
  close(): Promise<void>;
}

function sameBind(a: FrontendListener, config: GatewayConfig, name: string): boolean {
  const bind = config.frontends[name]?.bind;
  // port 0 in either config means "the port this listener already has"
  return bind !== undefined && bind.host === a.bind.host && (bind.port === a.bind.port || bind.port === 0 || bind.port === a.address().port);
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger({ name: 'gateway' });
  const configPath = options.configPath;
  let config = options.config ?? (configPath !== undefined ? loadGatewayConfig(configPath) : undefined);
  if (config === undefined) throw new TypeError('startGateway needs config or configPath');
  const metrics = new GatewayMetrics();
  const context = async (c: GatewayConfig): Promise<GenerationContext> => ({ createPolicy: options.createPolicy, logger, metrics, accessLog: c.access_log ? createAccessLog(logger) : noAccessLog, tracing: await createTracing(c.tracing, logger), activeChecks: options.activeChecks, onPassiveDown: options.onPassiveDown });

  let generation: Generation = await buildGeneration(config, await context(config));
  if (options.health !== undefined) generation.applyHealth(options.health);
  if (options.adminStates !== undefined) generation.applyAdminStates(options.adminStates);
  // a cluster worker gets its states from the primary, which keeps the state file; this process keeps it otherwise
  const ownsStateFile = options.admin !== false;
  if (ownsStateFile) generation.applyAdminStates(ServerStateFile.of(config, logger)?.load(config) ?? []);
  const saveStates = () => {
    if (ownsStateFile) ServerStateFile.of(config as GatewayConfig, logger)?.save(generation.adminStates(), config as GatewayConfig);
  };
  metrics.setServerSource(() => generation.serverSnapshots());
  const listeners = new Map<string, FrontendListener>();
  const tlsMetrics = new TlsMetrics(metrics.registry);
  const certificates = () => [...listeners.values()].flatMap((l) => l.certificateInfo());
  tlsMetrics.setSource(certificates);
  const frontends: BoundAddress[] = [];
  let admin: AdminServer | undefined;
  let adminAddress: AddressInfo | undefined;
  try {
    for (const [name, runtime] of generation.frontends) {
      const listener = new FrontendListener(runtime, config.frontends[name]!.bind, config, logger, metrics, tlsMetrics.ocsp);
      listeners.set(name, listener);
      const address = await listener.listen(config.reuse_port);
      frontends.push({ name, address: address.address, port: address.port });
      logger.info({ frontend: name, address: address.address, port: address.port }, `frontend ${name} listening on ${address.address}:${address.port}`);
    }
    if (options.admin !== false && config.admin !== undefined) {
      admin = new AdminServer(
        config.admin.bind,
        {
          metrics: () => metrics.text(),
          stats: async () => statsSnapshot(generation, 1, certificates()),
          setServerState: async (backend, server, state) => {
            const known = generation.setAdminState(backend, server, state);
            if (known) saveStates();
            return known;
          },
        },
        { token: adminToken(config) },
      );
      adminAddress = await admin.listen();
      logger.info({ admin: true, address: adminAddress.address, port: adminAddress.port }, `admin listening on ${adminAddress.address}:${adminAddress.port}`);
    }
  } catch (error) {
    await Promise.all([...listeners.values()].map((l) => l.close()));
    await admin?.close();
    await generation.close();
    throw error;
  }
  generation.startChecks();

  let reloading: Promise<void> = Promise.resolve();
  const reloadOnce = async (next?: GatewayConfig | string): Promise<void> => {
    const nextConfig = typeof next === 'object' ? next : loadGatewayConfig(next ?? configPath ?? '');
    const nextGeneration = await buildGeneration(nextConfig, await context(nextConfig));
    const opened: FrontendListener[] = [];
    try {
      for (const [name, runtime] of nextGeneration.frontends) {
        const existing = listeners.get(name);
        if (existing !== undefined && sameBind(existing, nextConfig, name)) {
          if (!existing.sameTlsShape(nextConfig.frontends[name]?.tls)) {
            throw new GatehouseError(ErrorCode.TLS_RELOAD, `frontends.${name}.tls: turning TLS, HTTP/2 or client certificates on or off needs a restart (or a new bind)`);
          }
          continue;
        }
        const listener = new FrontendListener(runtime, nextConfig.frontends[name]!.bind, nextConfig, logger, metrics, tlsMetrics.ocsp);
        await listener.listen(nextConfig.reuse_port);
        opened.push(listener);
      }
    } catch (error) {
      await Promise.all(opened.map((l) => l.close()));
      await nextGeneration.close();
      throw error;
    }
    // the swap: synchronous, so no request sees half of it; unchanged servers keep their health
    const previous = generation;
    nextGeneration.inheritHealth(previous);
    nextGeneration.inheritLimits(previous);
    previous.stopChecks();
    generation = nextGeneration;
    config = nextConfig;
    const retired: FrontendListener[] = [];
    for (const [name, listener] of listeners) {
      const runtime = nextGeneration.frontends.get(name);
      if (runtime !== undefined && sameBind(listener, nextConfig, name)) {
        listener.runtime = runtime;
        listener.applyTimeouts(nextConfig);
        const problems = listener.applyTls(nextConfig);
        if (problems.length > 0) tlsMetrics.reloadErrors.labels(name).inc(problems.length);
      } else {
        retired.push(listener);
        listeners.delete(name);
      }
    }
    for (const listener of opened) listeners.set(listener.name, listener);
    frontends.length = 0;
    for (const [name, listener] of listeners) {
      const address = listener.address();
      frontends.push({ name, address: address.address, port: address.port });
    }
    nextGeneration.startChecks();
    metrics.reloads.labels('ok').inc();
    saveStates(); // a state the new file changed was dropped on the swap
    logger.info({ frontends: frontends.map((f) => `${f.name}@${f.address}:${f.port}`) }, 'config reloaded');
    const maxWait = previous.config.timeouts.drain + previous.config.timeouts.server;
    void Promise.all(retired.map((l) => l.close())).then(() => previous.retire(maxWait));
  };

  return {
    frontends,
    get admin() {
      return adminAddress === undefined ? undefined : { address: adminAddress.address, port: adminAddress.port };
    },
    metrics,
    config: () => config as GatewayConfig,
    stats: (workers = 1) => statsSnapshot(generation, workers, certificates()),
    applyHealth: (states) => generation.applyHealth(states),
    applyAdminStates: (states) => generation.applyAdminStates(states),
    applyPassiveDowns: (downs) => generation.applyPassiveDowns(downs),
    reload(next) {
      const attempt = reloading.then(() => reloadOnce(next));
      reloading = attempt.catch((error: unknown) => {
        metrics.reloads.labels('refused').inc();
        logger.error({ err: { message: (error as Error).message, code: (error as { code?: string }).code } }, 'config reload refused; the old config keeps serving');
      });
      return attempt;
    },
    async close() {
      const all = [...listeners.values()];
      const drained = Promise.all(all.map((l) => l.close()));
      const timer = setTimeout(() => all.forEach((l) => l.destroyConnections()), (config as GatewayConfig).timeouts.drain);
      await drained;
      clearTimeout(timer);
      await admin?.close();
      await generation.close();
    },
  } satisfies RunningGateway;
}
