/** Starts the gateway in this process (startGateway) with its log lines captured for assertions. */
import { PassThrough } from 'node:stream';
import { parseGatewayConfig, startGateway, type AuthPolicyFactory, type RunningGateway } from '../../../src/gateway/index.js';
import { createLogger } from '../../../src/shared/logger.js';

export interface InProcessGateway {
  readonly gateway: RunningGateway;
  readonly port: number;
  readonly url: string;
  readonly logs: Array<Record<string, unknown>>;
  readonly rawLog: () => string;
  close(): Promise<void>;
}

export async function startInProcess(config: Record<string, unknown>, frontend = 'web', createPolicy?: AuthPolicyFactory, level = 'info'): Promise<InProcessGateway> {
  const stream = new PassThrough();
  const logs: Array<Record<string, unknown>> = [];
  let raw = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    raw += chunk;
    for (const line of chunk.split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const logger = createLogger({ name: 'gateway', level, destination: stream });
  const gateway = await startGateway({ config: parseGatewayConfig(config, process.cwd()), logger, createPolicy });
  const port = gateway.frontends.find((f) => f.name === frontend)?.port ?? 0;
  return { gateway, port, url: `http://127.0.0.1:${port}`, logs, rawLog: () => raw, close: () => gateway.close() };
}
