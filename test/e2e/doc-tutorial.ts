/**
 * What the tests that run a tutorial as written share (test/e2e/readme.test.ts
 * for README.md, tutorial-es.test.ts for docs/es/tutorial.md): the command
 * blocks of a Markdown document, each with the text block that follows it,
 * and a real virtnetd in sandbox mode over a temporary root to run them
 * against. Blocks marked `<!-- readme-test: skip ... -->` are not run;
 * ```text blocks are compared with the stdout of the block before them
 * (uuids written as UUID); blocks of any other language only illustrate.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deleteNetns } from './netns.js';

export const repo = resolve(import.meta.dirname, '../..');

export interface DocStep {
  script: string;
  expected?: string;
  line: number;
}

/** The command blocks under `heading` (the whole document without one), each with the text block that follows it, if any. */
export function tutorialSteps(markdown: string, heading?: string): DocStep[] {
  const lines = markdown.split('\n');
  let start = -1;
  let end = lines.length;
  if (heading !== undefined) {
    start = lines.indexOf(heading);
    if (start < 0) throw new Error(`no "${heading}" section`);
    const level = /^#+ /.exec(heading)?.[0] ?? '## ';
    const next = lines.findIndex((l, i) => i > start && l.startsWith(level));
    if (next >= 0) end = next;
  }
  const steps: DocStep[] = [];
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

export const docsBuilt = existsSync(join(repo, 'dist/virtnetd.js')) && existsSync(join(repo, 'dist/virtnet.cjs'));

export interface DocSandbox {
  root: string;
  /** The working directory the blocks run in (ROOT/work). */
  work: string;
  /** PATH with bin/ first and VIRTNET_DEFAULT_URI naming the daemon's socket. */
  env: NodeJS.ProcessEnv;
  daemon: ChildProcess;
  namespaces: string[];
}

/** A virtnetd in sandbox mode over a fresh temporary root. */
export async function startDocSandbox(prefix: string): Promise<DocSandbox> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const work = join(root, 'work');
  mkdirSync(work);
  const daemon = spawn(join(repo, 'bin/virtnetd'), ['--root', root, '--sandbox', '--log-file', join(root, 'daemon.log')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  daemon.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  daemon.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const sandbox: DocSandbox = {
    root,
    work,
    daemon,
    namespaces: [],
    env: {
      ...process.env,
      PATH: `${join(repo, 'bin')}:${process.env['PATH'] ?? ''}`,
      VIRTNET_DEFAULT_URI: `unix://${join(root, 'run/virtnet/virtnetd.sock')}`,
    },
  };
  const deadline = Date.now() + 20_000;
  while (!/serving unix/.test(out)) {
    if (Date.now() > deadline || daemon.exitCode !== null) {
      await stopDocSandbox(sandbox);
      throw new Error(`virtnetd did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const m = /sandbox network namespace '([^']+)' with uplink namespace '([^']+)'/.exec(out);
  if (m) sandbox.namespaces = [m[1]!, m[2]!];
  return sandbox;
}

/** Stop the daemon, remove the sandbox (its namespaces and guests') and the root. */
export async function stopDocSandbox(s: DocSandbox | undefined): Promise<void> {
  if (s === undefined) return;
  const { daemon, root, namespaces } = s;
  if (daemon.exitCode === null && daemon.signalCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
  spawnSync(join(repo, 'bin/virtnetd'), ['--root', root, '--sandbox-cleanup'], { stdio: 'ignore' });
  // Last resort if the cleanup could not run: the sandbox, its uplink and its guests.
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(' ')[0]!);
  for (const ns of left) if (namespaces[0] && ns.startsWith(`${namespaces[0]}-g-`)) deleteNetns(ns);
  for (const ns of namespaces) deleteNetns(ns);
  rmSync(root, { recursive: true, force: true });
}

/** Run one step with bash -e; its result, and where it is in the document for messages. */
export function runStep(
  s: DocSandbox,
  step: DocStep,
  doc: string,
  env: NodeJS.ProcessEnv = s.env,
): { status: number | null; stdout: string; where: string } {
  const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', step.script], { cwd: s.work, env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, where: `${doc} line ${step.line}:\n${step.script}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}` };
}

/** A step's stdout as its text block shows it (uuids as UUID). */
export const withUuidsHidden = (stdout: string): string => stdout.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID');
