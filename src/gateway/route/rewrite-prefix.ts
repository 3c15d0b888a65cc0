/**
 * A route's `rewrite_prefix` (HAProxy's `http-request replace-path`, Kong's `strip_path`): the part of the
 * normalised path its `path_prefix` matched is replaced before the request goes upstream, the rest and the
 * query are kept. `rewrite_prefix: /` strips the prefix. Prefix matching is segment-aware (router.ts), so
 * what follows the prefix is empty, or starts with `/`, `;` or `?` (or anything, for a prefix ending in `/`).
 */
/** The path a route sends upstream: rewritten when the route has `rewrite_prefix`, else as it came. */
export function routedPath(rewrite: { readonly from: string; readonly to: string } | undefined, upstreamPath: string): string {
  return rewrite === undefined ? upstreamPath : rewritePrefix(upstreamPath, rewrite.from, rewrite.to);
}

export function rewritePrefix(upstreamPath: string, prefix: string, replacement: string): string {
  const rest = upstreamPath.slice(prefix.length);
  let head = replacement;
  if (prefix.endsWith('/')) {
    if (!head.endsWith('/')) head += '/';
  } else if (head.endsWith('/') && (rest.startsWith('/') || rest.startsWith(';'))) {
    head = head.slice(0, -1);
  }
  const path = head + rest;
  return path.startsWith('/') ? path : `/${path}`;
}
