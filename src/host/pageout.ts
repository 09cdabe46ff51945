/**
 * An idle virtnetd gives back the pages of its code: virtnet-pageout
 * (pageout/pageout.c, built into dist/ by scripts/build.mjs when there is a
 * C compiler) asks the kernel to page out the clean file-backed pages of
 * virtnetd's process (process_madvise, MADV_PAGEOUT): node's binary and its
 * libraries, which the kernel maps generously (fault-around) and which a
 * daemon waiting for requests does not run. The kernel pages out only the
 * pages no other process maps. The idle collector (api/idle-gc.ts) runs it
 * once per quiet period, after its collection; docs/architecture.md
 * (*Memory*) says what it gives and what the next request pays.
 *
 * When it cannot be done — no helper (no C compiler at build time), a
 * kernel without process_madvise or MADV_PAGEOUT, a refusal (EPERM) — the log
 * says why once and virtnetd keeps its pages, as before.
 * VIRTNET_PAGEOUT_HELPER names another helper; set empty, or virtnetd's
 * --no-idle-pageout, switches it off.
 *
 * From the first page-out on, the pages of node's binary that the next
 * requests run are read back one by one: the addon virtnet-read-advice.node
 * (pageout/read-advice.c) advises random reads (MADV_RANDOM) on the binary's
 * mappings, so the kernel neither reads ahead around each page nor maps those
 * neighbours in. VIRTNET_READ_ADVICE names another addon; set empty, it
 * switches that off.
 */
import { spawn } from 'node:child_process';
import { type AddonFunction, type BuiltFileLookup, builtFileDirs, findBuiltFile, loadAddonFunction } from './built-files.js';

/** The helper's file name in dist/. */
const HELPER_NAME = 'virtnet-pageout';

/** The helper virtnetd uses: VIRTNET_PAGEOUT_HELPER when set (empty: none), else virtnet-pageout in one of `dirs`. */
export function findPageoutHelper(env: NodeJS.ProcessEnv = process.env, dirs: readonly string[] = builtFileDirs()): BuiltFileLookup {
  return findBuiltFile(HELPER_NAME, 'VIRTNET_PAGEOUT_HELPER', env, dirs);
}

/** The addon's file name in dist/. */
const READ_ADVICE_ADDON = 'virtnet-read-advice.node';

/** Advises random reads on the mappings of node's binary in this process; how many mappings it advised. */
export type AdviseRandomRead = () => number;

/** The addon: VIRTNET_READ_ADVICE when set (empty: none), else in one of `dirs`. */
export function findReadAdviceAddon(env: NodeJS.ProcessEnv = process.env, dirs: readonly string[] = builtFileDirs()): BuiltFileLookup {
  return findBuiltFile(READ_ADVICE_ADDON, 'VIRTNET_READ_ADVICE', env, dirs);
}

/** The addon's adviseRandomRead, switched off, or why there is none. */
export function loadReadAdvice(found: BuiltFileLookup = findReadAdviceAddon()): AddonFunction<AdviseRandomRead> {
  return loadAddonFunction<AdviseRandomRead>(found, 'adviseRandomRead');
}

/** What the log says, once, when the code paged out will come back with read-ahead. */
export function withReadAhead(why: string): string {
  return `${why}; virtnetd's code paged out when idle is read back with read-ahead (a few MiB more resident after the next burst of requests)`;
}

/** What the log says, once, when an idle virtnetd cannot give back its code's pages. */
export function withoutPageout(why: string): string {
  return `${why}; an idle virtnetd keeps its code's pages resident (it works the same, with a larger RSS)`;
}

/**
 * What one run of the helper did: started the page-out (its detached worker does it after `delayMs`),
 * cannot be done (for good, and why), or failed this time only.
 */
export type PageoutOutcome = { started: true } | { unavailable: string } | { failed: string };

/** What the kernel's refusals mean, by the errno name the helper prints after the step. */
const REFUSALS: Record<string, string> = {
  'pidfd_open: ENOSYS': 'this kernel has no pidfd_open (Linux 5.3 or later has it)',
  'process_madvise: ENOSYS': 'this kernel has no process_madvise (Linux 5.10 or later has it)',
  'process_madvise: EINVAL': 'this kernel does not take MADV_PAGEOUT (Linux 5.4 or later does)',
  'process_madvise: EPERM': 'the kernel refused process_madvise (EPERM: it needs CAP_SYS_NICE and ptrace access to virtnetd)',
};

