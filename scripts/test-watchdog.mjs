// Preloaded into every test process by run-tests.mjs (`--import`). When a test file is still running
// a minute before the runner's per-file timeout, it prints which tests have started and not finished and
// which libuv handles are open, so a hang in CI says where it is instead of only "timed out". The timer
// is unref'd: it never keeps a process alive. Silent in the runner process itself.
if (process.env.NODE_TEST_CONTEXT !== undefined) {
  const { beforeEach, afterEach } = await import('node:test');
  const running = new Set();
  beforeEach((t) => void running.add(t.name));
  afterEach((t) => void running.delete(t.name));
  const limitMs = Number(process.env.GATEHOUSE_TEST_WATCHDOG_MS ?? 240_000);
  setTimeout(() => {
    const handles = process.report
      .getReport()
      .libuv.filter((h) => h.is_active)
      .map((h) => {
        const remote = h.remoteEndpoint ? ` to ${h.remoteEndpoint.host}:${h.remoteEndpoint.port}` : '';
        const local = h.localEndpoint ? ` on ${h.localEndpoint.host}:${h.localEndpoint.port}` : '';
        return `${h.type}${local}${remote}`;
      });
    process.stderr.write(
      `watchdog: ${process.argv[1]} still running after ${limitMs / 1000} s\n` +
        `  tests started and not finished: ${[...running].join(' | ') || '(none: a hook, the module itself, or the exit)'}\n` +
        `  resources: ${process.getActiveResourcesInfo().join(', ')}\n` +
        `  active handles: ${handles.join(', ')}\n`,
    );
  }, limitMs).unref();
}
