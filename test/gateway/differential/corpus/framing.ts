/**
 * Framing cases, generated as matrices: Transfer-Encoding spellings × (TE alone, CL then TE, TE then CL),
 * odd Content-Length values, chunk-size lines, line endings and obs-fold. Each carries a request-shaped
 * text in its body (for /private, which needs a token) and a later request on the same connection, so a
 * proxy that frames the body differently from the strict reading forwards the hidden request or glues it
 * to the next one.
 */
import { chunk, get, H, smuggled, type CaseSpec, type Markers } from './case.js';

const TE_VALUES: Record<string, string> = {
  plain: 'chunked',
  upper: 'CHUNKED',
  mixed: 'cHuNkEd',
  'trailing-space': 'chunked ',
  'leading-tab': '\tchunked',
  'trailing-tab': 'chunked\t',
  'vertical-tab': 'chunked\x0b',
  'form-feed-lead': '\x0cchunked',
  prefixed: 'xchunked',
  truncated: 'chunk',
  quoted: '"chunked"',
  'with-param': 'chunked;q=1',
  'identity-last': 'chunked, identity',
  'identity-first': 'identity, chunked',
  'gzip-first': 'gzip, chunked',
  doubled: 'chunked, chunked',
  'comma-lead': ', chunked',
  identity: 'identity',
  empty: '',
  'non-ascii': 'chunked\xff',
};

const TE_NAMES: Record<string, string> = {
  'name-space-before-colon': 'Transfer-Encoding : chunked',
  'name-underscore': 'Transfer_Encoding: chunked',
  'name-lower': 'transfer-encoding: chunked',
  'name-tab-before-colon': 'Transfer-Encoding\t: chunked',
  'two-headers': 'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity',
  'two-headers-chunked-last': 'Transfer-Encoding: identity\r\nTransfer-Encoding: chunked',
  'folded-value': 'Transfer-Encoding:\r\n chunked',
  'folded-onto-other': 'X-Pad: a\r\n Transfer-Encoding: chunked',
};

/** The TE line(s) of a case. */
function teLines(): Array<[string, string]> {
  return [
    ...Object.entries(TE_VALUES).map(([name, value]): [string, string] => [name, `Transfer-Encoding: ${value}`]),
    ...Object.entries(TE_NAMES),
  ];
}

/** Body that hides a request after a last chunk; `CL` covers all of it. */
function hidden(m: Markers): string {
  return `0\r\n\r\n${smuggled(m, 1)}`;
}

function teCases(): CaseSpec[] {
  const out: CaseSpec[] = [];
  for (const [name, line] of teLines()) {
    out.push({
      name: `framing/te-only/${name}`,
      send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}${line}\r\n\r\n${chunk(`hello ${m.o}`)}`, 30, get(m, 2)],
    });
    out.push({
      name: `framing/cl-te/${name}`,
      send: (m) => {
        const body = hidden(m);
        return [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\n${line}\r\n\r\n${body}`, 30, get(m, 2)];
      },
    });
    out.push({
      name: `framing/te-cl/${name}`,
      send: (m) => {
        const inner = `${smuggled(m, 1)}`;
        const body = `${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`;
        return [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}${line}\r\nContent-Length: 4\r\n\r\n${body}`, 30, get(m, 2)];
      },
    });
  }
  return out;
}

const CL_VALUES: Record<string, string> = {
  'list-same': '11, 11',
  'list-same-nospace': '11,11',
  'list-different': '11, 5',
  plus: '+11',
  minus: '-11',
  'leading-zero': '011',
  hex: '0xb',
  'trailing-space': '11 ',
  'trailing-tab': '11\t',
  empty: '',
  letters: '11a',
  exponent: '1.1e1',
  decimal: '11.0',
  huge: '99999999999999999999',
  'space-inside': '1 1',
  'non-ascii-digit': '1\xb9',
};

function clCases(): CaseSpec[] {
  const out: CaseSpec[] = Object.entries(CL_VALUES).map(([name, value]): CaseSpec => ({
    name: `framing/cl/${name}`,
    send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}Content-Length: ${value}\r\n\r\nhello world${smuggled(m, 1)}`, 30, get(m, 2)],
  }));
  const dup = (name: string, lines: string): CaseSpec => ({
    name: `framing/cl/${name}`,
    send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}${lines}\r\n\r\nhello world${smuggled(m, 1)}`, 30, get(m, 2)],
  });
  out.push(
    dup('two-same', 'Content-Length: 11\r\nContent-Length: 11'),
    dup('two-different', 'Content-Length: 11\r\nContent-Length: 12'),
    dup('two-different-reversed', 'Content-Length: 60\r\nContent-Length: 11'),
    dup('name-space-before-colon', 'Content-Length : 11'),
    dup('name-underscore', 'Content_Length: 11'),
    dup('folded', 'Content-Length:\r\n 11'),
  );
  out.push({
    name: 'framing/cl/get-with-body',
    send: (m) => [`GET /c/${m.r(0)} HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\nhello world`, 30, get(m, 2)],
  });
  out.push({
    name: 'framing/cl/zero-then-bytes',
    send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n${get(m, 1)}`],
  });
  out.push({
    name: 'framing/cl/http10-body',
    send: (m) => [`POST /c/${m.r(0)} HTTP/1.0\r\n${H}Content-Length: 11\r\n\r\nhello world`],
  });
  out.push({
    name: 'framing/cl/http10-te',
    send: (m) => [`POST /c/${m.r(0)} HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n${hidden(m)}`],
  });
  return out;
}

