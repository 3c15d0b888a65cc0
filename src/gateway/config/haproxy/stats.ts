/**
 * A frontend that only serves HAProxy's stats page (`bind`, `stats enable`, `stats uri`, `stats refresh`,
 * as in HAProxy's quickstart) becomes Gatehouse's admin listener (`admin.bind`: the stats page at `/` and
 * `/stats`, `/metrics`, `/healthz`). Stats lines in a frontend that also proxies stay errors.
 */
import type { Section } from './sections.js';
import type { Diagnostics } from './diagnostics.js';

const ALLOWED = /^(bind \S+|stats enable|stats uri \S+|stats refresh \S+|stats hide-version|mode http|log global|option httplog|option forwardfor|option http-keep-alive|timeout (client|http-request) \S+)$/;

/** The admin bind address when `section` is a stats-only frontend; undefined otherwise. */
export function statsFrontend(section: Section, diag: Diagnostics): string | undefined {
  if (section.kind !== 'frontend') return undefined;
  const lines = section.statements.map((st) => st.words.join(' '));
  if (!lines.some((l) => l.startsWith('stats ')) || !lines.every((l) => ALLOWED.test(l))) return undefined;
  const binds = section.statements.filter((st) => st.words[0] === 'bind');
  if (binds.length !== 1) return undefined;
  for (const st of section.statements) {
    const [, what, value] = st.words;
    if (st.words[0] !== 'stats') continue;
    if (what === 'uri' && value !== '/' && value !== '/stats') diag.warn(st, `the stats page is at / and /stats on the admin listener, not ${value ?? ''}`);
    if (what === 'refresh') diag.warn(st, 'the stats page refreshes every 5 s');
    diag.from(['admin'], st);
  }
  const address = binds[0]!.words[1] as string;
  const star = /^(\*|0\.0\.0\.0)?:(\d+)$/.exec(address);
  diag.from(['admin', 'bind'], binds[0]!);
  diag.warn(section.header, `frontend ${section.name} only serves the stats page: it becomes the admin listener (stats page, /metrics, /healthz and the admin API's read-only GETs; bind it to a private address)`);
  return star !== null ? `0.0.0.0:${star[2]}` : address;
}
