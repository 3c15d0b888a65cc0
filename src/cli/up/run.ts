/**
 * `gatehouse up`, step by step: check the ports, prepare the data directory and the demo's identity, start
 * the identity provider (kickstarted on a fresh database), write pubkey.pem and the gateway configs, start
 * the echo service and the gateway, check the walkthrough works, print it, and wait for Ctrl-C / SIGTERM.
 * Whatever started is stopped again, in reverse order, on a signal or on a failure half-way.
 */
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { createLogger, type Logger } from '../../shared/logger.js';
import { dataPaths, displayPath, ensureDataDir, writeFileAtomic, type DataPaths } from './data-dir.js';
import { generateDemoState, readDemoState, withUrls, writeDemoState, type DemoState } from './demo-state.js';
import { renderGatewayConfig } from './gateway-config.js';
import { renderSeedHaproxyConfig } from './haproxy-config.js';
import { buildDemoKickstart } from './kickstart.js';
import { ensureDemoAdmin, generateAdminCredentials } from './demo-admin.js';
import { configureDemoMail, renderMailNote } from './demo-mail.js';
import { startDevMailbox } from './mailbox.js';
import type { UpOptions } from './options.js';
import { startEchoPart, startGatewayPart, startIdpPart, type RunningPart } from './parts.js';
import { startGatewayProcess } from './gateway-process.js';
import { checkPortsFree, explainListenError, type PortClaim } from './ports.js';
import { fetchApplicationPublicKey, writePublicKey } from './public-key.js';
import { selfCheck } from './self-check.js';
import { waitForStopSignal } from './signals.js';
import { renderWalkthrough } from './walkthrough.js';
import { ensureLocalTls } from './local-tls.js';
import { renderTlsWalkthrough, tlsSelfCheck } from './tls-walkthrough.js';
import { existsSync, readFileSync } from 'node:fs';
import { lockDataDir, type DataDirLock } from './lock.js';
import { issuerChangedNote, tenantIssuer, watchIssuer } from './issuer.js';

/**
 * The host name the printed URLs (and the issuer) use: `localhost` for IPv4 loopback and wildcard binds, as
 * the seed does; the address itself otherwise (`[::1]`, since `localhost` may not resolve to it).
 */