const CHUNK_LINES: Record<string, string> = {
  extension: '5;ext=1',
  'extension-quoted': '5;ext="a b"',
  'extension-bws': '5 ;ext',
  'extension-tab': '5\t;ext',
  'extension-empty': '5;',
  'hex-prefix': '0x5',
  negative: '-5',
  'bad-digit': '5g',
  plus: '+5',
  'leading-space': ' 5',
  'leading-zeros': '00005',
  overflow: 'ffffffffffffffffff5',
  'sixteen-digits': '0000000000000005',
  'bare-lf': '5\n',
  valid: '5',
};

function chunkCases(): CaseSpec[] {
  const out: CaseSpec[] = Object.entries(CHUNK_LINES).map(([name, line]): CaseSpec => ({
    name: `framing/chunk/${name}`,
    send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${line.endsWith('\n') ? line : `${line}\r\n`}hello\r\n0\r\n\r\n${get(m, 1)}`],
  }));
  const raw = (name: string, body: (m: Markers) => string): CaseSpec => ({
    name: `framing/chunk/${name}`,
    send: (m) => [`POST /c/${m.r(0)} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n${body(m)}`, 30, get(m, 2)],
  });
  out.push(
    raw('data-without-crlf', () => '5\r\nhello0\r\n\r\n'),
    raw('data-longer-than-size', (m) => `3\r\nhello\r\n0\r\n\r\n${smuggled(m, 1)}`),
    raw('data-shorter-than-size', (m) => `9\r\nhello\r\n0\r\n\r\n${smuggled(m, 1)}`),
    raw('last-chunk-extension', () => '5\r\nhello\r\n0;x=y\r\n\r\n'),
    raw('last-chunk-bare-lf', () => '5\r\nhello\r\n0\n\n'),
    raw('crlf-after-data-bare-lf', () => '5\r\nhello\n0\r\n\r\n'),
    raw('many-small-chunks', () => `${'1\r\nx\r\n'.repeat(200)}0\r\n\r\n`),
    raw('empty-size', () => '\r\nhello\r\n0\r\n\r\n'),
    raw('nul-in-size', () => '5\x00\r\nhello\r\n0\r\n\r\n'),
  );
  return out;
}

/** Line endings, whitespace and obs-fold in the head. */
function lineCases(): CaseSpec[] {
  const c = (name: string, head: (m: Markers) => string): CaseSpec => ({ name: `framing/lines/${name}`, send: (m) => [head(m), 30, get(m, 2)] });
  return [
    c('bare-lf-request-line', (m) => `GET /c/${m.r(0)} HTTP/1.1\n${H}\r\n`),
    c('bare-lf-header', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\nHost: gw.test\nX-A: 1\r\n\r\n`),
    c('bare-lf-everywhere', (m) => `GET /c/${m.r(0)} HTTP/1.1\nHost: gw.test\nX-A: 1\n\n`),
    c('bare-cr-header-end', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\nHost: gw.test\rX-A: 1\r\n\r\n`),
    c('bare-cr-in-value', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n`),
    c('nul-in-value', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X-A: a\x00b\r\n\r\n`),
    c('del-in-value', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X-A: a\x7fb\r\n\r\n`),
    c('obs-text-in-value', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X-A: caf\xe9\r\n\r\n`),
    c('two-spaces-request-line', (m) => `GET  /c/${m.r(0)} HTTP/1.1\r\n${H}\r\n`),
    c('tab-request-line', (m) => `GET\t/c/${m.r(0)} HTTP/1.1\r\n${H}\r\n`),
    c('space-after-version', (m) => `GET /c/${m.r(0)} HTTP/1.1 \r\n${H}\r\n`),
    c('leading-crlf', (m) => `\r\nGET /c/${m.r(0)} HTTP/1.1\r\n${H}\r\n`),
    c('leading-lf', (m) => `\nGET /c/${m.r(0)} HTTP/1.1\r\n${H}\r\n`),
    c('leading-space', (m) => ` GET /c/${m.r(0)} HTTP/1.1\r\n${H}\r\n`),
    c('space-in-target', (m) => `GET /c/${m.r(0)} x HTTP/1.1\r\n${H}\r\n`),
    c('nul-in-target', (m) => `GET /c/${m.r(0)}\x00 HTTP/1.1\r\n${H}\r\n`),
    c('fold-space', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X-A: a\r\n b\r\n\r\n`),
    c('fold-tab', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X-A: a\r\n\tb\r\n\r\n`),
    c('fold-first-line', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n Host: gw.test\r\n${H}\r\n`),
    c('fold-authorization', (m) => `GET /private/${m.r(0)} HTTP/1.1\r\n${H}Authorization: Bearer\r\n x.y.z\r\n\r\n`),
    c('space-before-colon', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X-A : 1\r\n\r\n`),
    c('empty-name', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}: x\r\n\r\n`),
    c('no-colon', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X-A\r\n\r\n`),
    c('non-token-name', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X(A): 1\r\n\r\n`),
    c('non-ascii-name', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}X-\xe9: 1\r\n\r\n`),
    c('header-terminated-by-lf-lf', (m) => `GET /c/${m.r(0)} HTTP/1.1\r\n${H}\n\n`),
  ];
}

export function framingCases(): CaseSpec[] {
  return [...teCases(), ...clCases(), ...chunkCases(), ...lineCases()];
}
