/**
 * A backend's `http-request deny|return|redirect [if …]` runs after routing, on the requests routed to it.
 * As routes: before each route to that backend, one answering route per rule with the route's own
 * host/path_prefix/methods/match and the rule's condition added to `match`; for a frontend whose
 * default_backend it is, the same rules as routes after all of the frontend's routes (only requests no
 * other route took reach them). convert's comments follow the moved routes.
 */
import type { BackendAnswer } from './backend.js';
import { Diagnostics } from './diagnostics.js';

type Loose = Record<string, unknown>;
type Route = Loose & { backend?: string; match?: Loose[] };

function answerRoute(base: Route | undefined, answer: BackendAnswer): Route {
  const route: Route = {};
  for (const key of ['host', 'path_prefix', 'methods'] as const) if (base !== undefined && base[key] !== undefined) route[key] = base[key];
  const match = [...(base?.match ?? []), ...answer.match];
  if (match.length > 0) route.match = match;
  return { ...route, ...answer.block };
}

export function applyBackendAnswers(backend: string, answers: readonly BackendAnswer[], frontends: Loose, diag: Diagnostics): void {
  if (answers.length === 0) return;
  for (const [name, value] of Object.entries(frontends)) {
    const frontend = value as { default_backend?: string; routes?: Route[] };
    const old = frontend.routes ?? [];
    const routes: Route[] = [];
    const moved = new Map<number, number>();
    const added: Array<{ at: number; answer: BackendAnswer }> = [];
    old.forEach((route, i) => {
      if (route.backend === backend) for (const answer of answers) {
        added.push({ at: routes.length, answer });
        routes.push(answerRoute(route, answer));
      }
      moved.set(i, routes.length);
      routes.push(route);
    });
    if (frontend.default_backend === backend) for (const answer of answers) {
      added.push({ at: routes.length, answer });
      routes.push(answerRoute(undefined, answer));
    }
    if (added.length === 0) continue;
    frontend.routes = routes;
    // the routes' source lines for convert: old indexes move, the new routes come from the backend's lines
    const sources = diag.sources as Array<{ path: readonly (string | number)[]; where: string }>;
    for (const entry of sources) {
      const [a, b, c, i] = entry.path;
      if (a === 'frontends' && b === name && c === 'routes' && typeof i === 'number') entry.path = ['frontends', name, 'routes', moved.get(i) ?? i, ...entry.path.slice(4)];
    }
    for (const { at, answer } of added) diag.from(['frontends', name, 'routes', at], answer.st);
  }
}
