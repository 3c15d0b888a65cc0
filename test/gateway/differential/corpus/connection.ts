/**
 * Cases about what a connection carries from one message to the next: request trailers, upgrades (answered
 * 200 or 101 by the backend), pipelining after a closing message or around a malformed one, and Expect.
 */
import { chunk, get, H, post, smuggled, type CaseSpec, type Markers } from './case.js';

const ATTACKER = 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdHRhY2tlciJ9.c2ln';

function trailerCases(): CaseSpec[] {
  const chunkedWith = (m: Markers, trailers: string, path = '/c/') =>
    `POST ${path}${m.r(0)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n${trailers}\r\n`;
  const out: CaseSpec[] = [];
  const trailerSets: Record<string, (m: Markers) => string> = {
    'authorization-and-injected': (m) => `Authorization: ${ATTACKER}\r\nX-Injected: ${m.o}\r\n`,
    'content-length': () => 'Content-Length: 50\r\n',
    'transfer-encoding': () => 'Transfer-Encoding: chunked\r\n',
    host: () => 'Host: evil.test\r\n',
    'x-user-id': () => 'X-User-Id: admin\r\n',
    'request-id': () => 'X-Request-Id: forged\r\n',
    many: (m) => Array.from({ length: 50 }, (_, i) => `X-T${i}: ${m.o}\r\n`).join(''),
    'bare-lf': () => 'X-Injected: 1\n',
    'obs-fold': () => 'X-Injected: 1\r\n folded\r\n',
    'bad-name': () => 'X Injected: 1\r\n',
  };
  for (const [name, trailers] of Object.entries(trailerSets)) {
    out.push({ name: `trailers/${name}/then-open`, send: (m) => [chunkedWith(m, trailers(m)) + get(m, 1)] });
    out.push({ name: `trailers/${name}/then-private`, send: (m) => [chunkedWith(m, trailers(m)) + get(m, 1, '', '/private/')] });
  }
  out.push({ name: 'trailers/authorization/separate-write', send: (m) => [chunkedWith(m, trailerSets['authorization-and-injected']!(m)), 30, get(m, 1, '', '/private/')] });
  out.push({ name: 'trailers/url-parts/next-request', send: (m) => [chunkedWith(m, `X-Injected: ${m.o}\r\n`), 30, `GET /c/${m.r(1)}-next HTTP/1.1\r\n${H}\r\n`] });
  out.push({ name: 'trailers/private-request-with-trailers', send: (m) => [chunkedWith(m, `Authorization: ${ATTACKER}\r\n`, '/private/')] });
  return out;
}

function upgradeHead(m: Markers, i: number, o: { path?: string; up?: '101' | '200'; connection?: string; upgrade?: string; version?: string; extra?: string } = {}): string {
  const query = o.up === '101' ? '?up=101' : '';
  return `GET ${o.path ?? '/public/ws/'}${m.r(i)}${query} ${o.version ?? 'HTTP/1.1'}\r\n${H}Upgrade: ${o.upgrade ?? 'websocket'}\r\nConnection: ${o.connection ?? 'Upgrade'}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${o.extra ?? ''}\r\n`;
}