export function publicHost(host: string): string {
  if (['127.0.0.1', '0.0.0.0', '::', 'localhost'].includes(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** The address `up` itself (and the gateway, for its upstream) dials to reach a part bound on `host`. */
export function dialHost(host: string): string {
  if (host === '0.0.0.0' || host === 'localhost') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function claims(options: UpOptions): PortClaim[] {
  return [
    { what: 'identity provider', host: options.host, port: options.idpPort, flag: '--idp-port' },
    { what: 'echo service', host: options.host, port: options.echoPort, flag: '--echo-port' },
    { what: 'gateway', host: options.host, port: options.gatewayPort, flag: '--gateway-port' },
    ...(options.httpsPort === undefined ? [] : [{ what: 'gateway (HTTPS)', host: options.host, port: options.httpsPort, flag: '--https-port' }]),
  ];
}

/**
 * What this start is, for the walkthrough's first line. A fresh database after a first start that never
 * passed its self-check is still the first start: no token was ever issued from it, so none is lost.
 */
export function startKind(previous: DemoState | undefined, freshDatabase: boolean): 'first' | 'recreated' | 'reused' {
  if (previous === undefined || (freshDatabase && previous.verifiedAt === undefined)) return 'first';
  return freshDatabase ? 'recreated' : 'reused';
}

export interface UpHandle {
  readonly state: DemoState;
  stop(): Promise<void>;
}

/** Starts everything and returns once the walkthrough has been printed. */
export async function startUp(options: UpOptions, out: NodeJS.WritableStream = process.stdout): Promise<UpHandle> {
  const paths = dataPaths(options.dataDir);
  const ports = Object.fromEntries(claims(options).map((c) => [c.what, c.port]));
  // a data directory that exists may be in use: a second `up` on it is refused with the first one's pid and
  // ports before the ports are checked; a new one is created only once the ports are known to be free
  const existed = existsSync(paths.dir);
  if (existed) ensureDataDir(paths.dir);
  let lock = existed ? lockDataDir(paths.dir, displayPath(paths.dir), ports) : undefined;
  try {
    await checkPortsFree(claims(options));
    if (lock === undefined) {
      ensureDataDir(paths.dir);
      lock = lockDataDir(paths.dir, displayPath(paths.dir), ports);
    }
    return await startLocked(options, out, paths, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function startLocked(options: UpOptions, out: NodeJS.WritableStream, paths: DataPaths, lock: DataDirLock): Promise<UpHandle> {
  const [idpClaim, echoClaim, gatewayClaim] = claims(options) as [PortClaim, PortClaim, PortClaim];
  const logStream = createWriteStream(paths.log, { flags: 'a', mode: 0o600 });
  const logger: Logger = createLogger({ name: 'gatehouse', destination: logStream });
  const host = publicHost(options.host);
  const idpUrl = `http://${host}:${options.idpPort}`;
  const echoUrl = `http://${host}:${options.echoPort}`;
  const gatewayUrl = `http://${host}:${options.gatewayPort}`;

  const previous = readDemoState(paths.demo);
  const firstStart = previous === undefined;
  let state = previous === undefined ? generateDemoState({ idpUrl, echoUrl, gatewayUrl }) : withUrls(previous, { idpUrl, echoUrl, gatewayUrl });
  const admin = state.adminLoginId !== undefined && state.adminPassword !== undefined ? { adminLoginId: state.adminLoginId, adminPassword: state.adminPassword } : generateAdminCredentials();
  state = { ...state, ...admin };
  writeDemoState(paths.demo, state);
  writeFileAtomic(paths.kickstart, `${JSON.stringify(buildDemoKickstart(state), null, 2)}\n`);
  const database = options.database ?? paths.database;

  const started: RunningPart[] = [];
  const stop = async () => {
    for (const part of started.reverse()) await part.close().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'up: stop failed'));
    started.length = 0;
    await new Promise<void>((resolve) => logStream.end(resolve));
    lock.release();
  };
  try {
    const mailbox = await startDevMailbox(paths.mail, logger.child({ part: 'mail' }));
    started.push(mailbox);
    const idp = await startIdpPart({ host: options.host, port: options.idpPort, database, kickstartPath: paths.kickstart, logger: logger.child({ part: 'idp' }), publicUrl: idpUrl, devMailbox: paths.mail }).catch((error: unknown) => {
      throw explainListenError(error, idpClaim);
    });
    started.push(idp);
    writePublicKey(paths.publicKey, await fetchApplicationPublicKey(`http://${dialHost(options.host)}:${idp.port}`, state.applicationId));
    // after the public key: that step is what refuses a database another data directory made
    await ensureDemoAdmin(`http://${dialHost(options.host)}:${idp.port}`, { ...state, ...admin });
    await configureDemoMail(`http://${dialHost(options.host)}:${idp.port}`, state, mailbox.port);
    // the console may have changed the tenant's issuer since the last start: the gateway checks the tenant's
    const readIssuer = () => tenantIssuer(`http://${dialHost(options.host)}:${idp.port}`, state.adminApiKey, state.applicationId);
    const issuer = await readIssuer();
    const issuerNote = issuer === state.issuer ? undefined : issuerChangedNote(state.issuer, issuer);
    state = { ...state, issuer };

    const echo = await startEchoPart(options.host, options.echoPort, logger.child({ part: 'echo' })).catch((error: unknown) => {
      throw explainListenError(error, echoClaim);
    });
    started.push(echo);
    state = withUrls(state, { idpUrl, echoUrl: `http://${host}:${echo.port}`, gatewayUrl });
    const echoAddress = `${dialHost(options.host)}:${echo.port}`;
    const localTls = options.httpsPort === undefined ? undefined : ensureLocalTls(paths.dir);
    const writeConfigs = (current: DemoState) => {
      const common = { state: current, host: options.host, gatewayPort: options.gatewayPort, echoAddress, workers: options.workers, httpsPort: options.httpsPort };
      writeFileAtomic(paths.staticConfig, renderGatewayConfig({ ...common, keys: 'file', dataDirDisplay: displayPath(paths.dir) }), 0o644);
      writeFileAtomic(paths.jwksConfig, renderGatewayConfig({ ...common, keys: 'jwks', dataDirDisplay: displayPath(paths.dir) }), 0o644);
      writeFileAtomic(paths.haproxyConfig, renderSeedHaproxyConfig({ ...common, publicKeyPath: resolve(paths.publicKey), dataDirDisplay: displayPath(paths.dir) }), 0o644);
    };
    writeConfigs(state);

    const gateway = await (options.workers === 1
      ? startGatewayPart(paths.jwksConfig, logger.child({ part: 'gateway' }))
      : startGatewayProcess({ configPath: paths.jwksConfig, workers: options.workers, probeUrl: gatewayUrl, port: options.gatewayPort, logPath: paths.log })
    ).catch((error: unknown) => {
      throw explainListenError(error, gatewayClaim);
    });
    started.push(gateway);
    state = withUrls(state, { idpUrl, echoUrl: state.echoUrl, gatewayUrl: `http://${host}:${gateway.port}` });
    writeDemoState(paths.demo, state);

    await selfCheck(state);
    state = { ...state, verifiedAt: new Date().toISOString() };
    writeDemoState(paths.demo, state);
    if (localTls !== undefined) await tlsSelfCheck(dialHost(options.host), options.httpsPort as number, readFileSync(localTls.caCert, 'utf8'));
    out.write(
      renderWalkthrough({
        state,
        database: /^postgres(?:ql)?:/.test(database) ? 'PostgreSQL (--database)' : displayPath(database),
        files: {
          demo: displayPath(paths.demo),
          staticConfig: displayPath(paths.staticConfig),
          publicKey: displayPath(paths.publicKey),
          log: displayPath(paths.log),
        },
        start: startKind(previous, idp.fresh),
        exposed: !['127.0.0.1', '::1', 'localhost'].includes(options.host),
        extra:
          renderMailNote(displayPath(paths.mail), mailbox.port, idpUrl) +
          (localTls === undefined ? '' : renderTlsWalkthrough(`https://localhost:${options.httpsPort}`, displayPath(localTls.caCert), localTls.action === 'reused' ? 'reused' : `${localTls.action} now`)),
      }),
    );
    if (issuerNote !== undefined) out.write(`${issuerNote}\n`);
    logger.info({ firstStart, idpUrl, gatewayUrl: state.gatewayUrl, echoUrl: state.echoUrl }, 'up: running');
    const stopWatching = watchIssuer(readIssuer, state.issuer, async (next) => {
      const before = state.issuer;
      state = { ...state, issuer: next };
      writeDemoState(paths.demo, state);
      writeConfigs(state);
      await gateway.reload();
      logger.info({ from: before, to: next }, 'up: the tenant issuer changed; gateway reloaded');
      out.write(`\n${issuerChangedNote(before, next)}\n`);
    });
    started.push({ close: async () => stopWatching() });
    return { state, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `up` until a signal: returns the exit code. A signal during the start stops everything once it is up. */
export async function runUp(options: UpOptions): Promise<number> {
  const stopSignal = waitForStopSignal();
  const handle = await startUp(options);
  const signal = await stopSignal;
  process.stdout.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the gateway, the echo service and the identity provider…\n`);
  await handle.stop();
  process.stdout.write('Stopped.\n');
  return 0;
}
