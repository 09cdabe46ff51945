/**
 * bin/virtnet as installed: it runs dist/virtnet.cjs compiled from the
 * code cache the build wrote, and gives the same answers when that cache
 * does not fit (another node, another build of the bundle) or is missing;
 * commands that load node modules on demand (the interactive shell's
 * readline) work through it.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

/** A copy of the installed CLI in the scratch directory: bin/, the bundle and its cache. */
function installedCopy(name: string): string {
  const copy = join(scratch, name);
  mkdirSync(join(copy, 'bin'), { recursive: true });
  mkdirSync(join(copy, 'dist'), { recursive: true });
  for (const f of ['bin/virtnet', 'bin/package.json', 'dist/virtnet.cjs', 'dist/virtnet.cjs.cache']) copyFileSync(join(repo, f), join(copy, f));
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
  return copy;
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
    const copy = installedCopy('copy');
    const expected = run(repo, ['help', 'net-list']).stdout;
    expect(expected).toContain('net-list');

    // This build's tag, then what another node would have written.
    const tag = readFileSync(join(repo, 'dist/virtnet.cjs.cache')).subarray(0, 'virtnet-build:'.length + 37);
    writeFileSync(join(copy, 'dist/virtnet.cjs.cache'), Buffer.concat([tag, Buffer.from('not a code cache')]));
    const foreign = run(copy, ['help', 'net-list']);
    expect([foreign.stdout, foreign.stderr, foreign.status]).toEqual([expected, 'virtnet: code cache rejected\n', 0]);

    writeFileSync(join(copy, 'dist/virtnet.cjs.cache'), 'not a code cache');
    const untagged = run(copy, ['help', 'net-list']);
    expect([untagged.stdout, untagged.stderr, untagged.status]).toEqual([expected, 'virtnet: code cache rejected (another build)\n', 0]);

    rmSync(join(copy, 'dist/virtnet.cjs.cache'));
    const none = run(copy, ['help', 'net-list']);
    expect([none.stdout, none.stderr, none.status]).toEqual([expected, 'virtnet: code cache absent\n', 0]);
  });

  it("runs a rebuilt bundle's own code, never the code cached for the build before (V8 alone would take it: same length)", () => {
    const copy = installedCopy('rebuilt');
    const source = readFileSync(join(repo, 'dist/virtnet.cjs'), 'utf8');
    expect(source).toMatch(/^\/\*virtnet-build:[0-9a-f-]{36}\*\//);
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    const other = version.replace(/\d/g, (d) => String((Number(d) + 1) % 10));
    expect(source).toContain(`version:"${version}"`);
    // Another build whose only change keeps the bundle's length: the version it prints.
    const rebuilt = source
      .replace(/^\/\*virtnet-build:[0-9a-f-]{36}\*\//, `/*virtnet-build:${randomUUID()}*/`)
      .replace(`version:"${version}"`, `version:"${other}"`);
    expect(rebuilt.length).toBe(source.length);
    writeFileSync(join(copy, 'dist/virtnet.cjs'), rebuilt);
    const r = run(copy, ['--version']);
    expect([r.stdout, r.stderr, r.status]).toEqual([`${other}\n`, 'virtnet: code cache rejected (another build)\n', 0]);
  });

  it('loads what a command needs on demand (the shell reads piped commands through node:readline)', () => {
    const r = run(repo, [], 'help net-list\n');
    expect(r.stdout).toContain('net-list');
    expect(r.status).toBe(0);
  });
});
