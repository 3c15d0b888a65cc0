/**
 * `npm run bench` (node dist/bench/run.js [suite...]): runs the registered benchmark suites in order,
 * or only those named. Each suite prints its own side-by-side table and ratios.
 * Registering a suite is one line below.
 */
const SUITES: Record<string, () => Promise<void>> = {
  proxy: async () => (await import('./proxy.js')).run(),
  jwt: async () => (await import('./jwt.js')).run(),
  'auth-path': async () => (await import('./auth-path.js')).run(),
  revocation: async () => (await import('./browser-and-revocation.js')).run(),
  oauth: async () => (await import('./oauth.js')).run([]),
  idp: async () => {
    await (await import('./idp.js')).run();
  },
  tls: async () => (await import('./tls.js')).run(),
  ratelimit: async () => (await import('./ratelimit.js')).run(),
  tracing: async () => (await import('./tracing.js')).run(),
  latency: async () => (await import('./latency.js')).run(),
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in SUITES)) {
    console.error(`unknown benchmark suite "${name}"; known: ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
}
for (const [name, suite] of Object.entries(SUITES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n== ${name} ==`);
  await suite();
}
