/** Translates a haproxy.cfg that must translate without errors and pass the gateway's schema; returns the config object. */
import assert from 'node:assert/strict';
import { translateHaproxy } from '../../../../src/gateway/config/haproxy/index.js';
import { parseGatewayConfig } from '../../../../src/gateway/config/index.js';

export function translateValid(cfg: string, file: string): Record<string, any> {
  const t = translateHaproxy(cfg, file, { env: {} });
  assert.deepEqual(t.errors, []);
  parseGatewayConfig(t.config, '/tmp', file);
  return t.config as Record<string, any>;
}
