/**
 * LinuxHost: the Host interface on the real kernel, bound to a named network
 * namespace (or, when none is given, the namespace this process runs in).
 * It only wires the single-purpose executors together over one command runner,
 * so every command of every part is logged the same way.
 */
import { randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { VirError } from '../util/errors.js';
import { LinuxFacts } from './facts.js';
import { LinuxKernelFeatures } from './features.js';
import type { Host, LinkExecutor, LinkWatch } from './host.js';
import { IpBatchRunner } from './ip-batch.js';
import { deleteLinksTogether } from './link-delete.js';
import { LinkMonitorParser } from './link-monitor.js';
import type { LinkOp, UndoLine } from './link-ops.js';
import { type AppliedLinkChanges, type BatchRunner, type RevertResult, applyLinkOps, revertLinkChanges } from './link-transaction.js';
import { MonitorProcess } from './monitor-process.js';
import { type NetnsBinding, inNetnsArgv, netnsPath, validateNetnsName } from './netns.js';
import { LinuxNftables } from './nft.js';
import { LinuxProcesses } from './processes.js';
import { ForkServerRunner } from './fork-server.js';
import { type JobServerRunner, settleJobs } from './job-server.js';
import { findZygoteLibrary, withoutZygote, ZygoteRunner } from './zygote.js';
import type { CommandLogger, CommandRunner } from './runner.js';
import { LinuxSysctls } from './sysctl.js';

export interface LinuxHostOptions {
  /** Namespace name under /run/netns; null or absent for the current namespace. */
  netns?: NetnsBinding;
  /** Runs the commands; defaults to a ForkServerRunner (src/host/fork-server.ts) logging to `logger`. */
  runner?: CommandRunner;
  logger?: CommandLogger;
  /**
   * virtnet-zygote.so, to fork dnsmasq from a zygote (src/host/zygote.ts); null for none.
   * Default: findZygoteLibrary() with the default runner, none with a runner of the caller's.
   */
  zygoteLibrary?: string | null;
  /** Told when dnsmasq is started without its zygote, and why (zygote.ts): the library is missing, or the zygote failed. */
  onWarning?: (message: string) => void;
  /**
   * Where the command helpers (fork server, zygote) make their private
   * directories; default the system's temp directory. A directory of its
   * own per driver lets a later process wait for the commands of one that
   * was killed (settlePreviousJobs).
   */
  jobDir?: string;
}

class BatchLinkExecutor implements LinkExecutor {
  constructor(
    private readonly batch: BatchRunner,
    private readonly netns: NetnsBinding,
  ) {}
  apply(ops: readonly LinkOp[]): Promise<AppliedLinkChanges> {
    return applyLinkOps(this.batch, ops, this.netns);
  }
  revert(undo: readonly UndoLine[]): Promise<RevertResult> {
    return revertLinkChanges(this.batch, undo, this.netns);
  }
  /** The links go through a fresh random link group in 2^30…2^31-1 (links normally sit in group 0). */
  deleteLinks(names: readonly string[]): Promise<RevertResult> {
    return deleteLinksTogether(this.batch, names, this.netns, randomInt(2 ** 30, 2 ** 31));
  }
  watchClosing(onClosed: (name: string) => void): LinkWatch {
    const monitor = new MonitorProcess({
      // setpriv --pdeathsig: the monitor ends with the process that started it, even one killed with SIGKILL.
      argv: inNetnsArgv(this.netns, ['setpriv', '--pdeathsig', 'TERM', 'ip', '-o', 'monitor', 'link']),
      what: 'ip monitor',
      reader: () => {
        const parser = new LinkMonitorParser(onClosed);
        return (chunk) => parser.push(chunk);
      },
    });
    monitor.start();
    return { close: () => monitor.stop() };
  }
}

export class LinuxHost implements Host {
  readonly netns: NetnsBinding;
  readonly runner: CommandRunner;
  readonly facts: LinuxFacts;
  readonly links: LinkExecutor;
  readonly nft: LinuxNftables;
  readonly sysctl: LinuxSysctls;
  readonly processes: LinuxProcesses;
  readonly features: LinuxKernelFeatures;
  private readonly jobDir: string | undefined;
  private readonly helpers: JobServerRunner[];

  constructor(opts: LinuxHostOptions = {}) {
    this.netns = opts.netns ?? null;
    if (this.netns !== null) validateNetnsName(this.netns);
    this.jobDir = opts.jobDir;
    const forkServer = opts.runner === undefined ? new ForkServerRunner(opts.logger, opts.jobDir) : undefined;
    this.runner = opts.runner ?? forkServer!;
    const batch = new IpBatchRunner(this.runner);
    this.facts = new LinuxFacts(this.runner, this.netns);
    this.links = new BatchLinkExecutor(batch, this.netns);
    this.nft = new LinuxNftables(this.runner, this.netns);
    this.sysctl = new LinuxSysctls(this.runner, this.netns);
    let library: string | undefined;
    if (opts.zygoteLibrary !== undefined) library = opts.zygoteLibrary ?? undefined;
    else if (opts.runner === undefined) {
      const found = findZygoteLibrary();
      if ('path' in found) library = found.path;
      else if ('missing' in found) opts.onWarning?.(withoutZygote('dnsmasq', found.missing));
    }
    const zygote =
      library === undefined
        ? undefined
        : new ZygoteRunner({
            program: 'dnsmasq',
            library,
            netns: this.netns,
            fallback: this.runner,
            ...(opts.logger ? { logger: opts.logger } : {}),
            ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
            ...(opts.jobDir !== undefined ? { baseDir: opts.jobDir } : {}),
          });
    this.helpers = [];
    if (forkServer !== undefined) this.helpers.push(forkServer);
    if (zygote !== undefined) this.helpers.push(zygote);
    this.processes = new LinuxProcesses(this.runner, this.netns, zygote);
    this.features = new LinuxKernelFeatures(this.runner, batch, this.sysctl, this.netns);
  }

  /** A host bound to `opts.netns`, after checking that the namespace exists. */
  static async open(opts: LinuxHostOptions = {}): Promise<LinuxHost> {
    const netns = opts.netns ?? null;
    if (netns !== null) {
      try {
        await stat(netnsPath(netns));
      } catch {
        throw new VirError('OPERATION_FAILED', `network namespace '${netns}' does not exist`);
      }
    }
    return new LinuxHost(opts);
  }

  linkExists(name: string): Promise<boolean> {
    return this.facts.linkExists(name);
  }

  /**
   * Wait (up to `timeoutMs`) until the commands a killed process started
   * through helpers in `jobDir` have ended, and remove what they left
   * (job-server.ts's settleJobs). Nothing to do without a jobDir. Returns
   * the pids still running at the end.
   */
  async settlePreviousJobs(timeoutMs: number): Promise<number[]> {
    if (this.jobDir === undefined) return [];
    const own = this.helpers.flatMap((h) => (h.helperDir !== undefined ? [h.helperDir] : []));
    return settleJobs(this.jobDir, timeoutMs, own);
  }
}
