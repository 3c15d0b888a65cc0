/**
 * The normalisation and near-miss rules as properties over random paths (fixed seed), in process: paths
 * are built from the pieces attackers combine (`..`, `%2e`, `;`, `%25`, `%2f`, `\`, trailing dots and
 * spaces, `/private`, `/public`). For every path:
 *   - normalisation is idempotent;
 *   - a path that HAProxy's `path_beg /private` would protect is routed to `/private`, refused, or
 *     normalised to a path no backend reading (path-interpretations.ts) places under `/private`;
 *   - whatever is routed elsewhere is read under `/private` by none of those backends (and, for a route
 *     `/private/`, as `/private` or under `/private/`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePath, Router } from '../../../src/gateway/route/index.js';
import { prng } from '../../support/prng.js';
import { INTERPRETATIONS, underPrivate } from './path-interpretations.js';

const PIECES = [
  '/', '/', '/', 'private', 'private', 'public', 'x', '.', '..', '%2e', '%2E', '%2e%2e', ';', ';x', '%3b', '%20', '%2f', '%5c', '\\',
  '%25', '%252e', '%2570', 'p', '%70', 'rivate', '.json', '%00', '%c0%ae', '~', '%7e', '-', '//',
];
const ROUNDS = 100_000;

const router = new Router(
  [
    { path_prefix: '/private', guard: 'auth jwt', target: 'private' },
    { path_prefix: '/public', target: 'public' },
  ],
  'open',
);

/** The same with a trailing-slash prefix: `/private/` protects `/private/…` and, as near misses, `/private` and `/private;x`. */
const directoryRouter = new Router([{ path_prefix: '/private/', guard: 'auth jwt', target: 'private' }], 'open');

test(`${ROUNDS} random paths: idempotent, and nothing HAProxy would protect falls open`, () => {
  const random = prng(15_007);
  const outcomes = { refused: 0, private: 0, public: 0, open: 0, nearMiss: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    let path = '/';
    const count = 1 + Math.floor(random() * 7);
    for (let i = 0; i < count; i++) path += PIECES[Math.floor(random() * PIECES.length)];
    const normal = normalizePath(path);
    if (normal === undefined) {
      outcomes.refused++;
      continue;
    }
    assert.equal(normalizePath(normal), normal, `${path}: normalising ${normal} again changes it`);
    const route = router.match('', normal, 'GET');
    if (route === undefined) {
      outcomes.nearMiss++;
      continue;
    }
    const directory = directoryRouter.match('', normal, 'GET');
    if (directory === 'open') {
      for (const [name, read] of INTERPRETATIONS) {
        const reading = read(normal);
        assert.ok(!underPrivate(reading, '/private/') && reading !== '/private', `${path}: ${normal} is open under a /private/ route, a ${name} backend reads ${reading}`);
      }
    }
    outcomes[route as 'private' | 'public' | 'open']++;
    if (route === 'private') continue;
    for (const [name, read] of INTERPRETATIONS) {
      assert.ok(!underPrivate(read(normal)), `${path}: normalised to ${normal}, routed to ${route}, a ${name} backend reads ${read(normal)}`);
    }
    if (underPrivate(path)) assert.ok(!normal.startsWith('/private'), `${path}: path_beg /private, but ${normal} went to ${route}`);
  }
  assert.ok(outcomes.private > 1_000 && outcomes.refused > 1_000 && outcomes.nearMiss > 100 && outcomes.open > 1_000, JSON.stringify(outcomes));
});