function upgradeCases(): CaseSpec[] {
  const spoof = `X-User: admin\r\nX-Forwarded-For: 10.0.0.1\r\n`;
  const out: CaseSpec[] = [];
  for (const up of ['200', '101'] as const) {
    out.push({ name: `upgrade/answered-${up}/then-private`, send: (m) => [upgradeHead(m, 0, { up }) + get(m, 1, spoof, '/private/')] });
    out.push({ name: `upgrade/answered-${up}/then-open`, send: (m) => [upgradeHead(m, 0, { up }) + get(m, 1, spoof)] });
    out.push({ name: `upgrade/answered-${up}/then-later-private`, send: (m) => [upgradeHead(m, 0, { up }), 40, get(m, 1, spoof, '/private/')] });
    out.push({ name: `upgrade/answered-${up}/alone`, send: (m) => [upgradeHead(m, 0, { up })] });
    out.push({ name: `upgrade/answered-${up}/to-private-no-token`, send: (m) => [upgradeHead(m, 0, { up, path: '/private/ws/' }) + get(m, 1)] });
    out.push({ name: `upgrade/answered-${up}/connection-close-upgrade`, send: (m) => [upgradeHead(m, 0, { up, connection: 'close, Upgrade' }) + get(m, 1, '', '/private/')] });
    out.push({ name: `upgrade/answered-${up}/keep-alive-upgrade`, send: (m) => [upgradeHead(m, 0, { up, connection: 'keep-alive, Upgrade' })] });
    out.push({ name: `upgrade/answered-${up}/with-content-length-body`, send: (m) => {
      const body = smuggled(m, 1);
      return [upgradeHead(m, 0, { up, extra: `Content-Length: ${body.length}\r\n` }) + body];
    } });
    out.push({ name: `upgrade/answered-${up}/with-chunked-body`, send: (m) => [upgradeHead(m, 0, { up, extra: 'Transfer-Encoding: chunked\r\n' }) + chunk(smuggled(m, 1))] });
    out.push({ name: `upgrade/answered-${up}/post-with-body`, send: (m) => {
      const body = smuggled(m, 1);
      return [upgradeHead(m, 0, { up, extra: `Content-Length: ${body.length}\r\n` }).replace(/^GET/, 'POST') + body];
    } });
    out.push({ name: `upgrade/answered-${up}/http10`, send: (m) => [upgradeHead(m, 0, { up, version: 'HTTP/1.0' }) + get(m, 1, '', '/private/')] });
    out.push({ name: `upgrade/answered-${up}/behind-get`, send: (m) => [get(m, 0) + upgradeHead(m, 1, { up })] });
    out.push({ name: `upgrade/answered-${up}/behind-post`, send: (m) => [post(m, 0) + upgradeHead(m, 1, { up })] });
    out.push({ name: `upgrade/answered-${up}/h2c`, send: (m) => [upgradeHead(m, 0, { up, upgrade: 'h2c', connection: 'Upgrade, HTTP2-Settings', extra: 'HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n' }) + get(m, 1, '', '/private/')] });
    out.push({ name: `upgrade/answered-${up}/unknown-protocol`, send: (m) => [upgradeHead(m, 0, { up, upgrade: 'foo/1' }) + get(m, 1, '', '/private/')] });
  }
  out.push({ name: 'upgrade/upgrade-header-without-connection', send: (m) => [`GET /public/ws/${m.r(0)}?up=101 HTTP/1.1\r\n${H}Upgrade: websocket\r\n\r\n${get(m, 1, '', '/private/')}`] });
  out.push({ name: 'upgrade/connection-without-upgrade-header', send: (m) => [`GET /public/ws/${m.r(0)}?up=101 HTTP/1.1\r\n${H}Connection: Upgrade\r\n\r\n${get(m, 1, '', '/private/')}`] });
  out.push({ name: 'upgrade/tunnel-data-after-101', send: (m) => [upgradeHead(m, 0, { up: '101' }), 40, `tunnel bytes of ${m.o}`] });
  return out;
}

