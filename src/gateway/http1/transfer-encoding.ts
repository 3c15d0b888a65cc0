/**
 * The Transfer-Encoding a request may carry (RFC 9112 §6.1). The gateway de-chunks a request body and
 * frames it again upstream, so a coding other than `chunked` would be lost on the way: a request is
 * accepted only with no Transfer-Encoding, or with exactly one field whose value is exactly one `chunked`
 * coding (any case, optional whitespace). Anything else is refused before a byte of its body is read:
 * 501 for a coding the gateway does not implement (as nginx), 400 for a malformed list (an empty value or
 * element, `chunked` twice), a repeated field, or Transfer-Encoding on HTTP/1.0 (faulty framing, §6.1).
 * Allocation-free: it runs on every request head.
 */

/** No refusal. */
export const TE_OK = 0;
export type TransferEncodingStatus = typeof TE_OK | 400 | 501;

const CHUNKED = 'chunked';

/** `rawHeaders` is the flat [name, value, …] list of one head; `minor` its HTTP/1.x minor version. */
export function transferEncodingStatus(rawHeaders: readonly string[], minor: number): TransferEncodingStatus {
  let value: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length !== 17 || name.toLowerCase() !== 'transfer-encoding') continue;
    if (value !== undefined) return 400; // repeated, whatever the values
    value = rawHeaders[i + 1] as string;
  }
  if (value === undefined) return TE_OK;
  return minor === 0 ? 400 : codingsStatus(value);
}

/** One field value: exactly one `chunked` element. */
function codingsStatus(value: string): TransferEncodingStatus {
  let elements = 0;
  let unknown = false;
  let start = 0;
  for (;;) {
    let end = value.indexOf(',', start);
    if (end === -1) end = value.length;
    let from = start;
    let to = end;
    while (from < to && isOws(value.charCodeAt(from))) from++;
    while (to > from && isOws(value.charCodeAt(to - 1))) to--;
    if (from === to) return 400; // an empty value, or an empty list element
    elements++;
    if (!isChunked(value, from, to)) unknown = true;
    if (end === value.length) break;
    start = end + 1;
  }
  if (unknown) return 501;
  return elements === 1 ? TE_OK : 400;
}

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function isChunked(value: string, from: number, to: number): boolean {
  if (to - from !== CHUNKED.length) return false;
  for (let i = 0; i < CHUNKED.length; i++) {
    // ASCII letters only: | 0x20 lowers them (and maps nothing else onto a lower-case letter of "chunked")
    if ((value.charCodeAt(from + i) | 0x20) !== CHUNKED.charCodeAt(i)) return false;
  }
  return true;
}
