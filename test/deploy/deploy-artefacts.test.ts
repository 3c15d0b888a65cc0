/**
 * The deploy artefacts (Dockerfile, compose.yaml, deploy/kubernetes, deploy/systemd), checked as far as a
 * machine without a container engine or a cluster allows: the Kubernetes manifests against the Kubernetes
 * JSON schemas (kubernetes-models), the gateway configs and kickstarts they carry with Gatehouse's own
 * loaders, the image's entrypoint and healthcheck run outside a container, the systemd units with
 * systemd-analyze verify, and the Dockerfile's shape (multi-stage, non-root, healthcheck, npm ci --omit=dev).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parseGatewayConfig } from '../../src/gateway/index.js';
import { loadKickstart } from '../../src/idp/index.js';
import { findExecutable } from '../support/services.js';
import { freePorts } from '../e2e/support.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> };
const manifests: Manifest[] = readdirSync(join(ROOT, 'deploy/kubernetes'))
  .filter((n) => n.endsWith('.yaml'))
  .flatMap((n) => parseAllDocuments(read(`deploy/kubernetes/${n}`)).map((d) => d.toJS() as Manifest));
const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name) as Manifest;

function skipOrFail(t: { skip(message: string): void }, what: string): void {
  const message = `SKIPPED: ${what}`;
  if (process.env.CI === 'true') assert.fail(`${message} (required when CI=true)`);
  console.error(`\n!!! ${message}\n`);
  t.skip(message);
}

test('every Kubernetes manifest validates against the Kubernetes JSON schema of its kind', async (t) => {
  assert.ok(manifests.length >= 8, `${manifests.length} manifests`);
  const available = await import('kubernetes-models/apps/v1/Deployment' as string).then(() => true, () => false);
  if (!available) return skipOrFail(t, 'the kubernetes-models package (Kubernetes JSON schemas) is not installed: npm i -D kubernetes-models');
  for (const manifest of manifests) {
    const module = (await import(`kubernetes-models/${manifest.apiVersion}/${manifest.kind}` as string)) as Record<string, new (m: unknown) => { validate(): void }>;
    const Model = module[manifest.kind] as new (m: unknown) => { validate(): void };
    assert.doesNotThrow(() => new Model(manifest).validate(), `${manifest.kind} ${manifest.metadata.name}`);
  }
  // and it would catch a mistake
  const { Deployment } = (await import('kubernetes-models/apps/v1/Deployment' as string)) as { Deployment: new (m: unknown) => { validate(): void } };
  const broken = structuredClone(find('Deployment', 'gatehouse-gateway'));
  broken.spec.template.spec.containers[0].ports[0].containerPort = '8080x';
  assert.throws(() => new Deployment(broken).validate());
});

test('Kubernetes: the gateway is ready on /healthz of its admin listener, scaled by an HPA, non-root, with a valid config', () => {
  const config = parseYaml(find('ConfigMap', 'gatehouse-gateway').data?.['gatehouse.yaml'] as string);
  parseGatewayConfig(config, '/etc/gatehouse');
  assert.match(config.admin.bind, /:8404$/);
  const deployment = find('Deployment', 'gatehouse-gateway');
  const container = deployment.spec.template.spec.containers[0];
  assert.deepEqual(container.readinessProbe.httpGet, { path: '/healthz', port: 'admin' });
  assert.equal(container.ports.find((p: { name: string }) => p.name === 'admin').containerPort, 8404);
  assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);
  const hpa = find('HorizontalPodAutoscaler', 'gatehouse-gateway');
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gatehouse-gateway' });
  // the IdP's kickstart issues what the gateway checks
  const kickstart = JSON.parse(find('ConfigMap', 'gatehouse-idp').data?.['kickstart.json'] as string);
  loadKickstart(kickstart);
  assert.equal(config.auth.seed.issuer, kickstart.variables.issuer);
  assert.equal(config.auth.seed.audience, kickstart.variables.applicationId);
  const secret = find('Secret', 'gatehouse-idp') as Manifest & { stringData: Record<string, string> };
  assert.match(secret.stringData['database-url'] as string, /^postgres:\/\//);
});

test('compose.yaml: the seed on PostgreSQL with Redis; its gateway config and kickstart load and agree', () => {
  const compose = parseYaml(read('compose.yaml'));
  assert.deepEqual(Object.keys(compose.services).sort(), ['echo', 'gateway', 'idp', 'postgres', 'redis']);
  assert.match(compose.services.idp.environment.GATEHOUSE_DATABASE, /^postgres:\/\/.*@postgres:5432\//);
  const config = parseYaml(read('deploy/compose/gatehouse.yaml'));
  parseGatewayConfig(config, join(ROOT, 'deploy/compose'));
  assert.equal(config.redis.address, 'redis:6379');
  const kickstart = loadKickstart(join(ROOT, 'deploy/compose/kickstart.json')).file as unknown as { variables: Record<string, string> };
  assert.equal(config.auth.seed.issuer, kickstart.variables.issuer);
  assert.equal(config.auth.seed.audience, kickstart.variables.applicationId);
  for (const env of ['GATEHOUSE_LOGIN_API_KEY', 'GATEHOUSE_ADMIN_API_KEY', 'GATEHOUSE_DEMO_PASSWORD']) {
    assert.ok(compose.services.idp.environment[env] !== undefined, `the kickstart's ${env} is set in compose`);
  }
});

test('Dockerfile: multi-stage, production dependencies only, non-root, a healthcheck, the entrypoint in exec form', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  assert.ok(stages.length >= 2, 'multi-stage');
  const final = stages.at(-1) as string;
  assert.match(dockerfile, /npm ci --omit=dev/);
  const user = /^USER (\S+)/m.exec(final)?.[1];
  assert.ok(user !== undefined && user !== 'root' && user !== '0', `the final stage runs as ${user}`);
  assert.match(final, /^HEALTHCHECK .*CMD \["node", "\/app\/deploy\/docker\/healthcheck\.mjs"\]/m);
  assert.match(final, /^ENTRYPOINT \["\/app\/deploy\/docker\/entrypoint\.sh"\]/m);
  for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const path of (source as string).split(' ')) assert.ok(existsSync(join(ROOT, path)), `COPY ${path} exists`);
  }
  accessSync(join(ROOT, 'deploy/docker/entrypoint.sh'), constants.X_OK);
});

/** Runs the image's healthcheck script with `env`; resolves with its exit code. */
function healthcheck(env: Record<string, string>): number | null {
  return spawnSync(process.execPath, [join(ROOT, 'deploy/docker/healthcheck.mjs')], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 10_000 }).status;
}

