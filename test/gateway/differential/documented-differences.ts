/**
 * Cases where Gatehouse's outcome differs from BOTH HAProxy 2.6 and nginx 1.22 by design: the signature
 * Gatehouse gives (outcome.ts) and why. docs/http1-server.md "Differential suite and fuzzer" has the same
 * table. A difference not listed here fails the suite; a listed case fails when Gatehouse gives neither
 * the listed signature nor a reference's.
 */

export interface Documented {
  readonly gatehouse: string;
  readonly reason: string;
}

const STRICT_LF = 'llhttp in strict mode refuses a bare LF as a line end (RFC 9112 §2.2 allows either); both references accept it. Refusing keeps every parser on the path agreeing on where a message ends';
const STRICT_CHUNK = 'llhttp in strict mode refuses whitespace before ";" and an empty chunk extension; the references accept them. Refusing is the narrower reading of the chunk framing';
const UPGRADE_BODY = 'an upgrade request with a body is refused (400, connection closed): the bytes after its head can only be a tunnel or the next request, never its body (issue 15, contract C1); the references forward the request';
const UPGRADE_CLOSE = '"Connection: close, upgrade" is contradictory: refused with 400 and the connection closed (contract C1); the references forward it';
const UPGRADE_10 = 'an HTTP/1.0 upgrade is refused (400, contract C1): HTTP/1.0 has no Upgrade; the references forward it';
const UPGRADE_PROTOCOL = 'Gatehouse tunnels only WebSocket upgrades; other protocols (h2c, unknown) are refused with 400 and the connection closed (docs/configuration.md); the references pass any protocol';
const EXPECT = 'an expectation other than 100-continue gets 417 (RFC 9110 §10.1.1 allows it; node:http does the same); the references ignore it and forward the request';
const METHOD = "llhttp accepts only the methods in its table (GET ... QUERY, WebDAV, RTSP); the references forward any token, so an unknown method is refused with 400";
const VERSION = 'only HTTP/1.0 and HTTP/1.1 are accepted (llhttp strict); the references treat HTTP/1.2 and 1.9 as 1.1';
const AMBIGUOUS_PATH = 'an ambiguous path is refused (400): a double-encoded character (%25 followed by hex) may be decoded twice by the server behind, and "..;" is a dot segment to Tomcat and Spring, so either could mean /private; the references forward the raw path (docs/security.md, path normalisation)';
const BACKSLASH = 'a backslash, raw or %5C, is refused in a path (400): IIS and some Java stacks read it as "/", so "..\\private" could mean /private; the references forward it raw';

export function documentedFor(server: 'gatehouse' | 'node'): Readonly<Record<string, Documented>> {
  return server === 'node' ? { ...DOCUMENTED, ...NODE_SERVER } : DOCUMENTED;
}

/** Further differences of `server: node` frontends (node:http's parser and the upgrade adapter of listen/). */
const NODE_UPGRADE = 'with `server: node`, a non-101 answer to an upgrade closes the connection (contract C3: node:http hands the socket over on its upgrade event, so the adapter in listen/ cannot go back to HTTP); the references, and the own server, go on parsing HTTP after it';

const NODE_UPGRADE_ORDER = 'with `server: node`, node:http hands an upgrade over on its upgrade event as soon as its head is parsed, even while the request before it on the connection (here a POST) is still being answered: the upgrade is forwarded first and the earlier answer is lost when the connection switches or closes. The own server answers in order. `server: node` is the fallback for a Node.js without the internals the own server needs (docs/http1-server.md)';

export const NODE_SERVER: Readonly<Record<string, Documented>> = {
  'upgrade/answered-200/behind-post': { gatehouse: 'A | fwd 2', reason: NODE_UPGRADE_ORDER },
  'upgrade/answered-101/behind-post': { gatehouse: 'U | fwd 2', reason: NODE_UPGRADE_ORDER },
  'upgrade/answered-200/then-private': { gatehouse: 'A | fwd 1', reason: NODE_UPGRADE },
  'upgrade/answered-200/then-open': { gatehouse: 'A | fwd 1', reason: NODE_UPGRADE },
  'upgrade/answered-200/then-later-private': { gatehouse: 'A | fwd 1', reason: NODE_UPGRADE },
  'upgrade/answered-200/to-private-no-token': { gatehouse: 'R | fwd 0', reason: NODE_UPGRADE },
  'upgrade/answered-101/to-private-no-token': { gatehouse: 'R | fwd 0', reason: NODE_UPGRADE },
};

