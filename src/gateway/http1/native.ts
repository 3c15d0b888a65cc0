/**
 * Whether this Node has the internals the gateway's own HTTP/1.1 server needs (contract C4): llhttp through
 * `_http_common`, and node:http's header folding. Without them the listener serves plain frontends with
 * node:http (`server: node`) and says so in a warning; nothing throws at import.
 */
import { llhttpAvailable, llhttpMissing } from './llhttp.js';
import { headerFoldingAvailable } from './request.js';

export function nativeParserAvailable(): boolean {
  return llhttpAvailable() && headerFoldingAvailable;
}

/** Why the own server cannot run here, for the warning (undefined when it can). */
export function nativeParserMissing(): string | undefined {
  if (!llhttpAvailable()) return llhttpMissing();
  return headerFoldingAvailable ? undefined : `this Node.js (${process.version}) lacks IncomingMessage.prototype._addHeaderLine, the header folding Gatehouse's HTTP server reuses`;
}
