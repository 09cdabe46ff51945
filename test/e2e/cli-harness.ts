/**
 * Running the real `virtnet` process in end-to-end tests: the CLI is
 * bundled from src/cli/main.ts as scripts/build.mjs does, into a private
 * folder under node_modules/.cache (so a stale dist/ never hides a change),
 * and each call is its own `node BUNDLE ARGS…` process, as a user's would
 * be. The daemon side comes from daemon-process.ts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let bundleDir: string | undefined;
let bundlePath: Promise<string> | undefined;

/** Bundle the CLI once per test file; returns the bundle's path. */
export function cliBundle(): Promise<string> {
  bundlePath ??= (async () => {
    const cache = join(repo, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    bundleDir = mkdtempSync(join(cache, 'virtnet-e2e-'));
    const out = join(bundleDir, 'virtnet.js');
    await build({
      entryPoints: [join(repo, 'src/cli/main.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['libxml2-wasm'],
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      logLevel: 'warning',
    });
    return out;
  })();
  return bundlePath;
}

export function cliBundleText(path: string): string {
  return readFileSync(path, 'utf8');
}

export function removeCliBundle(): void {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
  bundlePath = undefined;
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
}

/** One `virtnet ARGS…` process. */
export async function virtnet(args: string[], o: CliRunOptions = {}): Promise<CliRun> {
  const bundle = await cliBundle();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], {
      cwd: o.cwd ?? repo,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', LC_ALL: 'C', ...(o.env ?? {}) },
      stdio: ['pipe', 'pipe', 'pipe'],
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
