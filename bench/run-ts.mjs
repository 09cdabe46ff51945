// Runs a TypeScript bench script: bundles it with esbuild (as scripts/build.mjs does for dist/) into
// node_modules/.cache/virtnet-bench/ and imports it. Used by the bench/*.mjs entry points.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { basename, dirname, join } from 'node:path';
import { nodeEsmBundle } from '../scripts/node-bundle.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundle bench/NAME.ts and run it (its arguments are process.argv's). */
export async function runBench(name) {
  const outfile = join(repo, `node_modules/.cache/virtnet-bench/${basename(name)}.mjs`);
  await build({
    entryPoints: [join(repo, 'bench', `${name}.ts`)],
    outfile,
    ...nodeEsmBundle,
    logLevel: 'warning',
  });
  await import(pathToFileURL(outfile).href);
}
