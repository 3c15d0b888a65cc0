/**
 * Paths that may or may not mean /private (which needs a token on every proxy), with and without a bogus
 * token, and header cases: names with `_`, a client's own copies of the headers the gateway sets
 * (X-User-Id, X-Forwarded-*, X-Request-Id), Host variants, and the few cases that carry a valid token
 * (Gatehouse only, since the references only deny /private).
 */
import { get, H, type CaseSpec, type Markers } from './case.js';

/** The path part before the marker query; each is requested as `<path>?m=<marker>`. */
export const PATHS: readonly string[] = [
  '/private',
  '/private/',
  '/private/x',
  '/private.json',
  '/private%2e/x',
  '/private%2E/x',
  '/private%20/x',
  '/private%3bx',
  '/private;x',
  '/private;a=b/x',
  '/private%00/x',
  '/private%09/x',
  '/private./x',
  '/private../x',
  '/private~/x',
  '/private%2fx',
  '/privatex',
  '/PRIVATE/x',
  '/Private/x',
  '/%70rivate/x',
  '/priv%61te/x',
  '/%2570rivate/x',
  '//private/x',
  '///private/x',
  '/./private/x',
  '/public/../private/x',
  '/public/..;/private/x',
  '/public/%2e%2e/private/x',
  '/public/%2E%2E/private/x',
  '/public/%252e%252e/private/x',
  '/public/.%2e/private/x',
  '/public/..%2fprivate/x',
  '/public%2f..%2fprivate/x',
  '/public/..\\private/x',
  '/public/%2e%2e%5cprivate/x',
  '/public/../../private/x',
  '/c/../private/x',
  '/public/x',
  '/public',
  '/publicity',
  '/',
];

function pathCases(): CaseSpec[] {
  const out: CaseSpec[] = [];
  for (const path of PATHS) {
    out.push({ name: `paths/no-token${path}`, send: (m) => [`GET ${path}?m=${m.r(0)} HTTP/1.1\r\n${H}\r\n`] });
    out.push({ name: `paths/bogus-token${path}`, send: (m) => [`GET ${path}?m=${m.r(0)} HTTP/1.1\r\n${H}Authorization: Bearer x.y.z\r\n\r\n`] });
  }
  return out;
}

function headerCases(): CaseSpec[] {
  const h = (name: string, extra: (m: Markers) => string, path = '/c/'): CaseSpec => ({ name: `headers/${name}`, send: (m) => [get(m, 0, extra(m), path) + get(m, 1)] });
  return [
    h('underscore-name', () => 'X_User_Id: admin\r\n'),
    h('underscore-name-public', () => 'X_User_Id: admin\r\n', '/public/'),
    h('underscore-authorization', () => 'Authorization_: Bearer x\r\n', '/private/'),
    h('underscore-and-dash-same-name', () => 'X-Role: user\r\nX_Role: admin\r\n'),
    h('client-x-user-id', () => 'X-User-Id: admin\r\n'),
    h('client-x-user-id-public', () => 'X-User-Id: admin\r\n', '/public/'),
    h('client-x-user-id-lower', () => 'x-user-id: admin\r\n', '/public/'),
    h('client-x-user-id-twice', () => 'X-User-Id: admin\r\nX-User-Id: root\r\n', '/public/'),
    h('client-x-forwarded-for', () => 'X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Host: admin.test\r\nX-Forwarded-Proto: https\r\nForwarded: for=10.0.0.1\r\n'),
    h('client-x-request-id', () => 'X-Request-Id: forged-id\r\n'),
    h('connection-names-header', () => 'Connection: X-Secret\r\nX-Secret: 1\r\n'),
    h('connection-names-authorization', () => 'Connection: Authorization\r\nAuthorization: Bearer x.y.z\r\n', '/private/'),
    h('proxy-authorization', () => 'Proxy-Authorization: Basic eDp5\r\n'),
    h('te-trailers', () => 'TE: trailers\r\n'),
    h('keep-alive-header', () => 'Keep-Alive: timeout=5\r\n'),
    h('two-authorization-first-bogus', () => 'Authorization: Bearer x.y.z\r\nAuthorization: Bearer a.b.c\r\n', '/private/'),
    h('duplicate-plain-header', () => 'X-Dup: 1\r\nX-Dup: 2\r\n'),
    h('cookie-twice', () => 'Cookie: a=1\r\nCookie: b=2\r\n'),
    { name: 'headers/two-host', send: (m) => [`GET /c/${m.r(0)} HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n`] },
    { name: 'headers/host-with-port', send: (m) => [`GET /c/${m.r(0)} HTTP/1.1\r\nHost: gw.test:8080\r\n\r\n`] },
    { name: 'headers/host-with-path', send: (m) => [`GET /c/${m.r(0)} HTTP/1.1\r\nHost: gw.test/private\r\n\r\n`] },
    { name: 'headers/host-with-userinfo', send: (m) => [`GET /c/${m.r(0)} HTTP/1.1\r\nHost: user@gw.test\r\n\r\n`] },
  ];
}

/** Cases with a valid token for /private: only Gatehouse runs them (the references deny all of /private). */
function tokenCases(): CaseSpec[] {
  const auth = 'Authorization: Bearer {{TOKEN}}\r\n';
  return [
    { name: 'token/private', gatehouseOnly: true, expect: 'A A | fwd 2', send: (m) => [get(m, 0, auth, '/private/') + get(m, 1)] },
    { name: 'token/private-then-private-without', gatehouseOnly: true, expect: 'A R | fwd 1', send: (m) => [get(m, 0, auth, '/private/') + get(m, 1, '', '/private/')] },
    { name: 'token/client-x-user-id-replaced', gatehouseOnly: true, expect: 'A | fwd 1', send: (m) => [get(m, 0, `${auth}X-User-Id: admin\r\nX_User_Id: admin\r\n`, '/private/')] },
    {
      name: 'token/trailer-token-then-private-without',
      gatehouseOnly: true,
      expect: 'A R | fwd 1',
      send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n${auth}\r\n${get(m, 1, '', '/private/')}`],
    },
    { name: 'token/upgrade-private-then-private-without', gatehouseOnly: true, expect: 'A R | fwd 1', expectNode: 'A | fwd 1', send: (m) => [`GET /private/ws/${m.r(0)} HTTP/1.1\r\n${H}${auth}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n${get(m, 1, '', '/private/')}`] },
    { name: 'token/upgrade-private-101', gatehouseOnly: true, expect: 'U | fwd 1', send: (m) => [`GET /private/ws/${m.r(0)}?up=101 HTTP/1.1\r\n${H}${auth}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`, 30, `tunnel bytes of ${m.o}`] },
    { name: 'token/private-with-body-then-private-without', gatehouseOnly: true, expect: 'A R | fwd 1', send: (m) => [`POST /private/${m.r(0)} HTTP/1.1\r\n${H}${auth}Content-Length: 5\r\n\r\nhello${get(m, 1, '', '/private/')}`] },
  ];
}

export function pathAndHeaderCases(): CaseSpec[] {
  return [...pathCases(), ...headerCases(), ...tokenCases()];
}
