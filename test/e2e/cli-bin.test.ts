/**
 * bin/virtnet as installed: it runs dist/virtnet.cjs and the chunks it loads
 * on demand (dist/virtnet-*.cjs), each compiled from the code cache the build
 * wrote, and gives the same answers when a cache does not fit (another node,
 * another build of the bundle) or is missing; commands that load node modules
 * on demand (the interactive shell's readline) work through it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repo } from './esbuild-bundle.js';

const built = existsSync(join(repo, 'dist/virtnet.cjs.cache'));
const scratch = mkdtempSync(join(tmpdir(), 'vnt-cli-bin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(root: string, args: string[], input?: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(join(root, 'bin/virtnet'), args, { encoding: 'utf8', input, env: { ...process.env, VIRTNET_CODE_CACHE_REPORT: '1' } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** The bundle's files in dist/: virtnet.cjs, its chunks virtnet-*.cjs, their caches, and the commands' help texts. */
const bundleFiles = (): string[] => readdirSync(join(repo, 'dist')).filter((f) => /^virtnet(-.+)?\.cjs(\.cache)?$|^virtnet-help\.json$/.test(f));

/** The chunk of dist/ whose name starts with `prefix` (e.g. the chunk of the shell's own commands). */
const chunk = (prefix: string): string => {
  const found = bundleFiles().filter((f) => f.startsWith(prefix) && f.endsWith('.cjs'));
  expect(found).toHaveLength(1);
  return found[0] as string;
};

