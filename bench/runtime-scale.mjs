// Runs bench/runtime-scale.ts (bundled by run-ts.mjs). Usage: node bench/runtime-scale.mjs [--networks N] [--json]
import { runBench } from './run-ts.mjs';

await runBench('runtime-scale');
