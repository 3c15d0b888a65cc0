/**
 * deploy/grafana/gatehouse-dashboard.json cannot drift from the gateway's metrics: every metric its
 * queries (and template variables) name is in the /metrics output of a real running gateway, and every
 * label a query groups or filters by is on that metric's samples. The gateway is driven first so that
 * the labelled families have samples: proxied requests, a denial by the real JWT policy, a failed
 * connection and its retry, a 429, a dropped header, a TLS frontend, a reload and a reload whose
 * certificate cannot be read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';
import { AUDIENCE, ISSUER, rsaKey, token } from '../gateway/auth/support.js';
import { startInProcess } from '../gateway/support/in-process.js';
import { tempDir } from '../gateway/support/gateway-process.js';
import { issueCertificate } from '../../src/gateway/tls/local-ca.js';
import { closedPort, startUpstream } from '../gateway/support/upstream.js';
import { parseGatewayConfig } from '../../src/gateway/index.js';

const DASHBOARD = fileURLToPath(new URL('../../../deploy/grafana/gatehouse-dashboard.json', import.meta.url));

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets?: ReadonlyArray<{ readonly expr: string }>;
  readonly datasource?: { readonly uid: string };
}

interface Dashboard {
  readonly uid: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: ReadonlyArray<{ readonly name: string; readonly definition?: string }> };
}

/** Every PromQL expression of the dashboard, with where it is. */
function queries(dashboard: Dashboard): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  for (const panel of dashboard.panels) for (const target of panel.targets ?? []) out.push({ where: `panel "${panel.title}"`, expr: target.expr });
  for (const variable of dashboard.templating.list) if (variable.definition !== undefined) out.push({ where: `variable $${variable.name}`, expr: variable.definition });
  return out;
}

/** Label names an expression groups or filters by: `by (a, b)`, `{a="x", b=~"y"}`, `label_values(m, a)`. */
function labelsOf(expr: string): Set<string> {
  const labels = new Set<string>();
  for (const [, list] of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) for (const name of (list as string).split(',')) if (name.trim() !== '') labels.add(name.trim());
  for (const [, body] of expr.matchAll(/\{([^}]*)\}/g)) for (const [, name] of (body as string).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.add(name as string);
  for (const [, name] of expr.matchAll(/label_values\([^,]+,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)/g)) labels.add(name as string);
  return labels;
}

/** The families (`# TYPE`) and, per sample name, the label names of its samples. */
function exposition(text: string): { families: Map<string, string>; labels: Map<string, Set<string>> } {
  const families = new Map<string, string>();
  const labels = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type !== null) families.set(type[1] as string, type[2] as string);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (sample === null) continue;
    const names = labels.get(sample[1] as string) ?? new Set<string>();
    for (const [, name] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) names.add(name as string);
    labels.set(sample[1] as string, names);
  }
  return { families, labels };
}

