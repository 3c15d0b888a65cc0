/**
 * Framing stage, first of the pipeline: node:http's parser (TLS frontends' HTTP/1.x, `server: node` plain
 * frontends) accepts heads the gateway's own server refuses at the end of a head (src/gateway/http1):
 * a Transfer-Encoding other than one `chunked` (../http1/transfer-encoding.ts), an HTTP version other than
 * 1.x (HTTP/0.9 request lines, HTTP/2.0), more header fields than the own server's limit (node:http keeps
 * up to 2,000 and drops the rest while its parser still frames by them). These get the same answer here,
 * with `Connection: close`, before a byte of their body is forwarded.
 *
 * node:http goes on parsing a pipelined request behind one answered with `Connection: close`, and emits
 * it; such a request is never admitted: every local answer that closes the connection marks it
 * (`closingConnection`, called by GatewayRequest.answer), and every later request on it is dropped
 * unanswered (node:http closes the connection once the answer is written).
 */
import type { Socket } from 'node:net';
import { DEFAULT_MAX_HEADER_FIELDS, Http1Request, TE_OK, transferEncodingStatus, type ClientRequest } from '../http1/index.js';
import { MESSAGES } from '../listen/local-response.js';
import type { GatewayRequest } from './gateway-request.js';
import { ANSWERED, NEXT, type Step } from './stage.js';

/** node:http connections on which a request was refused: nothing after it is admitted. */
const refusedConnections = new WeakSet<Socket>();

export function framing(request: GatewayRequest): Step {
  const req = request.req;
  // the own server checked all of this at the end of the head; HTTP/2 has no such framing
  if (req instanceof Http1Request || (req.httpVersionMajor === 2 && (req as { stream?: unknown }).stream !== undefined)) return NEXT;
  const socket = req.socket;
  if (refusedConnections.has(socket)) {
    request.finish(400, 0, 'pipelined behind a refused request: dropped', undefined);
    return ANSWERED;
  }
  if (req.httpVersionMajor !== 1) return refuse(request, 505, MESSAGES.versionNotSupported, 'HTTP version not supported');
  const fields = req.rawHeaders.length / 2;
  if (fields > DEFAULT_MAX_HEADER_FIELDS) return refuse(request, 400, MESSAGES.tooManyFields(DEFAULT_MAX_HEADER_FIELDS), 'too many header fields');
  const te = transferEncodingStatus(req.rawHeaders, req.httpVersionMinor);
  if (te === TE_OK) return NEXT;
  return te === 501 ? refuse(request, 501, MESSAGES.codingNotImplemented, 'transfer coding not implemented') : refuse(request, 400, MESSAGES.badTransferEncoding, 'bad Transfer-Encoding');
}

/** A local answer closes the connection: on node:http, no request parsed behind it is admitted. */
export function closingConnection(req: ClientRequest): void {
  if (!(req instanceof Http1Request) && req.httpVersionMajor === 1) refusedConnections.add(req.socket);
}

function refuse(request: GatewayRequest, status: number, message: string, error: string): typeof ANSWERED {
  request.res.shouldKeepAlive = false;
  request.answer(status, message, true, error);
  return ANSWERED;
}
