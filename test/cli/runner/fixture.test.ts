/**
 * A fixture for runner.test.ts, run by scripts/run-tests.mjs only when GATEHOUSE_RUNNER_FIXTURE names a mode
 * (in the ordinary suite it passes at once):
 *   temp  makes a gatehouse-* temporary directory, prints its path and waits (to be stopped by a signal)
 *   hang  prints "fixture started" and never finishes (to be stopped by the runner's per-file timeout)
 */
import { test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = process.env.GATEHOUSE_RUNNER_FIXTURE;

test('runner fixture', { timeout: 600_000 }, async () => {
  if (mode === undefined) return;
  if (mode === 'temp') {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fixture-'));
    writeFileSync(join(dir, 'file'), 'x');
    process.stdout.write(`fixture temp dir: ${dir}\n`);
  } else process.stdout.write('fixture started\n');
  await new Promise((resolve) => setTimeout(resolve, 600_000));
});
