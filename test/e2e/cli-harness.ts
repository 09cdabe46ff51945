/**
 * Running the real `virtnet` process in end-to-end tests: the CLI is
 * bundled from src/cli/main.ts as scripts/build.mjs does, into a private
 * folder (esbuild-bundle.ts: a stale dist/ never hides a change), and each
 * call is its own `node BUNDLE ARGS…` process, as a user's would be. The
 * daemon side comes from daemon-process.ts.
 */
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { expect } from 'vitest';
import { type ClientRun, type ClientRunOptions, runClient } from '../support/libvirt-clients.js';
import { repo, testBundle } from './esbuild-bundle.js';

const bundle = testBundle('src/cli/main.ts', 'virtnet.cjs');

/** Bundle the CLI once per test file; returns the bundle's path. */
export function cliBundle(): Promise<string> {
  return bundle.path();
}

/** The text of the bundle at `path` and of every chunk beside it (NAME-*.cjs): all the code a call may run. */
export function cliBundleText(path: string): string {
  const name = basename(path, '.cjs');
  const chunks = readdirSync(dirname(path)).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.cjs'));
  return [path, ...chunks.map((f) => join(dirname(path), f))].map((f) => readFileSync(f, 'utf8')).join('\n');
}

export function removeCliBundle(): void {
  bundle.remove();
}

export type CliRun = ClientRun;

/** `uid`: run as this user (and group) instead of ours, e.g. 65534 (nobody). */
export type CliRunOptions = ClientRunOptions;

/** `virtnet ARGS…` for each step in turn, in `o.cwd`, each expected to succeed (a failure shows its stderr). */
export async function virtnetEach(steps: string[][], o: CliRunOptions): Promise<void> {
  for (const args of steps) {
    const r = await virtnet(args, o);
    expect(r.rc, `virtnet ${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
}

/** One `virtnet ARGS…` process (in the repository unless `cwd` says otherwise; an empty stdin unless `stdin`). */
export async function virtnet(args: string[], o: CliRunOptions = {}): Promise<CliRun> {
  const path = await cliBundle();
  // Another user must be able to read the bundle in its private folder.
  if (o.uid !== undefined) chmodSync(dirname(path), 0o755);
  return runClient(process.execPath, [path, ...args], { ...o, cwd: o.cwd ?? repo, stdin: o.stdin ?? '' });
}
