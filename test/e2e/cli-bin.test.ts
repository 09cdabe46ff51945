/**
 * bin/virtnet as installed: it runs dist/virtnet.cjs compiled from the
 * code cache the build wrote, and gives the same answers when that cache
 * does not fit (another node) or is missing; commands that load node
 * modules on demand (the interactive shell's readline) work through it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repo } from './esbuild-bundle.js';

const built = existsSync(join(repo, 'dist/virtnet.cjs.cache'));
const scratch = mkdtempSync(join(tmpdir(), 'vnt-cli-bin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(root: string, args: string[], input?: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(join(root, 'bin/virtnet'), args, { encoding: 'utf8', input, env: { ...process.env, VIRTNET_CODE_CACHE_REPORT: '1' } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

// npm test builds dist/ before running the tests; a bare vitest run without a build skips this.
describe.skipIf(!built)('bin/virtnet', () => {
  it('runs the bundle from the code cache the build wrote', () => {
    const r = run(repo, ['--version']);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(r.stderr).toBe('virtnet: code cache used\n');
    expect(r.status).toBe(0);
  });

  it('gives the same answers with a cache that does not fit, and with none', () => {
    const copy = join(scratch, 'copy');
    mkdirSync(join(copy, 'bin'), { recursive: true });
    mkdirSync(join(copy, 'dist'), { recursive: true });
    for (const f of ['bin/virtnet', 'bin/package.json', 'dist/virtnet.cjs']) copyFileSync(join(repo, f), join(copy, f));
    symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
    const expected = run(repo, ['help', 'net-list']).stdout;
    expect(expected).toContain('net-list');

    writeFileSync(join(copy, 'dist/virtnet.cjs.cache'), 'not a code cache');
    const stale = run(copy, ['help', 'net-list']);
    expect([stale.stdout, stale.stderr, stale.status]).toEqual([expected, 'virtnet: code cache rejected\n', 0]);

    rmSync(join(copy, 'dist/virtnet.cjs.cache'));
    const none = run(copy, ['help', 'net-list']);
    expect([none.stdout, none.stderr, none.status]).toEqual([expected, 'virtnet: code cache absent\n', 0]);
  });

  it('loads what a command needs on demand (the shell reads piped commands through node:readline)', () => {
    const r = run(repo, [], 'help net-list\n');
    expect(r.stdout).toContain('net-list');
    expect(r.status).toBe(0);
  });
});
