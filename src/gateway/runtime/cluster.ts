/**
 * Multi-process mode (`workers: N|auto`): the primary forks N workers (node:cluster; they share the
 * listening sockets), runs the admin listener (metrics aggregated over workers), and forwards signals:
 * SIGHUP validates the config once in the primary and, if it is valid, reloads every worker; a bad config
 * is refused with a logged error and every worker keeps serving. SIGTERM/SIGINT drain all workers.
 * The primary also runs the active health checks, once per server for all workers, and sends each
 * verdict to every worker (health/shared-checks.ts); passive checks stay in each worker, which sees the
 * traffic.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry } from 'prom-client';
import { AdminServer, adminToken, ServerStateFile, type StatsSnapshot } from '../admin/index.js';
import { loadGatewayConfig, type GatewayConfig } from '../config/index.js';
import { SharedHealthChecks, type PassiveDown, type ServerAdminState, type ServerHealth } from '../health/index.js';
import type { Logger } from '../../shared/logger.js';
import { ocspShare, sessionCache, ticketKeys, TicketKeyRotation, toWire, type WireOcsp, type WireSession, type WireTicketKeys } from '../tls/index.js';
import { startGateway } from './gateway.js';

export interface ClusterOptions {
  readonly configPath: string;
  readonly workers: number | 'auto';
  readonly logger: Logger;
}

type Message =
  | { type: 'gatehouse:ready'; frontends: { name: string; address: string; port: number }[] }
  | { type: 'gatehouse:reload' }
  | { type: 'gatehouse:reloaded'; ok: boolean; error?: string }
  | { type: 'gatehouse:shutdown' }
  | { type: 'gatehouse:health'; states: ServerHealth[]; admin: ServerAdminState[] }
  | { type: 'gatehouse:health-wanted' }
  /** worker → primary: its passive checks took a server out; primary → workers: servers taken out so. */
  | { type: 'gatehouse:passive-down'; down: PassiveDown }
  | { type: 'gatehouse:passive'; downs: PassiveDown[] }
  /** primary → workers: the TLS ticket keys, current first (tls/ticket-keys.ts) */
  | { type: 'gatehouse:ticket-keys'; keys: WireTicketKeys }
  /** worker → primary: a TLS session it made; primary → the other workers: the same (tls/session-cache.ts) */
  | { type: 'gatehouse:tls-session'; session: WireSession }
  /** worker → primary: an OCSP response it fetched; primary → the other workers: the same (tls/ocsp/share.ts) */
  | { type: 'gatehouse:ocsp'; response: WireOcsp }
  | { type: 'gatehouse:stats'; id: number }
  | { type: 'gatehouse:stats-reply'; id: number; snapshot: StatsSnapshot };

export function workerCount(workers: number | 'auto'): number {
  return workers === 'auto' ? availableParallelism() : workers;
}

/** Resolves with the process exit code once the cluster has shut down. */
export function runCluster(options: ClusterOptions): Promise<number> {
  return cluster.isPrimary ? runPrimary(options) : runWorker(options);
}