async function waitHealthy(env: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (healthcheck(env) !== 0) {
    if (Date.now() > deadline) assert.fail(`not healthy within 30 s: ${JSON.stringify(env)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('the image entrypoint runs the echo service and the gateway outside a container; the healthcheck follows them', { timeout: 120_000 }, async (t) => {
  const [echoPort, gatewayPort, adminPort] = await freePorts(3);
  const entrypoint = join(ROOT, 'deploy/docker/entrypoint.sh');
  const echoEnv = { GATEHOUSE_PART: 'echo', GATEHOUSE_ECHO_PORT: String(echoPort), GATEHOUSE_HOST: '127.0.0.1' };
  assert.equal(healthcheck(echoEnv), 1, 'unhealthy before it runs');
  const echo = spawn(entrypoint, ['echo'], { env: { ...process.env, ...echoEnv }, stdio: 'ignore' });
  t.after(() => echo.kill('SIGKILL'));
  await waitHealthy(echoEnv);

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-deploy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'gatehouse.yaml');
  writeFileSync(config, `admin: { bind: "127.0.0.1:${adminPort}" }\nfrontends:\n  web: { bind: "127.0.0.1:${gatewayPort}", default_backend: app }\nbackends:\n  app: { servers: { echo: { address: "127.0.0.1:${echoPort}" } } }\n`);
  const gatewayEnv = { GATEHOUSE_PART: 'gateway', GATEHOUSE_HEALTH_URL: `http://127.0.0.1:${adminPort}/healthz` };
  const gateway = spawn(entrypoint, [], { env: { ...process.env, GATEHOUSE_CONFIG: config }, stdio: 'ignore' });
  t.after(() => gateway.kill('SIGKILL'));
  await waitHealthy(gatewayEnv);
  const proxied = await fetch(`http://127.0.0.1:${gatewayPort}/hello`);
  assert.equal(proxied.status, 200);
  assert.match(await proxied.text(), /GET \/hello/);

  // exec: the signal reaches node itself, which drains and exits 0
  const exited = new Promise<number | null>((resolve) => gateway.once('exit', resolve));
  gateway.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(healthcheck(gatewayEnv), 1, 'unhealthy once stopped');
  echo.kill('SIGTERM');
});

test('the systemd units pass systemd-analyze verify', (t) => {
  const analyze = findExecutable('systemd-analyze');
  if (analyze === undefined) return skipOrFail(t, 'systemd-analyze is not installed (apt-get install systemd)');
  for (const unit of readdirSync(join(ROOT, 'deploy/systemd'))) {
    const result: { status: number | null; stderr: string } = spawnSync(analyze, ['verify', '--man=no', join(ROOT, 'deploy/systemd', unit)], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${unit}: ${result.stderr}`);
  }
});
