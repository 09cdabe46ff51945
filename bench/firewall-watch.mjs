// Runs bench/firewall-watch.ts (bundled by run-ts.mjs). Usage: node bench/firewall-watch.mjs [--networks N]
import { runBench } from './run-ts.mjs';

await runBench('firewall-watch');
