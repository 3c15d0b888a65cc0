/**
 * The answer part of `http-request deny|return` (`status`/`deny_status`, `content-type`, `string`, `hdr`),
 * ../shared/reference/haproxy-cfg.md §9. Returns a route `return` block, or a reason it cannot be one.
 */

/** HAProxy 2.6's built-in deny page (what `deny` without a payload answers). */
export const HAPROXY_403_BODY = '<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n';

export interface Answer {
  status: number;
  content_type: string;
  body: string;
  headers: Record<string, string>;
}

export function parseAnswer(words: readonly string[], deny: boolean): Answer | string {
  let status = deny ? 403 : 200;
  let contentType: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const next = words[i + 1];
    if (next === undefined && w !== '') return `"${w}" needs a value`;
    if (w === 'status' || (deny && w === 'deny_status')) {
      if (!/^[1-5]\d\d$/.test(next as string)) return `"${w} ${next}": expected a status code`;
      status = Number(next);
    } else if (w === 'content-type') contentType = next;
    else if (w === 'string') body = next;
    else if (w === 'hdr') {
      const value = words[i + 2];
      if (value === undefined) return 'hdr needs a name and a value';
      if (value.includes('%[')) return `hdr ${next}: log-format values (%[...]) are not supported`;
      headers[next as string] = value;
      i++;
    } else return `"${w}" (lf-string, file, errorfile, errorfiles...) is not supported`;
    i++;
  }
  if (body !== undefined && contentType === undefined) return 'string needs content-type (as in HAProxy)';
  if (body === undefined && deny && status === 403 && contentType === undefined) {
    return { status, content_type: 'text/html', body: HAPROXY_403_BODY, headers: { 'Cache-Control': 'no-cache' } };
  }
  if (body === undefined && deny) return `deny_status ${status} without a string: HAProxy's built-in page for that status is not reproduced; give content-type and string`;
  return { status, content_type: contentType ?? 'text/plain', body: body ?? '', headers };
}

/**
 * `deny|return|redirect …` (the words after `http-request`, or `redirect …`) as a route's answer block
 * (`{ return }` or `{ redirect }`), or a reason and the nearest key when it cannot be one.
 */
export function answerBlock(head: readonly string[]): Record<string, unknown> | { problem: string; nearest: string } {
  const [action, ...rest] = head;
  if (action === 'redirect') {
    const [kind, target, ...opts] = rest;
    let code = 302;
    for (let i = 0; i < opts.length; i += 2) {
      if (opts[i] === 'code' && /^30[12378]$/.test(opts[i + 1] ?? '')) code = Number(opts[i + 1]);
      else return { problem: `redirect option "${opts[i] ?? ''}"`, nearest: 'routes[].redirect (location or prefix, code)' };
    }
    if ((kind !== 'location' && kind !== 'prefix') || target === undefined || target.includes('%[')) {
      return { problem: `redirect ${kind ?? ''}`, nearest: kind === 'scheme' ? 'frontends.<name>.redirect_https' : 'routes[].redirect' };
    }
    return { redirect: { [kind]: target, code } };
  }
  const answer = parseAnswer(rest, action === 'deny');
  if (typeof answer === 'string') return { problem: answer, nearest: 'routes[].return { status, content_type, body, headers }' };
  return { return: answer };
}
