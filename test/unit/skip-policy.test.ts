import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { countByFile, skippedTests, unexpectedSkips } from '../../scripts/skip-policy.mjs';

const REPO = resolve(import.meta.dirname, '../..');
const report = {
  testResults: [
    {
      name: join(REPO, 'test/unit/relaxng.test.ts'),
      assertionResults: [
        { status: 'passed', fullName: 'schema errors' },
        { status: 'skipped', fullName: "ours and libvirt's network.rng agree on fixture: a" },
        { status: 'pending', fullName: "ours and libvirt's network.rng agree on fixture: b" },
      ],
    },
    {
      name: join(REPO, 'test/e2e/vm.test.ts'),
      assertionResults: [
        { status: 'skipped', fullName: 'a real VM boots' },
        { status: 'failed', fullName: 'x' },
      ],
    },
  ],
};
const allowed = [{ file: 'test/unit/relaxng.test.ts', test: "ours and libvirt's network.rng agree", whileAbsent: 'corpus' }];

describe('the skip policy of npm test under CI=true', () => {
  it('lists skipped tests by file, relative to the checkout', () => {
    const skips = skippedTests(report, REPO);
    expect(skips.map((s: { file: string }) => s.file)).toEqual(['test/unit/relaxng.test.ts', 'test/unit/relaxng.test.ts', 'test/e2e/vm.test.ts']);
    expect(countByFile(skips)).toEqual(['test/unit/relaxng.test.ts: 2', 'test/e2e/vm.test.ts: 1']);
  });

  it('allows a listed skip only while what it needs is absent, and nothing unlisted', () => {
    const skips = skippedTests(report, REPO);
    expect(unexpectedSkips(skips, allowed, { corpus: false }).map((s: { name: string }) => s.name)).toEqual(['a real VM boots']);
    expect(unexpectedSkips(skips, allowed, { corpus: true })).toHaveLength(3);
  });

  it('has a reason for every entry of test/allowed-skips.json', () => {
    const list = JSON.parse(readFileSync(join(REPO, 'test/allowed-skips.json'), 'utf8')).allowed as { file: string; test: string; reason: string }[];
    for (const a of list) {
      expect(a.reason.length, a.file).toBeGreaterThan(10);
      expect(readFileSync(join(REPO, a.file), 'utf8')).toContain(a.test.slice(0, 20));
    }
  });
});
