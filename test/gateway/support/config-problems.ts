/** The message of a config that parseGatewayConfig refuses (fails the test when it is accepted). */
import assert from 'node:assert/strict';
import { parseGatewayConfig } from '../../../src/gateway/index.js';
import { isGatehouseError } from '../../../src/shared/errors.js';

export function configProblems(input: unknown): string {
  try {
    parseGatewayConfig(input, '/tmp');
  } catch (error) {
    assert.ok(isGatehouseError(error, 'ERR_CONFIG_INVALID'), `expected ERR_CONFIG_INVALID, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the config to be refused');
}
