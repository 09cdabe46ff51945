/**
 * The README's set-up line (scripts/setup.sh), on the machines the README
 * names. Its Node.js and npm decisions run against fake `node`, `apt-cache`
 * and `dpkg-query` programs on a PATH of their own (--dry-run: nothing is
 * installed); then the line itself runs on a clean copy of the checkout
 * (the tracked files only, no node_modules or dist) and must build it
 * without a single npm warning.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'virtnet-setup-'));
// The copy holds a whole npm install: removing it can take longer than a hook's default 10 s on a busy machine.
afterAll(() => rmSync(scratch, { recursive: true, force: true }), 120_000);

/** The README's set-up line: the first command of the ```sh block under "## Set up". */
function readmeSetupLine(): string {
  const section = readme.slice(readme.indexOf('## Set up'));
  const block = /```sh\n([^\n]+)\n/.exec(section);
  if (!block?.[1]) throw new Error('README has no set-up command block');
  return block[1];
}

const SETUP_PACKAGES =
  /^PACKAGES=\(([^)]*)\)/m
    .exec(readFileSync(join(repo, 'scripts/setup.sh'), 'utf8'))?.[1]
    ?.split(/\s+/)
    .filter(Boolean) ?? [];

interface FakeMachine {
  /** `node -p process.versions.node`; undefined: no node at all. */
  node?: string;
  /** Whether an `npm` command exists. */
  npm: boolean;
  /** apt's candidate for nodejs, and whether that package brings npm (NodeSource's does). */
  nodejsCandidate?: string;
  nodejsBringsNpm?: boolean;
  /** Installed Debian packages. */
  installed: string[];
}

let machines = 0;
/** Run `setup.sh --dry-run` with only fake programs (and bash) on PATH. */
function dryRun(m: FakeMachine): { status: number | null; out: string; err: string } {
  const bin = join(scratch, `bin${machines++}`);
  mkdirSync(bin);
  const fake = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  symlinkSync('/bin/bash', join(bin, 'bash'));
  if (m.node !== undefined) fake('node', `echo ${m.node}`);
  if (m.npm) fake('npm', 'exit 0');
  const installed = m.installed.join(' ');
  fake('dpkg-query', `for p in ${installed}; do [ "$p" = "\${@: -1}" ] && { printf 'install ok installed'; exit 0; }; done; exit 1`);
  fake(
    'apt-cache',
    [
      `if [ "$1" = policy ] && [ "$2" = nodejs ]; then echo "nodejs:"; echo "  Candidate: ${m.nodejsCandidate ?? '(none)'}"; exit 0; fi`,
      `if [ "$1" = policy ] && [ "$2" = npm ]; then echo "npm:"; echo "  Candidate: 9.2.0~ds1-1"; exit 0; fi`,
      `if [ "$1" = show ] && [ "\${@: -1}" = nodejs ]; then echo "Package: nodejs"; ${m.nodejsBringsNpm ? 'echo "Provides: nodejs-dev, npm"; echo "Conflicts: npm"' : 'echo "Depends: libnode115"'}; exit 0; fi`,
      'exit 0',
    ].join('\n'),
  );
  const r = spawnSync('/bin/bash', [join(repo, 'scripts/setup.sh'), '--dry-run'], { env: { PATH: bin, HOME: scratch }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('scripts/setup.sh decides about Node.js and npm', () => {
  it('is what the README tells a newcomer to run', () => {
    expect(readmeSetupLine()).toMatch(/^scripts\/setup\.sh( |$)/);
  });

  it('Debian 12 with NodeSource Node.js 20 (it brings npm): installs no npm package', () => {
    const r = dryRun({
      node: '20.20.2',
      npm: true,
      nodejsCandidate: '20.20.2-1nodesource1',
      nodejsBringsNpm: true,
      installed: ['nodejs', ...SETUP_PACKAGES],
    });
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toContain('setup: Node.js 20.20.2');
    expect(r.out).toContain('system packages: all present');
    expect(r.out).not.toContain('apt-get');
    expect(r.out).toContain('would run: npm ci --no-audit --no-fund && npm run build');
  });

  it("Debian 13 without Node.js: installs Debian's nodejs and npm, and the packages that are missing", () => {
    const r = dryRun({ npm: false, nodejsCandidate: '20.19.2+dfsg-1', installed: SETUP_PACKAGES.filter((p) => p !== 'busybox') });
    expect(r.status).toBe(0);
    expect(r.out).toContain('Node.js is not installed; apt offers nodejs 20.19.2+dfsg-1');
    expect(r.out).toContain('would run: apt-get update && apt-get install -y --no-install-recommends nodejs npm busybox');
  });

  it("Debian's own nodejs without npm: installs npm", () => {
    const r = dryRun({ node: '20.19.2', npm: false, nodejsCandidate: '20.19.2+dfsg-1', installed: ['nodejs', ...SETUP_PACKAGES] });
    expect(r.status).toBe(0);
    expect(r.out).toContain('apt-get install -y --no-install-recommends npm');
  });

  it('Debian 12 without Node.js: says where Node.js 20 comes from, and stops', () => {
    const r = dryRun({ npm: false, nodejsCandidate: '18.20.4+dfsg-1~deb12u2', installed: SETUP_PACKAGES });
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('setup: Node.js is not installed, and apt only offers nodejs 18.20.4+dfsg-1~deb12u2.');
    expect(r.err).toContain('virtnet needs Node.js 20.19 or newer, with npm.');
    expect(r.err).toContain('NodeSource');
    expect(r.err).toContain('Then run scripts/setup.sh again.');
  });

  it('a Node.js older than 20.19: names it and stops', () => {
    const r = dryRun({ node: '20.18.3', npm: true, installed: ['nodejs', ...SETUP_PACKAGES] });
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^setup: Node\.js 20\.18\.3 is too old \(found .*\/node\)\.\n/);
    expect(r.err).toContain('Debian 13 (trixie) or newer:  apt-get install nodejs npm');
  });

  it("a Node.js with no npm that is not Debian's package: says so and stops", () => {
    const r = dryRun({ node: '22.1.0', npm: false, installed: SETUP_PACKAGES });
    expect(r.status).toBe(1);
    expect(r.err).toContain('npm is missing beside Node.js 22.1.0');
  });
});

/** Every package the set-up needs is one CI installs too. */
describe('.ci/run', () => {
  it('installs every package scripts/setup.sh installs', () => {
    const ci = readFileSync(join(repo, '.ci/run'), 'utf8');
    const list = /for pkg in ([^;]+); do/.exec(ci)?.[1]?.split(/\s+/) ?? [];
    expect(SETUP_PACKAGES.length).toBeGreaterThan(5);
    for (const p of SETUP_PACKAGES) expect(list, p).toContain(p);
  });
});

const packagesPresent = SETUP_PACKAGES.every(
  (p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout === 'install ok installed',
);
const gitFiles = spawnSync('git', ['-C', repo, 'ls-files', '-z'], { encoding: 'utf8' });

describe.skipIf(!(packagesPresent || process.getuid?.() === 0) || gitFiles.status !== 0)(
  "the README's set-up line on a clean copy of the checkout",
  () => {
    it('installs and builds it, printing no warning', () => {
      const copy = join(scratch, 'checkout');
      for (const file of gitFiles.stdout.split('\0').filter(Boolean)) {
        if (!existsSync(join(repo, file))) continue; // deleted in the working tree, not yet committed
        mkdirSync(dirname(join(copy, file)), { recursive: true });
        cpSync(join(repo, file), join(copy, file));
      }
      expect(existsSync(join(copy, 'node_modules'))).toBe(false);
      const line = readmeSetupLine().split(' && bin/virtnetd')[0] as string;
      const r = spawnSync('bash', ['-e', '-c', line], { cwd: copy, encoding: 'utf8', env: { ...process.env, npm_config_prefer_offline: 'true' } });
      const all = `${r.stdout}\n${r.stderr}`;
      expect(r.status, all).toBe(0);
      expect(all, all).not.toMatch(/\bwarn(ing)?\b/i);
      expect(existsSync(join(copy, 'dist/virtnetd.js'))).toBe(true);
      const version = spawnSync(join(copy, 'bin/virtnet'), ['--version'], { encoding: 'utf8' });
      expect(version.status, version.stderr).toBe(0);
    }, 600_000);
  },
);
