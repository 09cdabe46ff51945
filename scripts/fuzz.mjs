// `npm run fuzz [-- ARGS]`: bundles scripts/fuzz.ts (the fuzzer of test/fuzz/engine.ts)
// into dist/fuzz.js, as build.mjs bundles the other entry points, and runs it with ARGS.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

await build({
  entryPoints: { fuzz: 'scripts/fuzz.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['libxml2-wasm'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['dist/fuzz.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
