/**
 * Cases about one message's shape: size limits (header count, URL length, head size), protocol versions,
 * and methods.
 */
import { get, H, type CaseSpec, type Markers } from './case.js';

function fieldsOf(n: number, m: Markers): string {
  let out = '';
  for (let i = 0; i < n; i++) out += `X-F${i}: ${i === 0 ? m.o : 'v'}\r\n`;
  return out;
}

function limitCases(): CaseSpec[] {
  const out: CaseSpec[] = [];
  for (const n of [100, 500, 998, 999, 1000, 1001, 1500]) {
    out.push({ name: `limits/fields-${n}`, send: (m) => [get(m, 0, fieldsOf(n, m)) + get(m, 1)] });
  }
  for (const n of [999, 1000, 1001, 2000]) {
    out.push({
      name: `limits/fields-${n}-content-length-last`,
      send: (m) => {
        const body = `hello ${m.o}`;
        return [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}${fieldsOf(n, m)}Content-Length: ${body.length}\r\n\r\n${body}`, 30, get(m, 1)];
      },
    });
  }
  out.push({
    name: 'limits/fields-1001-transfer-encoding-last',
    send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}${fieldsOf(1001, m)}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, 30, get(m, 1)],
  });
  for (const length of [2000, 8000, 8200, 16000, 70000]) {
    out.push({ name: `limits/url-${length}`, send: (m) => [`GET /c/${m.r(0)}?q=${'a'.repeat(length)} HTTP/1.1\r\n${H}\r\n${get(m, 1)}`] });
  }
  for (const size of [8000, 15000, 16500, 33000, 70000]) {
    out.push({ name: `limits/head-${size}`, send: (m) => [get(m, 0, `X-Big: ${'b'.repeat(size)}\r\n`) + get(m, 1)] });
  }
  out.push({ name: 'limits/long-header-name', send: (m) => [get(m, 0, `X-${'n'.repeat(9000)}: 1\r\n`) + get(m, 1)] });
  out.push({ name: 'limits/long-method', send: (m) => [`${'G'.repeat(5000)} /c/${m.r(0)} HTTP/1.1\r\n${H}\r\n`] });
  out.push({ name: 'limits/head-trickled', send: (m) => [`GET /c/${m.r(0)} HTTP/1.1\r\n`, 20, 'X-A: 1\r\n', 20, 'X-B: 2\r\n', 20, `${H}\r\n`] });
  return out;
}

function versionCases(): CaseSpec[] {
  const v = (name: string, version: string, host = H): CaseSpec => ({ name: `versions/${name}`, send: (m) => [`GET /c/${m.r(0)} ${version}\r\n${host}\r\n`, 30, get(m, 1)] });
  return [
    v('http-2.0', 'HTTP/2.0'),
    v('http-1.2', 'HTTP/1.2'),
    v('http-1.9', 'HTTP/1.9'),
    v('http-3.0', 'HTTP/3.0'),
    v('http-1.10', 'HTTP/1.10'),
    v('http-01.1', 'HTTP/01.1'),
    v('lower-case', 'http/1.1'),
    v('http-1', 'HTTP/1'),
    v('http-1.1-no-host', 'HTTP/1.1', ''),
    v('http-1.0-no-host', 'HTTP/1.0', ''),
    v('http-1.1-empty-host', 'HTTP/1.1', 'Host:\r\n'),
    { name: 'versions/http-0.9', send: (m) => [`GET /c/${m.r(0)}\r\n`, 30, get(m, 1)] },
    { name: 'versions/missing-version', send: (m) => [`GET /c/${m.r(0)}\r\n${H}\r\n`] },
    { name: 'versions/h2-preface', send: (m) => [`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n${get(m, 0)}`] },
    { name: 'versions/http-1.0-keep-alive-pair', send: (m) => [`GET /c/${m.r(0)} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`, 30, `GET /c/${m.r(1)} HTTP/1.0\r\n\r\n`] },
  ];
}

function methodCases(): CaseSpec[] {
  const out: CaseSpec[] = [];
  for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'QUERY', 'FOO', 'get', 'PROPFIND']) {
    out.push({
      name: `methods/${method}`,
      send: (m) => {
        const body = `body ${m.o}`;
        return [`${method} /c/${m.r(0)} HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\n\r\n${body}${get(m, 1)}`];
      },
    });
  }
  out.push({ name: 'methods/HEAD', headResponses: [0], send: (m) => [`HEAD /c/${m.r(0)} HTTP/1.1\r\n${H}\r\n${get(m, 1)}`] });
  out.push({ name: 'methods/CONNECT', send: (m) => [`CONNECT gw.test:443 HTTP/1.1\r\n${H}X-M: ${m.r(0)}\r\n\r\n${get(m, 1, '', '/private/')}`] });
  out.push({ name: 'methods/OPTIONS-star', send: (m) => [`OPTIONS * HTTP/1.1\r\n${H}X-M: ${m.r(0)}\r\n\r\n${get(m, 1)}`] });
  out.push({ name: 'methods/absolute-form', send: (m) => [`GET http://gw.test/c/${m.r(0)} HTTP/1.1\r\n${H}\r\n${get(m, 1)}`] });
  out.push({ name: 'methods/absolute-form-other-host', send: (m) => [`GET http://other.test/private/${m.r(0)} HTTP/1.1\r\n${H}\r\n`] });
  out.push({ name: 'methods/absolute-form-private', send: (m) => [`GET http://gw.test/private/${m.r(0)} HTTP/1.1\r\n${H}\r\n`] });
  out.push({ name: 'methods/empty-method', send: (m) => [` /c/${m.r(0)} HTTP/1.1\r\n${H}\r\n`] });
  return out;
}

export function messageCases(): CaseSpec[] {
  return [...limitCases(), ...versionCases(), ...methodCases()];
}
