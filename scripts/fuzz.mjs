// `npm run fuzz [-- ARGS]`: bundles scripts/fuzz.ts (the fuzzer of test/fuzz/engine.ts)
// into dist/fuzz.js, as build.mjs bundles the other entry points, and runs it with ARGS.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { nodeEsmBundle } from './node-bundle.mjs';

await build({ ...nodeEsmBundle, entryPoints: { fuzz: 'scripts/fuzz.ts' }, outdir: 'dist', sourcemap: true, logLevel: 'warning' });
const r = spawnSync(process.execPath, ['dist/fuzz.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
