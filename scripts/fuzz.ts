/**
 * `npm run fuzz`: the fuzzer of test/fuzz/engine.ts over 100,000 inputs (or
 * `--count N`), each examined in a worker thread that is replaced when an
 * input runs past the time budget (a hang). Prints the counts of crashes,
 * hangs, unclean errors and round-trip breaks, and the first findings of
 * each with how to rerun them; exits non-zero if any count is not 0.
 *
 *   npm run fuzz -- [--count N] [--seed S] [--budget MS] [--only INDEX]
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  CATEGORIES,
  corpusDir,
  emptySummary,
  examine,
  inputArbitrary,
  inputAt,
  loadCorpus,
  record,
  report,
  type Corpus,
  type FuzzSummary,
  type Verdict,
} from '../test/fuzz/engine.js';

interface Args {
  count: number;
  seed: number;
  budgetMs: number;
  only: number | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { count: 100_000, seed: 20_261_010, budgetMs: 2000, only: undefined };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    switch (argv[i]) {
      case '--count':
        args.count = value;
        break;
      case '--seed':
        args.seed = value;
        break;
      case '--budget':
        args.budgetMs = value;
        break;
      case '--only':
        args.only = value;
        break;
      default:
        throw new Error(`unknown argument '${argv[i]}' (use --count N, --seed S, --budget MS, --only INDEX)`);
    }
    if (!Number.isInteger(value)) throw new Error(`${argv[i]} needs a whole number`);
    i++;
  }
  return args;
}

interface WorkerSetup {
  seed: number;
  corpusDir: string;
}

/** The worker: examines the inputs it is sent, by index, and answers with the verdict. */
function serve(setup: WorkerSetup): void {
  const arb = inputArbitrary(loadCorpus(setup.corpusDir));
  examine(inputAt(arb, setup.seed, 0));
  parentPort!.postMessage('ready');
  parentPort!.on('message', (index: number) => {
    parentPort!.postMessage({ index, verdict: examine(inputAt(arb, setup.seed, index)) });
  });
}

/** Examine inputs 0..count-1 one at a time in a worker; one that does not answer within the budget is a hang. */
async function runInWorkers(args: Args, dir: string, corpus: Corpus | undefined): Promise<FuzzSummary> {
  const started = Date.now();
  const summary = emptySummary(args.seed, corpus);
  const arb = inputArbitrary(corpus);
  const setup: WorkerSetup = { seed: args.seed, corpusDir: dir };
  const self = fileURLToPath(import.meta.url);
  let worker: Worker | undefined;
  /** A worker that has loaded everything (libxml2 too), so its start-up is not counted against an input. */
  const fresh = (): Promise<Worker> =>
    new Promise((ready, fail) => {
      const w = new Worker(self, { workerData: setup });
      w.once('message', () => ready(w));
      w.once('error', fail);
    });
  for (let index = 0; index < args.count; index++) {
    worker ??= await fresh();
    const w = worker;
    const outcome = await new Promise<Verdict | { kind: 'hang'; detail: string }>((done) => {
      const timer = setTimeout(() => done({ kind: 'hang', detail: `no answer within ${args.budgetMs} ms` }), args.budgetMs);
      const finish = (v: Verdict | { kind: 'hang'; detail: string }): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        done(v);
      };
      const onMessage = (m: { index: number; verdict: Verdict }): void => finish(m.verdict);
      const onError = (e: Error): void => finish({ kind: 'finding', category: 'crash', detail: `worker: ${e.message}` });
      w.on('message', onMessage);
      w.on('error', onError);
      w.postMessage(index);
    });
    if (outcome.kind === 'hang' || (outcome.kind === 'finding' && outcome.detail.startsWith('worker:'))) {
      await worker.terminate();
      worker = undefined;
    }
    record(summary, inputAt(arb, args.seed, index), outcome);
    if ((index + 1) % 10_000 === 0) process.stderr.write(`fuzz: ${index + 1} / ${args.count}\n`);
  }
  await worker?.terminate();
  summary.ms = Date.now() - started;
  return summary;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const dir = corpusDir(repo);
  const corpus = loadCorpus(dir);
  if (!corpus) process.stderr.write(`fuzz: libvirt's corpus is absent at ${dir}: only generated documents are fuzzed\n`);
  if (args.only !== undefined) {
    const input = inputAt(inputArbitrary(corpus), args.seed, args.only);
    process.stdout.write(`${JSON.stringify(input, null, 2)}\n${JSON.stringify(examine(input), null, 2)}\n`);
    return;
  }
  const summary = await runInWorkers(args, dir, corpus);
  process.stdout.write(`${report(summary)}\n`);
  process.exitCode = CATEGORIES.some((c) => summary.counts[c] > 0) ? 1 : 0;
}

if (isMainThread) {
  main().catch((e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
} else {
  serve(workerData as WorkerSetup);
}
