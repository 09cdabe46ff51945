/**
 * Running the real `virtnet` process in end-to-end tests: the CLI is
 * bundled from src/cli/main.ts as scripts/build.mjs does, into a private
 * folder (esbuild-bundle.ts: a stale dist/ never hides a change), and each
 * call is its own `node BUNDLE ARGS…` process, as a user's would be. The
 * daemon side comes from daemon-process.ts.
 */
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { repo, testBundle } from './esbuild-bundle.js';

const bundle = testBundle('src/cli/main.ts', 'virtnet.cjs');

/** Bundle the CLI once per test file; returns the bundle's path. */
export function cliBundle(): Promise<string> {
  return bundle.path();
}

export function cliBundleText(path: string): string {
  return readFileSync(path, 'utf8');
}

export function removeCliBundle(): void {
  bundle.remove();
}

export interface CliRun {
  stdout: string;
  stderr: string;
  rc: number;
}

export interface CliRunOptions {
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  /** Run as this user (and group) instead of ours, e.g. 65534 (nobody). */
  uid?: number;
}

/** One `virtnet ARGS…` process. */
export async function virtnet(args: string[], o: CliRunOptions = {}): Promise<CliRun> {
  const path = await cliBundle();
  // Another user must be able to read the bundle in its private folder.
  if (o.uid !== undefined) chmodSync(dirname(path), 0o755);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path, ...args], {
      cwd: o.cwd ?? repo,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', LC_ALL: 'C', ...(o.env ?? {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(o.uid !== undefined ? { uid: o.uid, gid: o.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`virtnet ${args.join(' ')} did not finish\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, o.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, rc: code ?? -1 });
    });
    child.stdin.end(o.stdin ?? '');
  });
}
