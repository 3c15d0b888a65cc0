/**
 * `gatehouse check --config gatehouse.yaml` — validates a gateway config (schema, references, auth
 * policies and their key files, TLS certificates and CA files) without listening. Exit 0 when valid; 1 with every problem otherwise.
 */
import { loadGatewayConfig } from '../../gateway/index.js';
import { buildGeneration } from '../../gateway/runtime/generation.js';
import { GatewayMetrics, noAccessLog } from '../../gateway/observe/index.js';
import { createLogger } from '../../shared/logger.js';
import { CertificateStore } from '../../gateway/tls/index.js';
import { parseGatewayArgs } from './gateway-args.js';

export async function run(argv: string[]): Promise<number> {
  const args = parseGatewayArgs(argv, 'check');
  if (args.help) {
    console.log('Usage: gatehouse check --config <file> [--lenient]\n\nValidates a gateway config (gatehouse.yaml, or a haproxy.cfg: docs/haproxy.md) without starting it.\n  --lenient   haproxy.cfg: statements without an equivalent are warnings, not errors');
    return 0;
  }
  const config = loadGatewayConfig(args.configPath);
  const generation = await buildGeneration(config, { logger: createLogger({ level: 'silent' }), metrics: new GatewayMetrics(), accessLog: noAccessLog });
  await generation.close();
  // TLS frontends: every certificate file is read and checked as at start-up (throws ERR_TLS_CERTIFICATE)
  const silent = createLogger({ level: 'silent' });
  for (const [name, frontend] of Object.entries(config.frontends)) {
    if (frontend.tls !== undefined) new CertificateStore(name, frontend.tls, config.baseDir, silent);
  }
  const frontends = Object.keys(config.frontends).length;
  const backends = Object.keys(config.backends).length;
  const servers = Object.values(config.backends).reduce((n, b) => n + Object.keys(b.servers).length, 0);
  console.log(`${args.configPath}: OK (${frontends} frontend(s), ${backends} backend(s), ${servers} server(s), ${Object.keys(config.auth).length} auth policy(ies))`);
  return 0;
}
