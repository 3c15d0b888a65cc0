// Preloaded into every test process by run-tests.mjs (`--import`). When a test file is still running
// a minute before the runner's per-file timeout, it prints which tests have started and not finished and
// which libuv handles are open, so a hang in CI says where it is instead of only "timed out". At the
// per-file timeout (GATEHOUSE_TEST_FILE_TIMEOUT_MS) it prints that again and ends the file's process with
// exit code 1, which fails the file: from Node 22, `node --test --test-timeout` only sets each test's
// default timeout and no longer stops a file whose tests set their own. The timers are unref'd: they never
// keep a process alive. Silent in the runner process itself.
if (process.env.NODE_TEST_CONTEXT !== undefined) {
  const { beforeEach, afterEach } = await import('node:test');
  const running = new Set();
  beforeEach((t) => void running.add(t.name));
  afterEach((t) => void running.delete(t.name));
  const limitMs = Number(process.env.GATEHOUSE_TEST_WATCHDOG_MS ?? 240_000);
  const fileTimeoutMs = Number(process.env.GATEHOUSE_TEST_FILE_TIMEOUT_MS ?? 300_000);
  const report = (what) => {
    const handles = process.report
      .getReport()
      .libuv.filter((h) => h.is_active)
      .map((h) => {
        const remote = h.remoteEndpoint ? ` to ${h.remoteEndpoint.host}:${h.remoteEndpoint.port}` : '';
        const local = h.localEndpoint ? ` on ${h.localEndpoint.host}:${h.localEndpoint.port}` : '';
        return `${h.type}${local}${remote}`;
      });
    process.stderr.write(
      `watchdog: ${process.argv[1]} ${what}\n` +
        `  tests started and not finished: ${[...running].join(' | ') || '(none: a hook, the module itself, or the exit)'}\n` +
        `  resources: ${process.getActiveResourcesInfo().join(', ')}\n` +
        `  active handles: ${handles.join(', ')}\n`,
    );
  };
  if (limitMs < fileTimeoutMs) setTimeout(() => report(`still running after ${limitMs / 1000} s`), limitMs).unref();
  setTimeout(() => {
    report(`TIMED OUT after ${fileTimeoutMs / 1000} s (GATEHOUSE_TEST_FILE_TIMEOUT_MS): the file fails`);
    process.exit(1);
  }, fileTimeoutMs).unref();
}
