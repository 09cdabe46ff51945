/**
 * Running a snippet as a plain Node program (no test runner keeping the
 * event loop alive, its own process limits): the snippet is bundled with
 * esbuild together with the source modules it imports, then run with
 * `PREFIX… node FILE` (PREFIX e.g. `prlimit --nofile=64:64`).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** `imports`: names → module path relative to the repository root, e.g. { ExecRunner: 'src/host/runner.ts' }. */
export async function runAsProgram(
  scratch: string,
  name: string,
  imports: Readonly<Record<string, string>>,
  body: string,
  options: { prefix?: string[]; timeoutMs?: number } = {},
): Promise<SpawnSyncReturns<string>> {
  // Inside the repository, so the program finds dist/libxml2.cjs as the daemon's bundle does (src/xml/libxml2.ts).
  const cache = fileURLToPath(new URL('../../node_modules/.cache/virtnet-programs/', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const out = join(cache, `${name}-${randomBytes(4).toString('hex')}.mjs`);
  const lines = Object.entries(imports).map(
    ([symbol, path]) => `import { ${symbol} } from ${JSON.stringify(fileURLToPath(new URL(`../../${path}`, import.meta.url)))};`,
  );
  await build({
    stdin: { contents: `${lines.join('\n')}\n${body}`, resolveDir: scratch, loader: 'ts' },
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // CommonJS packages (fastify) bundled into an ES module call require(): give them one.
    banner: { js: "import { createRequire as __vntCreateRequire } from 'node:module'; const require = __vntCreateRequire(import.meta.url);" },
  });
  const argv = [...(options.prefix ?? []), process.execPath, out];
  try {
    return spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: options.timeoutMs ?? 20_000 });
  } finally {
    rmSync(out, { force: true });
  }
}
