// The project's test command (npm test): type-check, lint, build, unit + e2e tests
// (vitest), then libvirt's conformance corpus when ../shared is present.
// Ends with a plain "N passed, N failed, N skipped" line; .ci/run repeats it
// and ends with "N passed, N failed", which CI reads.
// With CI=true a skipped test counts as failed unless test/allowed-skips.json
// allows it: CI installs everything the tests need, so a skip there hides a
// test that should have run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { countByFile, skippedTests, unexpectedSkips } from './skip-policy.mjs';

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const inCi = process.env.CI === 'true' || process.env.CI === '1';

function run(label, cmd, args, opts = {}) {
  process.stdout.write(`\n==> ${label}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', env: process.env });
  if (opts.capture && r.stdout) process.stdout.write(r.stdout);
  return r;
}

function step(label, cmd, args) {
  const r = run(label, cmd, args);
  if (r.status === 0) passed++;
  else {
    failed++;
    failures.push(label);
  }
  return r.status === 0;
}

const corpus = resolve(process.env.VIRTNET_CONFORMANCE_DIR ?? '../shared/conformance/libvirt');
const conditions = { corpus: existsSync(corpus) };

/** Count the report's skipped tests; in CI, those test/allowed-skips.json does not allow fail the run. */
function countSkips(report) {
  const skips = skippedTests(report, process.cwd());
  skipped += skips.length;
  if (skips.length > 0)
    process.stdout.write(
      `\nSkipped tests:\n${countByFile(skips)
        .map((l) => `  ${l}`)
        .join('\n')}\n`,
    );
  if (!inCi) return;
  const { allowed } = JSON.parse(readFileSync('test/allowed-skips.json', 'utf8'));
  const unexpected = unexpectedSkips(skips, allowed, conditions);
  failed += unexpected.length;
  for (const line of countByFile(unexpected)) failures.push(`skipped with CI=true, not in test/allowed-skips.json: ${line}`);
}

const typeOk = step('type-check', 'node', ['node_modules/typescript/bin/tsc', '--noEmit', '-p', 'tsconfig.json']);
// The files it checks are biome.jsonc's `files.includes`.
step('lint', 'node', ['node_modules/@biomejs/biome/bin/biome', 'check', '--error-on-warnings']);
const buildOk = step('build', 'node', ['scripts/build.mjs']);

mkdirSync('test-results', { recursive: true });
// A report left by an earlier run must not stand in for this one.
rmSync('test-results/vitest.json', { force: true });
const vitestArgs = [
  'node_modules/vitest/vitest.mjs',
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
  ...process.argv.slice(2),
];
const v = run('vitest', 'node', vitestArgs);
if (existsSync('test-results/vitest.json')) {
  const report = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  // A suite that failed to load has no failed tests but must still count.
  for (const file of report.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
      failed++;
      failures.push(`vitest: ${file.name}: ${file.message ?? 'failed to load'}`);
    }
  }
  if (report.numFailedTests) failures.push(`vitest: ${report.numFailedTests} failed`);
  countSkips(report);
} else if (v.status !== 0) {
  failed++;
  failures.push('vitest did not run');
}

if (!conditions.corpus) {
  process.stdout.write(`\n==> conformance: skipped, libvirt's corpus is absent at ${corpus}\n`);
} else if (buildOk && existsSync('dist/conformance.js')) {
  const c = run('conformance', 'node', ['dist/conformance.js'], { capture: true });
  for (const m of (c.stdout ?? '').matchAll(/^(\S+): (\d+) passed, (\d+) failed$/gm)) {
    passed += Number(m[2]);
    failed += Number(m[3]);
    if (Number(m[3]) > 0) failures.push(`conformance ${m[1]}`);
  }
  if (c.status !== 0 && !failures.some((f) => f.startsWith('conformance'))) {
    failed++;
    failures.push('conformance exited non-zero');
  }
}

if (!typeOk) process.stdout.write('\ntype-check failed\n');
if (failures.length) process.stdout.write(`\nFailures:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed === 0 ? 0 : 1);
