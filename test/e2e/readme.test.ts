/**
 * The README's tutorial, run as written: every ```sh block of the
 * "Tutorial" section runs in order (one bash per block, `set -e`) against a
 * real virtnetd in sandbox mode over a temporary root, and where a ```text
 * block follows a command block it must equal that block's stdout (uuids
 * written as UUID). Blocks marked `<!-- readme-test: skip -->` are not run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { canUseNetns, deleteNetns } from './netns.js';

const repo = resolve(import.meta.dirname, '../..');

interface ReadmeStep {
  script: string;
  expected?: string;
  line: number;
}

/** The tutorial's command blocks, each with the text block that follows it, if any. */
function tutorialSteps(markdown: string): ReadmeStep[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf('## Tutorial');
  if (start < 0) throw new Error('README has no "## Tutorial" section');
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  const steps: ReadmeStep[] = [];
  let skipNext = false;
  for (let i = start + 1; i < end; i++) {
    const line = lines[i]!;
    if (line.startsWith('<!-- readme-test: skip')) {
      skipNext = true;
      continue;
    }
    const fence = /^```(\w*)/.exec(line);
    if (!fence) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < end && lines[j] !== '```') body.push(lines[j++]!);
    const text = body.length ? `${body.join('\n')}\n` : '';
    if (fence[1] === 'sh') {
      if (!skipNext) steps.push({ script: text, line: i + 1 });
      skipNext = false;
    } else if (fence[1] === 'text') {
      const prev = steps[steps.length - 1];
      // A text block belongs to the command block right before it (only blank lines between).
      const between = lines.slice(0, i).reverse();
      const nonBlank = between.find((l) => l.trim() !== '');
      if (prev && nonBlank === '```' && prev.expected === undefined) prev.expected = text;
    }
    i = j;
  }
  return steps;
}

const readme = readFileSync(join(repo, 'README.md'), 'utf8');

describe('README tutorial parsing', () => {
  it('finds the command blocks and their expected outputs', () => {
    const steps = tutorialSteps(readme);
    expect(steps.length).toBeGreaterThan(8);
    expect(steps.some((s) => s.script.includes('net-define isolated.xml') && s.expected?.includes('Network isolated defined'))).toBe(true);
    expect(steps.every((s) => !s.script.includes('apt-get'))).toBe(true);
  });
});

const built = existsSync(join(repo, 'dist/virtnetd.js')) && existsSync(join(repo, 'dist/virtnet.cjs'));

describe.skipIf(!canUseNetns() || !built)('README tutorial, run against a sandboxed virtnetd', () => {
  let root: string;
  let work: string;
  let daemon: ChildProcess | undefined;
  let namespaces: string[] = [];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'virtnet-readme-'));
    work = join(root, 'work');
    mkdirSync(work);
    daemon = spawn(join(repo, 'bin/virtnetd'), ['--root', root, '--sandbox', '--log-file', join(root, 'daemon.log')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    daemon.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    daemon.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!/serving unix/.test(out)) {
      if (Date.now() > deadline || daemon.exitCode !== null) throw new Error(`virtnetd did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const m = /sandbox network namespace '([^']+)' with uplink namespace '([^']+)'/.exec(out);
    if (m) namespaces = [m[1]!, m[2]!];
    env = {
      ...process.env,
      PATH: `${join(repo, 'bin')}:${process.env['PATH'] ?? ''}`,
      VIRTNET_DEFAULT_URI: `unix://${join(root, 'run/virtnet/virtnetd.sock')}`,
    };
  }, 30_000);

  afterAll(async () => {
    // The OVN section's lab, if a failed step left it running.
    if (existsSync(join(work, 'lab'))) spawnSync(join(repo, 'bin/virtnet'), ['lab', 'stop', '--dir', join(work, 'lab')], { stdio: 'ignore' });
    if (daemon && daemon.exitCode === null) {
      daemon.kill('SIGTERM');
      await new Promise((r) => daemon!.once('exit', r));
    }
    spawnSync(join(repo, 'bin/virtnetd'), ['--root', root, '--sandbox-cleanup'], { stdio: 'ignore' });
    // Last resort if the cleanup could not run: the sandbox, its uplink and its guests.
    const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .stdout.split('\n')
      .map((l) => l.split(' ')[0]!);
    for (const ns of left) if (namespaces[0] && ns.startsWith(`${namespaces[0]}-g-`)) deleteNetns(ns);
    for (const ns of namespaces) deleteNetns(ns);
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  it('runs every command block as written, with the outputs the README shows', () => {
    for (const step of tutorialSteps(readme)) {
      const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', step.script], { cwd: work, env, encoding: 'utf8' });
      const where = `README.md line ${step.line}:\n${step.script}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
      expect(r.status, where).toBe(0);
      if (step.expected !== undefined) {
        const uuids = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
        expect(r.stdout.replace(uuids, 'UUID'), where).toBe(step.expected);
      }
    }
  }, 120_000);
});
