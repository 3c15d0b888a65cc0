/**
 * One haproxy.cfg run by HAProxy 2.6 and by `gatehouse gateway`, for the differential tests. The file binds
 * `"127.0.0.1:${PORT}"`: HAProxy gets a free port, Gatehouse port 0 (read from its log).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGatewayProcess, tempDir, type GatewayProcess } from '../../support/gateway-process.js';
import { freePort, startProcess } from '../../auth/e2e/processes.js';

export interface Both {
  readonly haproxyPort: number;
  readonly gatehousePort: number;
  readonly gateway: GatewayProcess;
  readonly cfgPath: string;
  stop(): Promise<void>;
}

export async function startBoth(haproxyPath: string, cfg: string, frontend: string, dir = tempDir('gatehouse-cfg-diff-')): Promise<Both> {
  const cfgPath = join(dir, 'haproxy.cfg');
  writeFileSync(cfgPath, cfg);
  const haproxyPort = await freePort();
  const haproxy = await startProcess(haproxyPath, ['-db', '-f', cfgPath], haproxyPort, { PORT: String(haproxyPort) });
  const gateway = await startGatewayProcess(cfg, [], { PORT: '0' }, 'haproxy.cfg');
  const stop = async () => {
    await haproxy.stop();
    await gateway.stop();
  };
  try {
    await gateway.waitForLine((l) => l.frontend === frontend && typeof l.port === 'number');
  } catch (error) {
    await stop();
    throw error;
  }
  return { haproxyPort, gatehousePort: gateway.port(frontend), gateway, cfgPath, stop };
}
