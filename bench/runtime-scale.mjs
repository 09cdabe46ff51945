// Runs bench/runtime-scale.ts: bundles it with esbuild (as scripts/build.mjs does for dist/) into
// node_modules/.cache/virtnet-bench/ and imports it. Usage: node bench/runtime-scale.mjs [--networks N] [--json]
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(repo, 'node_modules/.cache/virtnet-bench/runtime-scale.mjs');
await build({
  entryPoints: [join(repo, 'bench/runtime-scale.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['libxml2-wasm'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
