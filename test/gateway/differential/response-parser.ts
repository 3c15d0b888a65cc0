/**
 * Splits the bytes a client received into responses: status, headers, body (Content-Length, chunked with
 * trailers, or up to the close), interim 1xx answers, and the tunnel bytes after a 101. Lenient where the
 * suite only needs to read (a proxy's answer is judged by the invariants, not by this parser); an
 * unreadable rest is reported, not thrown.
 */

export interface ParsedResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
  readonly trailers: ReadonlyArray<readonly [string, string]>;
}

export interface ResponseStream {
  readonly responses: ParsedResponse[];
  /** Final statuses in order (1xx other than 101 left out). */
  readonly statuses: number[];
  /** Bytes after a 101 head. */
  readonly tunnel: string;
  /** Bytes that were not a (complete) response. */
  readonly rest: string;
}

function headerLines(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) out.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return out;
}

/**
 * `headRequest(i)` says whether the i-th final response answers a HEAD request (no body), `closed` whether
 * the connection ended (a close-delimited body is then complete).
 */
export function parseResponses(text: string, headRequest: (index: number) => boolean, closed: boolean): ResponseStream {
  const responses: ParsedResponse[] = [];
  const statuses: number[] = [];
  let at = 0;
  let tunnel = '';
  for (;;) {
    if (at >= text.length) break;
    const m = /^HTTP\/\d\.\d (\d{3})[^\r\n]*\r?\n/.exec(text.slice(at, at + 200));
    if (m === null) break;
    const headEnd = text.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const status = Number(m[1]);
    const headers = headerLines(text.slice(at + m[0].length, headEnd));
    const get = (name: string) => headers.find(([n]) => n === name)?.[1];
    let bodyStart = headEnd + 4;
    if (status === 101) {
      responses.push({ status, headers, body: '', trailers: [] });
      statuses.push(status);
      tunnel = text.slice(bodyStart);
      at = text.length;
      break;
    }
    if (status < 200) {
      responses.push({ status, headers, body: '', trailers: [] });
      at = bodyStart;
      continue;
    }
    let body = '';
    let trailers: Array<[string, string]> = [];
    const noBody = headRequest(statuses.length) || status === 204 || status === 304;
    if (noBody) {
      at = bodyStart;
    } else if (/chunked/i.test(get('transfer-encoding') ?? '')) {
      let p = bodyStart;
      let complete = false;
      for (;;) {
        const eol = text.indexOf('\r\n', p);
        if (eol < 0) break;
        const size = Number.parseInt(text.slice(p, eol), 16);
        if (!Number.isFinite(size)) break;
        p = eol + 2;
        if (size === 0) {
          const end = text.indexOf('\r\n\r\n', p - 2);
          if (end < 0) break;
          trailers = headerLines(text.slice(p, end));
          p = end + 4;
          complete = true;
          break;
        }
        body += text.slice(p, p + size);
        p += size + 2;
      }
      if (!complete) break;
      at = p;
    } else if (get('content-length') !== undefined) {
      const length = Number(get('content-length'));
      if (!Number.isFinite(length) || text.length < bodyStart + length) break;
      body = text.slice(bodyStart, bodyStart + length);
      at = bodyStart + length;
    } else {
      if (!closed) break;
      body = text.slice(bodyStart);
      at = text.length;
    }
    responses.push({ status, headers, body, trailers });
    statuses.push(status);
    bodyStart = at;
  }
  return { responses, statuses, tunnel, rest: text.slice(at) };
}