function familyOf(metric: string, families: Map<string, string>): string | undefined {
  if (families.has(metric)) return metric;
  const base = metric.replace(/_(bucket|sum|count)$/, '');
  return families.get(base) === 'histogram' ? base : undefined;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('every metric and label the Grafana dashboard queries is in a running gateway\'s /metrics', async (t) => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  assert.equal(dashboard.uid, 'gatehouse-gateway');
  const ids = dashboard.panels.map((p) => (p as unknown as { id: number }).id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const panel of dashboard.panels) if (panel.type !== 'row') assert.equal(panel.datasource?.uid, '${datasource}', `panel "${panel.title}" uses the dashboard's data source variable`);

  const upstream = await startUpstream('app');
  // a TLS frontend, for the certificate metrics: a certificate of the gateway's own CA code (no openssl needed)
  const dir = tempDir('gatehouse-dashboard-');
  const ca = issueCertificate({ commonName: 'Dashboard test CA' });
  const leaf = issueCertificate({ commonName: 'localhost', names: ['localhost'], issuer: ca });
  const certFile = join(dir, 'site.pem');
  const keyFile = join(dir, 'site.key');
  writeFileSync(certFile, leaf.cert);
  writeFileSync(keyFile, leaf.key);
  const config = {
    admin: { bind: '127.0.0.1:0' },
    access_log: false,
    auth: { jwt: { issuer: ISSUER, audience: AUDIENCE, keys: { jwk: rsaKey().publicJwk } } },
    rate_limits: { once: { requests: 1, period: '1m' } },
    frontends: {
      web: {
        bind: '127.0.0.1:0',
        default_backend: 'app',
        routes: [
          { path_prefix: '/private', backend: 'app', auth: 'jwt' },
          { path_prefix: '/limited', backend: 'app', rate_limit: 'once' },
          { path_prefix: '/flaky', backend: 'flaky' },
        ],
      },
      secure: { bind: '127.0.0.1:0', default_backend: 'app', tls: { cert: certFile, key: keyFile } },
    },
    backends: {
      app: { servers: { s1: { address: upstream.address } } },
      // round robin over a closed port and a live server: a request that meets the closed one is retried on the other
      flaky: { servers: { closed: { address: `127.0.0.1:${await closedPort()}` }, live: { address: upstream.address } } },
    },
  };
  const gateway = await startInProcess(config);
  t.after(async () => {
    await gateway.close();
    await upstream.close();
  });
  const port = gateway.port;
  assert.equal(await get(port, '/'), 200);
  assert.equal(await get(port, '/private'), 401);
  assert.equal(await get(port, '/private', { authorization: `Bearer ${token()}` }), 401); // expired (the helpers' clock is 2026-11-28): a cache lookup too
  assert.equal(await get(port, '/limited'), 200);
  assert.equal(await get(port, '/limited'), 429);
  assert.equal(await get(port, '/flaky/1'), 200);
  assert.equal(await get(port, '/flaky/2'), 200);
  assert.equal(await get(port, '/', { x_forged: '1' }), 200);
  await gateway.gateway.reload(parseGatewayConfig(config, process.cwd()));
  writeFileSync(keyFile, 'not a key'); // the next reload cannot read it: the old certificate keeps serving, counted
  await gateway.gateway.reload(parseGatewayConfig(config, process.cwd()));

  const admin = gateway.gateway.admin as { port: number };
  const text = await new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port: admin.port, path: '/metrics', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject).end();
  });
  const { families, labels } = exposition(text);

  const checked = new Set<string>();
  for (const { where, expr } of queries(dashboard)) {
    const metrics = [...expr.matchAll(/\bgatehouse_[a-z0-9_]+/g)].map((m) => m[0]);
    assert.ok(metrics.length > 0, `${where} queries a gatehouse metric: ${expr}`);
    const wanted = labelsOf(expr);
    for (const metric of metrics) {
      const family = familyOf(metric, families);
      assert.ok(family !== undefined, `${where}: ${metric} is not in /metrics`);
      const sampled = labels.get(metric);
      if (sampled === undefined) continue; // a family without samples here (no remote key set, no Redis)
      checked.add(family);
      for (const label of wanted) {
        if (label === 'le' && !metric.endsWith('_bucket')) continue;
        assert.ok(sampled.has(label), `${where}: ${metric} has no label "${label}" (its labels: ${[...sampled].join(', ')})`);
      }
    }
  }
  // the label check above ran against real samples for the families this gateway was driven through
  for (const family of [
    'gatehouse_http_requests_total',
    'gatehouse_http_request_duration_seconds',
    'gatehouse_open_connections',
    'gatehouse_server_up',
    'gatehouse_server_requests_in_flight',
    'gatehouse_upstream_errors_total',
    'gatehouse_retries_total',
    'gatehouse_request_headers_dropped_total',
    'gatehouse_auth_denied_total',
    'gatehouse_auth_decisions_total',
    'gatehouse_auth_cache_lookups_total',
    'gatehouse_rate_limited_total',
    'gatehouse_config_reloads_total',
    'gatehouse_tls_certificate_expiry_timestamp_seconds',
    'gatehouse_tls_certificate_reload_errors_total',
  ]) {
    assert.ok(checked.has(family), `${family}: the dashboard queries it and /metrics had samples to check its labels against`);
  }
});
