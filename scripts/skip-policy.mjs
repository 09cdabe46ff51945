// Which skipped tests CI may skip: the entries of test/allowed-skips.json.
// Used by scripts/test-all.mjs; pure, so test/unit/skip-policy.test.ts checks it.
import { relative } from 'node:path';

/** The skipped (pending, todo) tests of a vitest JSON report, as { file (relative to cwd), name }. */
export function skippedTests(report, cwd) {
  const out = [];
  for (const file of report.testResults ?? []) {
    const rel = relative(cwd, file.name);
    for (const t of file.assertionResults ?? []) {
      if (t.status !== 'passed' && t.status !== 'failed') out.push({ file: rel, name: t.fullName });
    }
  }
  return out;
}

/**
 * The skips no entry allows. An entry matches by file and by the start of the
 * test's full name; with `whileAbsent: KEY` only while `present[KEY]` is false.
 */
export function unexpectedSkips(skips, allowed, present) {
  return skips.filter(
    (s) => !allowed.some((a) => a.file === s.file && s.name.startsWith(a.test) && (a.whileAbsent === undefined || present[a.whileAbsent] === false)),
  );
}

/** "file: N" lines, one per file, for a short report. */
export function countByFile(skips) {
  const byFile = new Map();
  for (const s of skips) byFile.set(s.file, (byFile.get(s.file) ?? 0) + 1);
  return [...byFile].map(([f, n]) => `${f}: ${n}`);
}