/** A copy of the installed CLI in the scratch directory: bin/, the bundle's files and their caches. */
function installedCopy(name: string): string {
  const copy = join(scratch, name);
  mkdirSync(join(copy, 'bin'), { recursive: true });
  mkdirSync(join(copy, 'dist'), { recursive: true });
  for (const f of ['bin/virtnet', 'bin/package.json', ...bundleFiles().map((b) => `dist/${b}`)]) copyFileSync(join(repo, f), join(copy, f));
  symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/** The report's line for the bundle itself (the first), and those of the chunks a command loaded. */
const reportOf = (stderr: string): { bundle: string; chunks: string[] } => {
  const [bundle = '', ...chunks] = stderr.split('\n').filter((l) => l !== '');
  return { bundle, chunks };
};

// npm test builds dist/ before running the tests; a bare vitest run without a build skips this.
describe.skipIf(!built)('bin/virtnet', () => {
  it('runs the bundle from the code cache the build wrote', () => {
    const r = run(repo, ['--version']);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(r.stderr).toBe('virtnet: code cache used\n');
    expect(r.status).toBe(0);
  });

  it('is bin/virtnet.cjs behind a #! line naming the node that built it, and starts with no node on PATH', () => {
    const [line, note, ...rest] = readFileSync(join(repo, 'bin/virtnet'), 'utf8').split('\n');
    // The tests run on the node that built dist/ (npm test builds first).
    expect(line).toBe(`#!${process.execPath}`);
    expect(note).toBe('// Written by the build from virtnet.cjs: change that file, then run `npm run build`.');
    expect(rest.join('\n')).toBe(readFileSync(join(repo, 'bin/virtnet.cjs'), 'utf8'));
    // Through /usr/bin/env it would say "env: 'node': No such file or directory".
    const r = spawnSync(join(repo, 'bin/virtnet'), ['--version'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    expect([r.stdout, r.stderr, r.status]).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+\n$/), '', 0]);
  });

  it('gives the same answers with a cache that does not fit, and with none', () => {
    const copy = installedCopy('copy');
    const expected = run(repo, ['help', 'net-list']);
    expect(expected.stdout).toContain('net-list');
    // help runs a command of the shell's own, from its chunk and that chunk's cache.
    const shellCmds = chunk('virtnet-shell-cmds-');
    expect(reportOf(expected.stderr)).toEqual({
      bundle: 'virtnet: code cache used',
      chunks: expect.arrayContaining([`virtnet: ${shellCmds}: code cache used`]),
    });

    // This build's tag, then what another node would have written.
    const tag = readFileSync(join(repo, 'dist/virtnet.cjs.cache')).subarray(0, 'virtnet-build:'.length + 37);
    writeFileSync(join(copy, 'dist/virtnet.cjs.cache'), Buffer.concat([tag, Buffer.from('not a code cache')]));
    const foreign = run(copy, ['help', 'net-list']);
    expect([foreign.stdout, reportOf(foreign.stderr).bundle, foreign.status]).toEqual([expected.stdout, 'virtnet: code cache rejected', 0]);

    writeFileSync(join(copy, 'dist/virtnet.cjs.cache'), 'not a code cache');
    const untagged = run(copy, ['help', 'net-list']);
    expect([untagged.stdout, reportOf(untagged.stderr).bundle, untagged.status]).toEqual([
      expected.stdout,
      'virtnet: code cache rejected (another build)',
      0,
    ]);

    rmSync(join(copy, 'dist/virtnet.cjs.cache'));
    const none = run(copy, ['help', 'net-list']);
    expect([none.stdout, reportOf(none.stderr).bundle, none.status]).toEqual([expected.stdout, 'virtnet: code cache absent', 0]);
  });

  it("does the same for each chunk: another build's cache, one V8 rejects, none", () => {
    const copy = installedCopy('chunk');
    const shellCmds = chunk('virtnet-shell-cmds-');
    const expected = run(repo, ['help', 'net-list']).stdout;
    const cache = join(copy, 'dist', `${shellCmds}.cache`);
    const tag = readFileSync(cache).subarray(0, 'virtnet-build:'.length + 37);
    for (const [content, state] of [
      [Buffer.concat([Buffer.from(`virtnet-build:${randomUUID()}\n`), readFileSync(cache).subarray(tag.length)]), 'rejected (another build)'],
      [Buffer.concat([tag, Buffer.from('not a code cache')]), 'rejected'],
      [undefined, 'absent'],
    ] as const) {
      if (content === undefined) rmSync(cache);
      else writeFileSync(cache, content);
      const r = run(copy, ['help', 'net-list']);
      expect([r.stdout, r.status]).toEqual([expected, 0]);
      expect(reportOf(r.stderr).chunks).toContain(`virtnet: ${shellCmds}: code cache ${state}`);
    }
  });

  it("runs a chunk's own code, never the code cached for another build of it (same length)", () => {
    const copy = installedCopy('rebuilt-chunk');
    const shellCmds = chunk('virtnet-shell-cmds-');
    const file = join(copy, 'dist', shellCmds);
    const source = readFileSync(file, 'utf8');
    expect(source).toMatch(/^\/\*virtnet-build:[0-9a-f-]{36}\*\//);
    // Another build of the chunk whose only change keeps its length: a message's wording. Its
    // cache, written after running the command, holds the compiled code with that wording.
    const other = source
      .replace(/^\/\*virtnet-build:[0-9a-f-]{36}\*\//, `/*virtnet-build:${randomUUID()}*/`)
      .replace("doesn't exist", 'is not listed');
    expect(other.length).toBe(source.length);
    expect(other).not.toBe(source);
    writeFileSync(file, other);
    const written = spawnSync(join(copy, 'bin/virtnet'), ['help', 'no-such-command'], {
      encoding: 'utf8',
      env: { ...process.env, VIRTNET_WRITE_CODE_CACHE: '1' },
    });
    expect(written.stderr).toContain("command or command group 'no-such-command' is not listed");
    // This build's chunk again, beside the other build's cache.
    writeFileSync(file, source);
    const r = run(copy, ['help', 'no-such-command']);
    expect(r.stderr).toContain("command or command group 'no-such-command' doesn't exist");
    expect(reportOf(r.stderr).chunks).toContain(`virtnet: ${shellCmds}: code cache rejected (another build)`);
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

  it("keeps the commands' help texts out of the start-up file, and reads them for help", () => {
    const desc = 'Output the network information as an XML dump to stdout.';
    expect(readFileSync(join(repo, 'dist/virtnet.cjs'), 'utf8')).not.toContain(desc);
    const copy = installedCopy('help');
    const r = spawnSync(join(copy, 'bin/virtnet'), ['help', 'net-dumpxml'], { encoding: 'utf8', cwd: '/' });
    expect([
      r.stdout.split('\n').slice(0, 2),
      r.stdout.includes(`    ${desc}\n`),
      r.stdout.includes('    --inactive       show inactive defined XML\n'),
    ]).toEqual([['  NAME', '    net-dumpxml - network information in XML'], true, true]);
    expect(run(copy, ['-h']).stdout).toContain('    net-dumpxml                    network information in XML\n');
  });

  it('runs the read-only lookups from the start-up file alone, the other commands from their chunks', () => {
    const uri = `unix://${join(scratch, 'nowhere', 'virtnetd.sock')}`;
    const files = (args: string[]): string[] =>
      run(repo, ['-c', uri, ...args])
        .stderr.split('\n')
        .filter((l) => l.startsWith('virtnet: '));
    // Both make their request before the connection fails: each command's code has run.
    expect(files(['net-dumpxml', 'n1'])).toEqual(['virtnet: code cache used']);
    expect(files(['net-list'])).toContainEqual(expect.stringMatching(/^virtnet: virtnet-net-list-\w+\.cjs: code cache used$/));
  });

  it('loads what a command needs on demand (the shell reads piped commands through node:readline)', () => {
    const r = run(repo, [], 'help net-list\n');
    expect(r.stdout).toContain('net-list');
    expect(r.status).toBe(0);
  });

  it('makes its call through the addon without loading node:net, with the same answer as over node:net', async () => {
    expect(existsSync(join(repo, 'dist/virtnet-unix-request.node'))).toBe(true);
    const sock = join(scratch, 'stand-in.sock');
    const heads: string[] = [];
    // A stand-in for virtnetd (the x-virtnetd header, the XML), in this process: the CLI runs beside it.
    const server = createServer((req, res) => {
      heads.push(req.headers.connection ?? '');
      const body = JSON.stringify({ xml: '<network>\n  <name>n1</name>\n</network>\n' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-virtnetd': 'stand-in' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(sock, () => r()));
    // Says at exit whether node:net was loaded.
    const preload = join(scratch, 'net-loaded.cjs');
    writeFileSync(
      preload,
      "process.on('exit', () => require('node:fs').writeSync(2, `net loaded: ${process.moduleLoadList.includes('NativeModule net')}\\n`));\n",
    );
    const call = (env: NodeJS.ProcessEnv) =>
      promisify(execFile)(process.execPath, ['-r', preload, join(repo, 'bin/virtnet'), '-c', `unix://${sock}`, '-q', 'net-dumpxml', 'n1'], {
        env: { ...process.env, ...env },
      });
    try {
      const blocking = await call({});
      const overNet = await call({ VIRTNET_UNIX_REQUEST: '' });
      expect(blocking.stdout).toBe('<network>\n  <name>n1</name>\n</network>\n');
      expect(overNet.stdout).toBe(blocking.stdout);
      expect([blocking.stderr, overNet.stderr]).toEqual(['net loaded: false\n', 'net loaded: true\n']);
      expect(heads).toEqual(['close', '']);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