/** The helper's one line on failure ("virtnet-pageout: STEP: ERRNO (text)") in words. */
export function explainHelperFailure(stderr: string): string {
  const line = stderr.trim().split('\n').pop() ?? '';
  const m = /^virtnet-pageout: (.+?): (E[A-Z]+) \((.*)\)$/.exec(line);
  if (m === null) return line === '' ? 'virtnet-pageout failed without saying why' : line;
  return REFUSALS[`${m[1]}: ${m[2]}`] ?? `virtnet-pageout: ${m[1]}: ${m[3]}`;
}

/** Errors of starting a process that concern this moment only (resources), not the helper. */
const TRANSIENT_SPAWN_ERRORS = new Set(['EAGAIN', 'EMFILE', 'ENFILE', 'ENOMEM']);

/**
 * Run the helper on process `pid`: it checks that the kernel can do it and ends, leaving the page-out to a
 * worker that waits `delayMs` first, so that what this process runs on the helper's end is paged out too.
 */
export function runPageoutHelper(helper: string, pid: number, delayMs = 0): Promise<PageoutOutcome> {
  return new Promise((done) => {
    const child = spawn(helper, [String(pid), String(delayMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('error', (e: NodeJS.ErrnoException) => {
      const why = `cannot run ${helper}: ${e.code ?? e.message}`;
      done(TRANSIENT_SPAWN_ERRORS.has(e.code ?? '') ? { failed: why } : { unavailable: why });
    });
    child.once('close', (status, signal) => {
      if (status === 0 && out.startsWith('paging out ')) done({ started: true });
      else if (signal !== null) done({ unavailable: `virtnet-pageout ended by ${signal}` });
      else done({ unavailable: explainHelperFailure(err) });
    });
  });
}

export interface SelfPageoutOptions {
  helper: BuiltFileLookup;
  /** Told once, when it cannot be done (the helper is missing, the kernel refuses), and once when the read advice cannot. */
  onUnavailable: (message: string) => void;
  /** Advised once the first page-out has started (loadReadAdvice); none by default. */
  readAdvice?: AddonFunction<AdviseRandomRead>;
  /** Told after each page-out started, and of each failure that concerns that moment only. */
  onStarted?: () => void;
  onFailed?: (why: string) => void;
  /** How long the helper's worker waits before it pages out (ms). */
  delayMs?: number;
  /** The helper's runner (tests); runPageoutHelper by default. */
  run?: (helper: string, pid: number, delayMs: number) => Promise<PageoutOutcome>;
}

/** Pages out this process's code through the helper: one run at a time, none once it cannot be done. */
export class SelfPageout {
  private helper: string | undefined;
  private running = false;
  /** The read advice still to give (once), if any. */
  private readAdvice: AdviseRandomRead | undefined;

  constructor(private readonly options: SelfPageoutOptions) {
    const found = options.helper;
    if ('path' in found) this.helper = found.path;
    else if ('missing' in found) options.onUnavailable(withoutPageout(found.missing));
    const advice = options.readAdvice;
    if (advice !== undefined && 'fn' in advice) this.readAdvice = advice.fn;
    else if (advice !== undefined && 'none' in advice && this.helper !== undefined) options.onUnavailable(withReadAhead(advice.none));
  }

  /** Whether a page-out may still be asked for (a helper, not refused). */
  get available(): boolean {
    return this.helper !== undefined;
  }

  /** Page out now, unless a run is under way or it cannot be done; resolves when the run has ended. */
  async pageOut(): Promise<void> {
    const helper = this.helper;
    if (helper === undefined || this.running) return;
    this.running = true;
    try {
      const outcome = await (this.options.run ?? runPageoutHelper)(helper, process.pid, this.options.delayMs ?? 0);
      if ('started' in outcome) {
        this.adviseRandomRead();
        this.options.onStarted?.();
      } else if ('failed' in outcome) this.options.onFailed?.(outcome.failed);
      else {
        this.helper = undefined;
        this.options.onUnavailable(withoutPageout(outcome.unavailable));
      }
    } finally {
      this.running = false;
    }
  }

  /** Give the read advice, once: the helper's worker pages out only after its delay, so before the pages go. */
  private adviseRandomRead(): void {
    const advise = this.readAdvice;
    if (advise === undefined) return;
    this.readAdvice = undefined;
    try {
      advise();
    } catch (err) {
      this.options.onUnavailable(withReadAhead(`cannot advise random reads: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}
