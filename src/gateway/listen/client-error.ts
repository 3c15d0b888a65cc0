/**
 * What Node's HTTP parser refuses (smuggling attempts, malformed framing, obs-fold, oversized header
 * blocks, slow headers) arrives as a 'clientError'. The client gets 400, 431 or 408 and the connection
 * is closed; nothing is forwarded. The raw bytes are never logged (they may hold a token).
 */
import type { Socket } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import type { ErrorPages } from './error-pages.js';
import { MESSAGES, sendRawAndClose } from './local-response.js';

interface ParserError extends Error {
  code?: string;
}

export function statusForClientError(code: string | undefined): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return 408;
    case 'HPE_URI_TOO_LONG':
      return 414;
    case 'ERR_HTTP_VERSION_NOT_SUPPORTED':
      return 505;
    case 'ERR_HTTP_TRANSFER_CODING_NOT_IMPLEMENTED':
      return 501;
    default:
      return 400;
  }
}

export function handleClientError(logger: Logger, frontend: string, error: ParserError, socket: Socket, pages?: ErrorPages): void {
  const code = error.code;
  if (code === 'ECONNRESET' || code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = statusForClientError(code);
  logger.debug({ frontend, code, status, client: socket.remoteAddress }, 'client error');
  const node = socket as NodeHttpSocket;
  const httpMessage = node._httpMessage;
  if (httpMessage !== null && httpMessage !== undefined && !httpMessage.writableFinished && node.parser?.incoming?.complete !== false) {
    // node:http: the bad bytes follow complete requests whose answers are still to go out (after a
    // Connection: close or HTTP/1.0 request, or a malformed one pipelined behind valid ones): they are
    // answered first, as HAProxy and nginx do; node:http parses nothing more on this connection
    if (node[kAfterAnswers] === true) return; // each further read repeats the parser's error
    node[kAfterAnswers] = true;
    afterAnswers(node, httpMessage, () => refuse(socket, status, pages));
    return;
  }
  if (httpMessage?.headersSent === true) {
    socket.destroy();
    return;
  }
  refuse(socket, status, pages);
}

const kAfterAnswers = Symbol('gatehouse.refuseAfterAnswers');

/** node:http's view of a connection: the response being written (others wait behind it), the request being parsed. */
type NodeHttpSocket = Socket & {
  _httpMessage?: NodeResponse | null;
  parser?: { incoming?: { complete: boolean } | null } | null;
  [kAfterAnswers]?: boolean;
};
type NodeResponse = NodeJS.EventEmitter & { writableFinished: boolean; headersSent: boolean };

/** Runs `then` once every answer queued on `socket` is written (node:http hands the socket to the next on 'finish'). */
function afterAnswers(socket: NodeHttpSocket, response: NodeResponse, then: () => void): void {
  response.once('finish', () => {
    const next = socket._httpMessage;
    if (next !== null && next !== undefined && next !== response) afterAnswers(socket, next, then);
    else if (socket.writable) then(); // not after an answer that closed the connection
  });
}

function refuse(socket: Socket, status: number, pages: ErrorPages | undefined): void {
  const body = status === 431 ? 'Request Header Fields Too Large\n' : status === 505 ? 'HTTP Version Not Supported\n' : status === 408 ? 'Request Timeout: headers took too long\n' : status === 501 ? MESSAGES.codingNotImplemented : 'Bad Request: malformed request\n';
  const page = pages?.get(status);
  if (page === undefined) sendRawAndClose(socket, status, body);
  else sendRawAndClose(socket, status, page.body, { 'content-type': page.contentType });
}
