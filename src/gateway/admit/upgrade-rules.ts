/**
 * Upgrade rules stage: only WebSocket upgrades are proxied, and an upgrade request never carries a body
 * nor asks to close (the gateway's own server refuses those itself; ./../listen/upgrade-response.ts does
 * for node:http's). Ordinary requests pass at once.
 */
import type { ClientRequest } from '../http1/index.js';
import { MESSAGES } from '../listen/local-response.js';
import type { GatewayRequest } from './gateway-request.js';
import { ANSWERED, NEXT, type Step } from './stage.js';

export function upgradeRules(request: GatewayRequest): Step {
  const req = request.req;
  if (req.upgrade !== true) return NEXT;
  const refusal = upgradeRefusal(req);
  if (refusal === undefined) return NEXT;
  request.answer(400, refusal, true, refusal.split('\n')[0]);
  return ANSWERED;
}

/** Why an upgrade request is refused (400), or undefined when it may be proxied. */
export function upgradeRefusal(req: ClientRequest): string | undefined {
  const headers = req.headers;
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor !== 1) return MESSAGES.upgradeMalformed;
  if (headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')) return MESSAGES.upgradeMalformed;
  if (connectionSaysClose(headers.connection)) return MESSAGES.upgradeMalformed;
  if ((headers.upgrade ?? '').toLowerCase() !== 'websocket') return MESSAGES.badUpgrade;
  return undefined;
}

function connectionSaysClose(connection: string | undefined): boolean {
  if (connection === undefined) return false;
  const tokens = connection.split(',');
  for (let i = 0; i < tokens.length; i++) if ((tokens[i] as string).trim().toLowerCase() === 'close') return true;
  return false;
}