async function runWorker({ configPath, logger }: ClusterOptions): Promise<number> {
  // a shutdown asked for while the worker is still starting must not be lost
  let shutdownAsked = false;
  // the primary's health verdicts, before this worker listens (a message sent before a listener was
  // registered would be lost, so the worker asks once it listens for them)
  const health: ServerHealth[] = [];
  const adminStates: ServerAdminState[] = [];
  const passiveDowns: PassiveDown[] = [];
  let gotHealth: () => void = () => undefined;
  const firstHealth = new Promise<void>((resolve) => (gotHealth = resolve));
  const whileStarting = (message: Message) => {
    if (message.type === 'gatehouse:shutdown') shutdownAsked = true;
    else if (message.type === 'gatehouse:ticket-keys') ticketKeys.feed(message.keys);
    else if (message.type === 'gatehouse:tls-session') sessionCache.add(message.session);
    else if (message.type === 'gatehouse:health') {
      health.push(...message.states);
      adminStates.push(...message.admin);
      gotHealth();
    } else if (message.type === 'gatehouse:passive') passiveDowns.push(...message.downs);
  };
  process.on('message', whileStarting);
  process.send?.({ type: 'gatehouse:health-wanted' } satisfies Message);
  await Promise.race([firstHealth, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  sessionCache.share = (session) => process.send?.({ type: 'gatehouse:tls-session', session } satisfies Message, undefined, undefined, ignoreSendError);
  ocspShare.share = (response) => process.send?.({ type: 'gatehouse:ocsp', response } satisfies Message, undefined, undefined, ignoreSendError);
  const onPassiveDown = (down: PassiveDown) => process.send?.({ type: 'gatehouse:passive-down', down } satisfies Message);
  const gateway = await startGateway({ configPath, logger, admin: false, activeChecks: false, health, adminStates, onPassiveDown });
  process.off('message', whileStarting);
  // any that came in after the generation was built
  gateway.applyHealth(health);
  gateway.applyAdminStates(adminStates);
  gateway.applyPassiveDowns(passiveDowns);
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries(gateway.metrics.registries());
  const send = (message: Message) => process.send?.(message);
  send({ type: 'gatehouse:ready', frontends: [...gateway.frontends] });
  return new Promise<number>((done) => {
    // the IPC channel would keep the worker alive: leave the cluster once drained
    const resolve = (code: number) => {
      done(code);
      if (process.connected) process.disconnect();
    };
    // one drain, however many of shutdown message, SIGTERM and disconnect arrive
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= gateway.close().then(() => resolve(0), () => resolve(1));
    };
    process.on('message', (message: Message) => {
      if (message.type === 'gatehouse:reload') {
        gateway.reload().then(
          () => send({ type: 'gatehouse:reloaded', ok: true }),
          (error: Error) => send({ type: 'gatehouse:reloaded', ok: false, error: error.message }),
        );
      } else if (message.type === 'gatehouse:health') {
        gateway.applyHealth(message.states);
        gateway.applyAdminStates(message.admin);
      } else if (message.type === 'gatehouse:passive') {
        gateway.applyPassiveDowns(message.downs);
      } else if (message.type === 'gatehouse:ticket-keys') {
        ticketKeys.feed(message.keys);
      } else if (message.type === 'gatehouse:tls-session') {
        sessionCache.add(message.session);
      } else if (message.type === 'gatehouse:ocsp') {
        ocspShare.receive(message.response);
      } else if (message.type === 'gatehouse:stats') {
        send({ type: 'gatehouse:stats-reply', id: message.id, snapshot: gateway.stats() });
      } else if (message.type === 'gatehouse:shutdown') close();
    });
    // the primary handles signals; a worker ignores them so one Ctrl-C does not kill it twice
    process.on('SIGINT', () => undefined);
    process.on('SIGHUP', () => undefined);
    process.on('SIGTERM', close);
    process.on('disconnect', close);
    if (shutdownAsked) close();
  });
}

function mergeStats(snapshots: StatsSnapshot[]): StatsSnapshot {
  const first = snapshots[0] as StatsSnapshot;
  return {
    ...first,
    pid: process.pid,
    workers: snapshots.length,
    backends: first.backends.map((backend) => ({
      ...backend,
      servers: backend.servers.map((server) => {
        const views = snapshots.map((s) => s.backends.find((b) => b.name === backend.name)?.servers.find((x) => x.name === server.name));
        const upCount = views.filter((v) => v?.up === true).length;
        return { ...server, up: upCount > 0, inflight: views.reduce((n, v) => n + (v?.inflight ?? 0), 0), requests: views.reduce((n, v) => n + (v?.requests ?? 0), 0), failures: views.reduce((n, v) => n + (v?.failures ?? 0), 0), upIn: [upCount, snapshots.length] as const };
      }),
    })),
  };
}

async function runPrimary({ configPath, workers, logger }: ClusterOptions): Promise<number> {
  const config = loadGatewayConfig(configPath);
  const token = adminToken(config);
  let current = config;
  const count = workerCount(workers);
  let shuttingDown = false;
  const early: string[] = [];
  const queue = (signal: string) => () => early.push(signal);
  const queued = { SIGHUP: queue('SIGHUP'), SIGTERM: queue('SIGTERM'), SIGINT: queue('SIGINT') };
  for (const [signal, handler] of Object.entries(queued)) process.on(signal, handler);
  const live = new Set<Worker>();
  const ready = new Set<Worker>();
  let statsId = 0;
  const statsWaiters = new Map<number, { replies: StatsSnapshot[]; expected: number; done: (s: StatsSnapshot[]) => void }>();

  // a worker that has just disconnected (it saw the shutdown, or died) can still look connected: the write
  // then fails with EPIPE, which Node 22+ emits as an 'error' the Worker has no listener for (the primary
  // crashed with exit 1 on SIGTERM during start). The callback takes that error instead.
  const tell = (worker: Worker, message: Message) => {
    if (worker.isConnected()) worker.send(message, ignoreSendError);
  };
  // TLS ticket keys: made and rotated here, sent to every worker, so any worker resumes any ticket
  const tickets = new TicketKeyRotation((keys) => {
    logger.info({ tls_ticket_keys: tickets.generations() }, 'TLS ticket keys rotated');
    for (const worker of live) tell(worker, { type: 'gatehouse:ticket-keys', keys: toWire(keys) });
  });
  const applyTickets = (c: GatewayConfig) => (c.tls_sessions.tickets ? tickets.apply(c.tls_sessions) : tickets.stop());
  const health = new SharedHealthChecks(logger, (states) => {
    for (const worker of live) tell(worker, { type: 'gatehouse:health', states, admin: [] });
  });
  health.apply(config);
  applyTickets(config);
  // operator states set through the admin API: kept here for workers that start or reload later, and in
  // admin.state_file across restarts
  const adminStates = new Map<string, ServerAdminState>();
  const stateFile = () => ServerStateFile.of(current, logger);
  for (const entry of stateFile()?.load(config) ?? []) {
    adminStates.set(`${entry.backend}\0${entry.server}`, entry);
    health.setAdminState(entry.backend, entry.server, entry.state);
  }
  const saveStates = () => stateFile()?.save([...adminStates.values()], current);
  const snapshot = (): Message => ({ type: 'gatehouse:health', states: health.snapshot(), admin: [...adminStates.values()] });
  // passive verdicts of the workers, until their cool-downs end: for every worker, and for those that start or reload later
  const passiveDowns = new Map<string, PassiveDown>();
  const currentPassiveDowns = (): PassiveDown[] => {
    const now = Date.now();
    for (const [key, down] of passiveDowns) if (down.until <= now) passiveDowns.delete(key);
    return [...passiveDowns.values()];
  };
  const sendPassiveDowns = (worker: Worker) => {
    const downs = currentPassiveDowns();
    if (downs.length > 0) tell(worker, { type: 'gatehouse:passive', downs });
  };
  const setServerState = async (backend: string, server: string, state: ServerAdminState['state']): Promise<boolean> => {
    if (current.backends[backend]?.servers[server] === undefined) return false;
    const entry = { backend, server, state };
    adminStates.set(`${backend}\0${server}`, entry);
    health.setAdminState(backend, server, state);
    logger.info({ backend, server, admin: state }, `server ${backend}/${server} set to ${state}`);
    saveStates();
    for (const worker of live) tell(worker, { type: 'gatehouse:health', states: [], admin: [entry] });
    return true;
  };

  const fork = () => {
    const worker = cluster.fork({ GATEHOUSE_CLUSTER_WORKER: '1', GATEHOUSE_CLUSTER_WORKERS: String(count) });
    live.add(worker);
    worker.on('message', (message: Message) => {
      if (message.type === 'gatehouse:health-wanted') {
        // the keys before the health snapshot the worker waits for: it listens with them
        if (tickets.current().length > 0) tell(worker, { type: 'gatehouse:ticket-keys', keys: toWire(tickets.current()) });
        tell(worker, snapshot());
        sendPassiveDowns(worker);
      } else if (message.type === 'gatehouse:passive-down') {
        passiveDowns.set(`${message.down.backend}\0${message.down.server}\0${message.down.host}:${message.down.port}`, message.down);
        for (const other of live) if (other !== worker) tell(other, { type: 'gatehouse:passive', downs: [message.down] });
      }
      else if (message.type === 'gatehouse:tls-session' || message.type === 'gatehouse:ocsp') {
        for (const other of live) if (other !== worker) tell(other, message);
      }
      else if (message.type === 'gatehouse:ready') {
        ready.add(worker);
        // a worker still loading its code when the shutdown went out had no listener for it yet
        if (shuttingDown) tell(worker, { type: 'gatehouse:shutdown' });
      }
      else if (message.type === 'gatehouse:reloaded') {
        if (message.ok) {
          tell(worker, snapshot());
          sendPassiveDowns(worker);
        }
        else logger.error({ worker: worker.process.pid, error: message.error }, 'worker refused the reload');
      }
      else if (message.type === 'gatehouse:stats-reply') {
        const waiter = statsWaiters.get(message.id);
        if (waiter !== undefined) {
          waiter.replies.push(message.snapshot);
          if (waiter.replies.length >= waiter.expected) waiter.done(waiter.replies);
        }
      }
    });
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      ready.delete(worker);
      if (!shuttingDown) {
        logger.error({ worker: worker.process.pid, code, signal }, 'worker exited; starting a new one');
        setTimeout(fork, 500).unref();
      }
    });
  };
  for (let i = 0; i < count; i++) fork();
  logger.info({ workers: count, pid: process.pid }, `gateway primary started ${count} workers`);

  const aggregator = new AggregatorRegistry();
  let admin: AdminServer | undefined;
  if (config.admin !== undefined) {
    admin = new AdminServer(config.admin.bind, {
      metrics: async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }),
      stats: () =>
        new Promise<StatsSnapshot>((resolve, reject) => {
          const id = ++statsId;
          const targets = [...ready];
          if (targets.length === 0) return reject(new Error('no worker is ready'));
          const timer = setTimeout(() => finish(statsWaiters.get(id)?.replies ?? []), 2_000);
          const finish = (replies: StatsSnapshot[]) => {
            clearTimeout(timer);
            statsWaiters.delete(id);
            if (replies.length === 0) reject(new Error('no worker answered'));
            else resolve(mergeStats(replies));
          };
          statsWaiters.set(id, { replies: [], expected: targets.length, done: finish });
          for (const worker of targets) tell(worker, { type: 'gatehouse:stats', id });
        }),
      setServerState,
    }, { token });
    const address = await admin.listen();
    logger.info({ admin: true, address: address.address, port: address.port }, `admin listening on ${address.address}:${address.port}`);
  }

  return new Promise((resolve) => {
    process.on('SIGHUP', () => {
      let next: GatewayConfig;
      try {
        next = loadGatewayConfig(configPath);
      } catch (error) {
        logger.error({ err: { message: (error as Error).message, code: (error as { code?: string }).code } }, 'config reload refused; the old config keeps serving');
        return;
      }
      // a state the new file sets differently for a server replaces the one set at run time
      for (const [key, entry] of adminStates) {
        if (next.backends[entry.backend]?.servers[entry.server]?.state !== current.backends[entry.backend]?.servers[entry.server]?.state) adminStates.delete(key);
      }
      current = next;
      health.apply(next);
      applyTickets(next);
      saveStates();
      logger.info({ workers: live.size }, 'reloading config in every worker');
      for (const worker of live) tell(worker, { type: 'gatehouse:reload' });
    });
    const shutdown = (signal: string) => {
      if (shuttingDown) return;
      shuttingDown = true;
      tickets.stop();
      logger.info({ signal }, 'draining workers');
      for (const worker of live) tell(worker, { type: 'gatehouse:shutdown' });
      const force = setTimeout(() => {
        for (const worker of live) worker.kill('SIGKILL');
      }, config.timeouts.drain + 5_000);
      const check = setInterval(() => {
        if (live.size > 0) return;
        clearInterval(check);
        clearTimeout(force);
        void Promise.all([admin?.close(), health.close()]).then(() => resolve(0));
      }, 50);
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    for (const [signal, handler] of Object.entries(queued)) process.off(signal, handler);
    for (const signal of early) process.emit(signal as NodeJS.Signals, signal as NodeJS.Signals);
  });
}

function ignoreSendError(): void {}
