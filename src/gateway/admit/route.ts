/**
 * Route stage: `keep_alive: false` (the response will close the connection), a valid Host (or :authority), a request target of allowed length and form, the HTTPS
 * redirect of plain frontends that have one, then the frontend's routes; 400/414/404 otherwise.
 */
import { hasRequestBody } from '../forward/retry-policy.js';
import { MESSAGES } from '../listen/local-response.js';
import { checkAuthority, checkHost, hostName, parseTarget } from '../listen/request-target.js';
import { httpsLocation, sendHttpsRedirect } from '../tls/https-redirect.js';
import type { GatewayRequest } from './gateway-request.js';
import { ANSWERED, NEXT, type Step } from './stage.js';

export function route(request: GatewayRequest): Step {
  const { req, runtime } = request;
  if (!runtime.keepAlive && req.httpVersionMajor === 1) request.res.shouldKeepAlive = false;
  const host = req.httpVersionMajor === 2 ? checkAuthority(req.headers[':authority'] as string | undefined, req.headers.host) : checkHost(req.rawHeaders, req.httpVersionMinor);
  if (host === undefined) return refuse(request, 400, MESSAGES.badHost, true);
  const url = req.url as string;
  if (url.length > runtime.maxUrlLength) return refuse(request, 414, MESSAGES.uriTooLong, true);
  const target = parseTarget(url, host);
  if (target === undefined) return refuse(request, 400, MESSAGES.badTarget, true);
  request.path = target.path;
  request.upstreamPath = target.upstreamPath;
  if (runtime.redirectHttpsPort !== undefined) {
    if (host === '') return refuse(request, 404, MESSAGES.notFound, hasRequestBody(req)); // no host to redirect to
    request.named('redirect_https');
    request.finish(308, sendHttpsRedirect(request.res, httpsLocation(hostName(host), runtime.redirectHttpsPort, target.upstreamPath)), undefined, undefined);
    return ANSWERED;
  }
  const matched = runtime.router.match(runtime.router.usesHost ? hostName(host) : '', target.path, req.method as string, request);
  if (matched === undefined) return refuse(request, 404, MESSAGES.notFound, hasRequestBody(req));
  request.route = matched;
  return NEXT;
}

function refuse(request: GatewayRequest, status: number, body: string, close: boolean): Step {
  request.answer(status, body, close, body.split(':')[0]);
  return ANSWERED;
}