const UPGRADE_REFUSED = 'an upgrade request that Gatehouse refuses itself (authorization, source rules, rate limit, route answers) is answered with `Connection: close` and the connection closed: the bytes the client sent behind it were meant for a tunnel, so they are never parsed as requests; the references answer 401 and go on parsing HTTP';

export const DOCUMENTED: Readonly<Record<string, Documented>> = {
  'upgrade/answered-200/to-private-no-token': { gatehouse: 'R | fwd 0', reason: UPGRADE_REFUSED },
  'upgrade/answered-101/to-private-no-token': { gatehouse: 'R | fwd 0', reason: UPGRADE_REFUSED },
  'framing/chunk/extension-bws': { gatehouse: 'R | fwd 0', reason: STRICT_CHUNK },
  'framing/chunk/extension-tab': { gatehouse: 'R | fwd 0', reason: STRICT_CHUNK },
  'framing/chunk/extension-empty': { gatehouse: 'R | fwd 0', reason: STRICT_CHUNK },
  'framing/chunk/bare-lf': { gatehouse: 'R | fwd 0', reason: STRICT_LF },
  'framing/chunk/last-chunk-bare-lf': { gatehouse: 'R | fwd 0', reason: STRICT_LF },
  'framing/chunk/crlf-after-data-bare-lf': { gatehouse: 'R | fwd 0', reason: STRICT_LF },
  'framing/lines/bare-lf-request-line': { gatehouse: 'R | fwd 0', reason: STRICT_LF },
  'framing/lines/bare-lf-header': { gatehouse: 'R | fwd 0', reason: STRICT_LF },
  'framing/lines/bare-lf-everywhere': { gatehouse: 'R | fwd 0', reason: STRICT_LF },
  'framing/lines/header-terminated-by-lf-lf': { gatehouse: 'R | fwd 0', reason: STRICT_LF },
  'framing/lines/del-in-value': { gatehouse: 'R | fwd 0', reason: 'a DEL in a header value is refused and the connection closed; the references refuse it too but keep reading the connection, so they answer the next request' },
  'trailers/content-length/then-open': { gatehouse: 'R | fwd 0', reason: 'a framing header (Content-Length, Transfer-Encoding) in request trailers is refused by llhttp (400, closed); the references drop the trailers' },
  'trailers/content-length/then-private': { gatehouse: 'R | fwd 0', reason: 'as trailers/content-length/then-open' },
  'trailers/transfer-encoding/then-open': { gatehouse: 'R | fwd 0', reason: 'as trailers/content-length/then-open' },
  'trailers/transfer-encoding/then-private': { gatehouse: 'R | fwd 0', reason: 'as trailers/content-length/then-open' },
  'trailers/bare-lf/then-open': { gatehouse: 'R | fwd 0', reason: STRICT_LF },
  'trailers/bare-lf/then-private': { gatehouse: 'R | fwd 0', reason: STRICT_LF },
  'trailers/obs-fold/then-open': { gatehouse: 'R | fwd 0', reason: 'obs-fold is refused everywhere, trailers included (llhttp strict); the references drop the trailers' },
  'trailers/obs-fold/then-private': { gatehouse: 'R | fwd 0', reason: 'as trailers/obs-fold/then-open' },
  'trailers/bad-name/then-open': { gatehouse: 'R | fwd 0', reason: 'a trailer line that is not a field is refused and the connection closed; HAProxy refuses it too but (depending on timing) goes on with the next request, nginx ignores the line' },
  'trailers/bad-name/then-private': { gatehouse: 'R | fwd 0', reason: 'as trailers/bad-name/then-open' },
  'upgrade/answered-200/connection-close-upgrade': { gatehouse: 'R | fwd 0', reason: UPGRADE_CLOSE },
  'upgrade/answered-101/connection-close-upgrade': { gatehouse: 'R | fwd 0', reason: UPGRADE_CLOSE },
  'upgrade/answered-200/with-content-length-body': { gatehouse: 'R | fwd 0', reason: UPGRADE_BODY },
  'upgrade/answered-101/with-content-length-body': { gatehouse: 'R | fwd 0', reason: UPGRADE_BODY },
  'upgrade/answered-200/with-chunked-body': { gatehouse: 'R | fwd 0', reason: UPGRADE_BODY },
  'upgrade/answered-101/with-chunked-body': { gatehouse: 'R | fwd 0', reason: UPGRADE_BODY },
  'upgrade/answered-200/post-with-body': { gatehouse: 'R | fwd 0', reason: UPGRADE_BODY },
  'upgrade/answered-101/post-with-body': { gatehouse: 'R | fwd 0', reason: UPGRADE_BODY },
  'upgrade/answered-200/http10': { gatehouse: 'R | fwd 0', reason: UPGRADE_10 },
  'upgrade/answered-101/http10': { gatehouse: 'R | fwd 0', reason: UPGRADE_10 },
  'upgrade/answered-200/h2c': { gatehouse: 'R | fwd 0', reason: UPGRADE_PROTOCOL },
  'upgrade/answered-101/h2c': { gatehouse: 'R | fwd 0', reason: UPGRADE_PROTOCOL },
  'upgrade/answered-200/unknown-protocol': { gatehouse: 'R | fwd 0', reason: UPGRADE_PROTOCOL },
  'upgrade/answered-101/unknown-protocol': { gatehouse: 'R | fwd 0', reason: UPGRADE_PROTOCOL },
  'expect/unknown': { gatehouse: 'R | fwd 0', reason: EXPECT },
  'expect/100-continue-and-unknown': { gatehouse: 'R | fwd 0', reason: EXPECT },
  'expect/empty': { gatehouse: 'R | fwd 0', reason: EXPECT },
  'limits/long-header-name': { gatehouse: 'A A | fwd 2', reason: 'one header line may use the whole limits.max_header_size (16 KiB); nginx limits a line to 8 KiB (large_client_header_buffers) and HAProxy refuses the 9 KB name' },
  'limits/long-method': { gatehouse: 'R | fwd 0', reason: METHOD },
  'methods/FOO': { gatehouse: 'R | fwd 0', reason: METHOD },
  'methods/CONNECT': { gatehouse: 'x | fwd 0', reason: 'CONNECT closes the connection without an answer, as node:http does without a connect listener: a gateway is not a forward proxy. HAProxy forwards it, nginx answers 400' },
  'versions/http-1.2': { gatehouse: 'R | fwd 0', reason: VERSION },
  'versions/http-1.9': { gatehouse: 'R | fwd 0', reason: VERSION },
  'paths/no-token/public/..\\private/x': { gatehouse: 'R | fwd 0', reason: BACKSLASH },
  'paths/bogus-token/public/..\\private/x': { gatehouse: 'R | fwd 0', reason: BACKSLASH },
  'paths/no-token/public/%2e%2e%5cprivate/x': { gatehouse: 'R | fwd 0', reason: BACKSLASH },
  'paths/bogus-token/public/%2e%2e%5cprivate/x': { gatehouse: 'R | fwd 0', reason: BACKSLASH },
  'paths/no-token/%2570rivate/x': { gatehouse: 'R | fwd 0', reason: AMBIGUOUS_PATH },
  'paths/bogus-token/%2570rivate/x': { gatehouse: 'R | fwd 0', reason: AMBIGUOUS_PATH },
  'paths/no-token/public/..;/private/x': { gatehouse: 'R | fwd 0', reason: AMBIGUOUS_PATH },
  'paths/bogus-token/public/..;/private/x': { gatehouse: 'R | fwd 0', reason: AMBIGUOUS_PATH },
  'paths/no-token/public/%252e%252e/private/x': { gatehouse: 'R | fwd 0', reason: AMBIGUOUS_PATH },
  'paths/bogus-token/public/%252e%252e/private/x': { gatehouse: 'R | fwd 0', reason: AMBIGUOUS_PATH },
  'headers/host-with-userinfo': { gatehouse: 'R | fwd 0', reason: 'a Host with userinfo ("user@host") is refused (400): Host is host[:port] (RFC 9110 §7.2); the references forward it' },
};