function pipeliningCases(): CaseSpec[] {
  const seq = (n: number, m: Markers, extra = '') => Array.from({ length: n }, (_, i) => get(m, i, extra)).join('');
  const out: CaseSpec[] = [];
  for (const n of [2, 3, 10, 40]) out.push({ name: `pipelining/valid-x${n}`, send: (m) => [seq(n, m)] });
  for (const be of ['chunked', 'close', 'cont', 'slow']) {
    out.push({ name: `pipelining/backend-${be}`, send: (m) => [`GET /c/${m.r(0)}?be=${be} HTTP/1.1\r\n${H}\r\n${get(m, 1)}${get(m, 2)}`] });
  }
  out.push(
    { name: 'pipelining/after-connection-close', send: (m) => [get(m, 0, 'Connection: close\r\n') + get(m, 1)] },
    { name: 'pipelining/after-connection-close-private', send: (m) => [get(m, 0, 'Connection: close\r\n') + get(m, 1, '', '/private/')] },
    { name: 'pipelining/after-http10', send: (m) => [`GET /c/${m.r(0)} HTTP/1.0\r\n${H}\r\n${get(m, 1)}`] },
    { name: 'pipelining/after-http10-keep-alive', send: (m) => [`GET /c/${m.r(0)} HTTP/1.0\r\n${H}Connection: keep-alive\r\n\r\n${get(m, 1)}`] },
    { name: 'pipelining/malformed-behind-valid', send: (m) => [`${get(m, 0)}GARBAGE ${m.r(1)}\r\n\r\n`] },
    { name: 'pipelining/bad-header-behind-valid', send: (m) => [`${get(m, 0)}GET /c/${m.r(1)} HTTP/1.1\r\n${H}X A: 1\r\n\r\n`] },
    { name: 'pipelining/bad-cl-behind-valid', send: (m) => [`${get(m, 0)}POST /c/${m.r(1)} HTTP/1.1\r\n${H}Content-Length: 5, 6\r\n\r\nhello`] },
    { name: 'pipelining/binary-behind-valid', send: (m) => [`${get(m, 0)}\x16\x03\x01\x02\x00\x01\x00`] },
    { name: 'pipelining/valid-malformed-valid', send: (m) => [`${get(m, 0)}BAD\r\n\r\n${get(m, 2)}`] },
    { name: 'pipelining/post-then-get', send: (m) => [post(m, 0) + get(m, 1)] },
    { name: 'pipelining/chunked-post-then-get', send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${chunk('hello')}${get(m, 1)}`] },
    { name: 'pipelining/head-then-get', headResponses: [0], send: (m) => [`HEAD /c/${m.r(0)} HTTP/1.1\r\n${H}\r\n${get(m, 1)}`] },
    { name: 'pipelining/head-chunked-then-get', headResponses: [0], send: (m) => [`HEAD /c/${m.r(0)}?be=chunked HTTP/1.1\r\n${H}\r\n${get(m, 1)}`] },
    { name: 'pipelining/open-private-open', send: (m) => [get(m, 0) + get(m, 1, '', '/private/') + get(m, 2)] },
    { name: 'pipelining/separate-writes', send: (m) => [get(m, 0), 20, get(m, 1), 20, get(m, 2)] },
    { name: 'pipelining/split-head', send: (m) => [`GET /c/${m.r(0)} HTTP/1.1\r\nHo`, 20, `st: gw.test\r\n\r\n`] },
    { name: 'pipelining/split-crlf', send: (m) => [`GET /c/${m.r(0)} HTTP/1.1\r\n${H}\r`, 20, `\n${get(m, 1)}`] },
    { name: 'pipelining/close-then-garbage', send: (m) => [get(m, 0, 'Connection: close\r\n') + 'GARBAGE\r\n\r\n'] },
  );
  return out;
}

function expectCases(): CaseSpec[] {
  const withExpect = (m: Markers, value: string, path = '/c/', version = 'HTTP/1.1') =>
    `POST ${path}${m.r(0)} ${version}\r\n${H}Expect: ${value}\r\nContent-Length: 11\r\n\r\n`;
  return [
    { name: 'expect/100-continue-body-later', send: (m) => [withExpect(m, '100-continue'), 40, 'hello world', 20, get(m, 1)] },
    { name: 'expect/100-continue-body-at-once', send: (m) => [`${withExpect(m, '100-continue')}hello world${get(m, 1)}`] },
    { name: 'expect/100-continue-mixed-case', send: (m) => [withExpect(m, '100-Continue'), 40, 'hello world'] },
    { name: 'expect/100-continue-no-body', send: (m) => [`GET /c/${m.r(0)} HTTP/1.1\r\n${H}Expect: 100-continue\r\n\r\n${get(m, 1)}`] },
    { name: 'expect/100-continue-private-no-token', send: (m) => [withExpect(m, '100-continue', '/private/'), 40, `hello${m.o}`.slice(0, 11)] },
    { name: 'expect/100-continue-http10', send: (m) => [withExpect(m, '100-continue', '/c/', 'HTTP/1.0'), 40, 'hello world'] },
    { name: 'expect/100-continue-chunked', send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n`, 40, chunk('hello world')] },
    { name: 'expect/unknown', send: (m) => [`${withExpect(m, 'foo')}hello world`] },
    { name: 'expect/100-continue-and-unknown', send: (m) => [`${withExpect(m, '100-continue, foo')}hello world`] },
    { name: 'expect/empty', send: (m) => [`${withExpect(m, '')}hello world`] },
    { name: 'expect/backend-sends-100', send: (m) => [`POST /c/${m.r(0)}?be=cont HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\nhello world${get(m, 1)}`] },
  ];
}

export function connectionCases(): CaseSpec[] {
  return [...trailerCases(), ...upgradeCases(), ...pipeliningCases(), ...expectCases()];
}
