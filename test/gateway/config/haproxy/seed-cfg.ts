/**
 * The seed's haproxy.cfg: HAProxy's quickstart layout (global, defaults with mode http and timeouts, the
 * frontend with bind and default_backend, the backend with a server) and the seed's http-request lines
 * verbatim (../shared/seed/000_a421513d137fa643.txt), only the issuer, application id and pubkey path
 * filled in (seedRules from the differential test's fixtures).
 */
import { seedRules, SEED_AUDIENCE, SEED_ISSUER } from '../../auth/e2e/seed-setup.js';

export { SEED_AUDIENCE, SEED_ISSUER };

/** `bind` is the bind line's argument as written (e.g. `127.0.0.1:8080` or `"127.0.0.1:${PORT}"`). */
export function seedCfg(o: { bind: string; upstream: string; pubkeyPath: string }): string {
  return `global
  log stdout format raw local0 info

defaults
  mode http
  timeout client 10s
  timeout connect 5s
  timeout server 10s
  timeout http-request 10s
  log global

frontend myfrontend
  bind ${o.bind}
${seedRules(SEED_ISSUER, SEED_AUDIENCE, o.pubkeyPath)}
  default_backend webservers

backend webservers
  server s1 ${o.upstream}
`;
}
