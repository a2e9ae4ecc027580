#!/usr/bin/env node
// The whole suite, as CI and developers run it: build, contract freshness, lint, types, then every test tier.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reports = mkdtempSync(join(tmpdir(), 'messenger-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function run(title, cmd, args, cwd = root, env = {}) {
  process.stdout.write(`\n=== ${title}\n`);
  const result = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) failures.push(title);
  return result.status === 0;
}

/** Runs a vitest project and adds its counts from the JSON report. */
function vitest(title, cwd, args) {
  const out = join(reports, `${title.replace(/\W+/g, '-')}.json`);
  run(title, 'pnpm', ['exec', 'vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], cwd);
  if (!existsSync(out)) {
    failures.push(`${title} (no report)`);
    return;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + (report.numTodoTests ?? 0);
}

if (!run('build', 'pnpm', ['build'])) {
  console.error('build failed');
  process.exit(1);
}
run('openapi spec matches the code', 'node', ['backend/dist/openapi.js', '--check']);
run('generated client matches the spec', 'pnpm', ['--filter', '@messenger/api-client', 'check']);
run('lint', 'pnpm', ['-r', '--no-bail', 'lint']);
run('typecheck', 'pnpm', ['-r', '--no-bail', 'typecheck']);

vitest('backend unit', join(root, 'backend'), ['--project', 'unit']);
vitest('backend integration', join(root, 'backend'), ['--project', 'integration']);
vitest('backend e2e', join(root, 'backend'), ['--project', 'e2e']);
// The fault suite's checker, fed planted histories (the suite itself is `pnpm test:faults`).
run('fault checker', 'node', ['--test', 'faults/test/']);
if (existsSync(join(root, 'frontend', 'vitest.config.ts'))) {
  vitest('frontend', join(root, 'frontend'), []);
}

console.log(`\n${failures.length ? `failed steps: ${failures.join(', ')}` : 'all steps passed'}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failures.length || totals.failed ? 1 : 0);
