/**
 * Tricky request paths around a protected `/private` prefix, generated systematically: every suffix
 * encoding right after the prefix (with and without a following segment), every way of spelling a
 * parent segment between `/public` and `/private`, the same inside `/private`, and encoded letters of the
 * prefix itself. Used by path-differential.test.ts.
 */

/** What may follow `/private` directly: separators, parameters, trailing dot/space, encoded slashes, double encodings. */
export const SUFFIXES = [
  '', '/', '.', '%2e', '%2E', '..', '...', '%2e%2e', '.json', '.%20', '%20', '%20.', '%09', '%00', '%0a', '%0d%0a', '%7f',
  ';', ';x', ';jsessionid=1', '%3b', '%3bx', '%3B', '%2f', '%2F', '%5c', '%5C', '\\', 'x', '-old', '_x', '~', '%7e',
  '%252e', '%252f', '%253b', '%255c', '%2525', '%25u002e', '%u002e', '%c0%ae', '%c0%af', '%ef%bc%8f', '::$DATA', '%3a%3a$DATA',
  '%23', '%3f', '?', '?x=1', '#x', '%', '%2', '%zz', '//', '/.', '/%2e', '/..', '/%2e%2e', '/..;', '/.;', '/;', '/;x',
];

/** Ways to write a parent segment (or something a backend may read as one). */
export const PARENTS = [
  '..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '..;', '..;x', '.;', '%2e%2e;', '..%3b', '..%3B', '%2e%2e%3b', '%252e%252e',
  '%25252e%25252e', '.%252e', '..%00', '..%20', '..%09', '%c0%ae%c0%ae', '..\\', '..%5c', '...', '....', '%u002e%u002e', '..%23',
];

/** Ways to spell the prefix itself. */
export const PREFIX_SPELLINGS = [
  '/%70rivate', '/priv%61te', '/%70%72%69%76%61%74%65', '/PRIVATE', '/Private', '/%2570rivate', '/privat%65', '//private', '/./private', '/%2e/private', '/;/private', '/;x/private',
];

export function pathCorpus(): string[] {
  const paths = new Set<string>();
  for (const suffix of SUFFIXES) {
    paths.add(`/private${suffix}`);
    paths.add(`/private${suffix}/data`);
  }
  for (const parent of PARENTS) {
    paths.add(`/public/${parent}/private`);
    paths.add(`/public/${parent}/private/data`);
    paths.add(`/public/x/${parent}/${parent}/private`);
    paths.add(`/public/${parent}%2fprivate`);
    paths.add(`/private/${parent}/public`);
    paths.add(`/private/x/${parent}`);
  }
  for (const spelling of PREFIX_SPELLINGS) {
    paths.add(spelling);
    paths.add(`${spelling}/data`);
  }
  return [...paths];
}
