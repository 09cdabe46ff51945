/**
 * FakeHost: a Host that keeps everything in memory (fake-kernel.ts) and
 * records every call, so the network driver can be unit-tested without root.
 *
 * - Link transactions go through the *real* transaction code
 *   (link-transaction.ts) over an in-memory `ip -batch` interpreter, so undo
 *   scripts, rollbacks and error texts are the ones LinuxHost produces.
 * - nftables batches are all-or-nothing, as in the kernel.
 * - Daemons are pretend processes with pids and in-memory pid files; they
 *   receive signals (recorded), die on TERM/KILL and can be made to crash.
 * - Faults can be injected: fail a batch line matching a pattern, or the next
 *   call of a method.
 *
 * Several FakeHosts can share one FakeKernel to model several namespaces
 * (a host namespace and guest namespaces joined by veth pairs).
 */
import { basename } from 'node:path';
import type { AddressFamily } from '../../src/conf/network/types.js';
import { VirError } from '../../src/util/errors.js';
import { canonicalIp } from '../../src/util/ip.js';
import { HostError } from '../../src/host/errors.js';
import type { AddressRecord, LinkRecord, RouteRecord } from '../../src/host/facts-parse.js';
import { FakeBatchRunner, FakeKernel } from './fake-kernel.js';
import type { HostFacts } from '../../src/host/facts.js';
import { type KernelFeatures, unsupportedLinkType } from '../../src/host/features.js';
import type { Host, LinkExecutor } from '../../src/host/host.js';
import type { LinkOp, UndoLine } from '../../src/host/link-ops.js';
import { type AppliedLinkChanges, type RevertResult, applyLinkOps, revertLinkChanges } from '../../src/host/link-transaction.js';
import type { NetnsBinding } from '../../src/host/netns.js';
import type { NftFamily, NftObject, NftTableRef, Nftables } from '../../src/host/nft.js';
import { type DaemonSignal, type DaemonSpec, type ProcessInfo, type Processes, checkPid } from '../../src/host/processes.js';
import { type SysctlEntry, type SysctlKey, type Sysctls, sysctlPath } from '../../src/host/sysctl.js';

/** One recorded call: which part of the host, which method, with what. */
export interface FakeCall {
  area: 'facts' | 'links' | 'nft' | 'sysctl' | 'processes' | 'features';
  method: string;
  args: unknown[];
}

export interface FakeProcess {
  pid: number;
  argv: string[];
  env: Record<string, string>;
  netns: NetnsBinding;
  alive: boolean;
  /** Signals received, in order. */
  signals: DaemonSignal[];
}

/** Shared by every FakeHost on one FakeKernel: the pretend process table and pid files. */
export class FakeProcessTable {
  readonly processes = new Map<number, FakeProcess>();
  readonly pidFiles = new Map<string, number>();
  private nextPid = 40_000;
  allocate(): number {
    return this.nextPid++;
  }
}

export interface FakeHostOptions {
  netns?: NetnsBinding;
  /** Share state with other fake hosts (other namespaces); a new kernel by default. */
  kernel?: FakeKernel;
  processTable?: FakeProcessTable;
  /** tc actions the fake kernel has (default none, like this project's test machines). */
  tcActions?: Iterable<string>;
}

type MethodFault = { area: FakeCall['area']; method: string; error: Error };

export class FakeHost implements Host {
  readonly netns: NetnsBinding;
  readonly kernel: FakeKernel;
  readonly processTable: FakeProcessTable;
  readonly batch: FakeBatchRunner;
  readonly calls: FakeCall[] = [];
  readonly facts: HostFacts;
  readonly links: LinkExecutor;
  readonly nft: Nftables;
  readonly sysctl: Sysctls;
  readonly processes: Processes;
  readonly features: KernelFeatures;
  private readonly faults: MethodFault[] = [];
  /** Messages the next `processes.check` calls refuse with (see refuseNextCheck). */
  private readonly checkVerdicts: string[] = [];
  private readonly tcActions: Set<string>;

  constructor(opts: FakeHostOptions = {}) {
    this.netns = opts.netns ?? null;
    this.kernel = opts.kernel ?? new FakeKernel();
    this.processTable = opts.processTable ?? new FakeProcessTable();
    this.tcActions = new Set(opts.tcActions ?? []);
    this.kernel.ns(this.netns);
    this.batch = new FakeBatchRunner(this.kernel);
    this.facts = this.makeFacts();
    this.links = this.makeLinks();
    this.nft = this.makeNft();
    this.sysctl = this.makeSysctl();
    this.processes = this.makeProcesses();
    this.features = this.makeFeatures();
  }

  /** A fake host for another namespace on the same kernel and process table. */
  inNamespace(netns: string): FakeHost {
    return new FakeHost({ netns, kernel: this.kernel, processTable: this.processTable, tcActions: this.tcActions });
  }

  // ---- recording and faults ---------------------------------------------

  private record(area: FakeCall['area'], method: string, args: unknown[]): void {
    this.calls.push({ area, method, args: structuredClone(args) });
    const at = this.faults.findIndex((f) => f.area === area && f.method === method);
    if (at >= 0) {
      const [fault] = this.faults.splice(at, 1);
      throw (fault as MethodFault).error;
    }
  }

  /** The recorded calls of one area (and method). */
  callsOf(area: FakeCall['area'], method?: string): FakeCall[] {
    return this.calls.filter((c) => c.area === area && (method === undefined || c.method === method));
  }

  /** Make the next call of `area.method` throw `error`. */
  failNext(area: FakeCall['area'], method: string, error: Error): void {
    this.faults.push({ area, method, error });
  }

  /** Make the next `times` batch lines whose text matches `pattern` fail with ip's message `message`. */
  failLine(pattern: RegExp, message = 'RTNETLINK answers: File exists', times = 1): void {
    this.kernel.lineFaults.push({ pattern, reason: message, remaining: times });
  }

  /** Make the next `processes.check` (e.g. `dnsmasq --test`) refuse with this message; checks pass otherwise. */
  refuseNextCheck(message: string): void {
    this.checkVerdicts.push(message);
  }

  /** Pretend a daemon died on its own (crash, OOM kill). */
  crash(pid: number): void {
    const p = this.processTable.processes.get(pid);
    if (p) p.alive = false;
  }

  linkExists(name: string): Promise<boolean> {
    return this.facts.linkExists(name);
  }

  // ---- parts -------------------------------------------------------------

  private makeFacts(): HostFacts {
    const k = this.kernel;
    const ns = this.netns;
    const rec = this.record.bind(this);
    return {
      async links(): Promise<LinkRecord[]> {
        rec('facts', 'links', []);
        return k.linkRecords(ns);
      },
      async link(name: string): Promise<LinkRecord | undefined> {
        rec('facts', 'link', [name]);
        return k.linkRecords(ns).find((l) => l.name === name);
      },
      async linkExists(name: string): Promise<boolean> {
        rec('facts', 'linkExists', [name]);
        return k.ns(ns).links.has(name);
      },
      async addresses(dev?: string): Promise<AddressRecord[]> {
        rec('facts', 'addresses', dev === undefined ? [] : [dev]);
        return k.addressRecords(ns, dev);
      },
      async routes(family?: AddressFamily): Promise<RouteRecord[]> {
        rec('facts', 'routes', family === undefined ? [] : [family]);
        return k.routeRecords(ns, family);
      },
      async mainRoutes4(hint: { pids?: readonly number[] } = {}): Promise<RouteRecord[]> {
        rec('facts', 'mainRoutes4', hint.pids === undefined ? [] : [hint.pids]);
        return k.routeRecords(ns, 'ipv4').filter((r) => r.table === undefined || r.table === 'main');
      },
      async waitForDad(addresses: readonly string[]): Promise<void> {
        rec('facts', 'waitForDad', [addresses.map((a) => canonicalIp(a) ?? a)]);
      },
    };
  }

  private makeLinks(): LinkExecutor {
    const rec = this.record.bind(this);
    const batch = this.batch;
    const ns = this.netns;
    return {
      async apply(ops: readonly LinkOp[]): Promise<AppliedLinkChanges> {
        rec('links', 'apply', [ops]);
        return applyLinkOps(batch, ops, ns);
      },
      async revert(undo: readonly UndoLine[]): Promise<RevertResult> {
        rec('links', 'revert', [undo]);
        return revertLinkChanges(batch, undo, ns);
      },
      async deleteLinks(names: readonly string[]): Promise<RevertResult> {
        rec('links', 'deleteLinks', [names]);
        // The in-memory kernel has no link groups: one `link del` line each, as for one link on Linux.
        return revertLinkChanges(
          batch,
          names.map((name) => ({ netns: ns, args: ['link', 'del', 'dev', name] })),
          ns,
        );
      },
    };
  }

  private makeNft(): Nftables {
    const rec = this.record.bind(this);
    const k = this.kernel;
    const ns = this.netns;
    const tables = (): NftTableRef[] =>
      [...k.ns(ns).nft.keys()].map((key) => {
        const [family, name] = key.split(' ');
        return { family: family as NftFamily, name: name as string };
      });
    return {
      async apply(commands: readonly NftObject[], opts: { echo?: boolean } = {}): Promise<NftObject[]> {
        rec('nft', 'apply', [commands, opts]);
        if (commands.length === 0) return [];
        try {
          const echoed = k.nftApply(ns, commands);
          return opts.echo ? echoed : [];
        } catch (e) {
          const reason = (e as Error).message;
          throw new HostError('INTERNAL_ERROR', `Failed to apply nftables rules: ${reason}`, { reason });
        }
      },
      async listTable(family: NftFamily, name: string): Promise<NftObject[] | undefined> {
        rec('nft', 'listTable', [family, name]);
        const objs = k.ns(ns).nft.get(`${family} ${name}`);
        return objs ? structuredClone(objs) : undefined;
      },
      async tableExists(family: NftFamily, name: string): Promise<boolean> {
        rec('nft', 'tableExists', [family, name]);
        return k.ns(ns).nft.has(`${family} ${name}`);
      },
      async listTables(): Promise<NftTableRef[]> {
        rec('nft', 'listTables', []);
        return tables();
      },
      async listRuleset(): Promise<NftObject[]> {
        rec('nft', 'listRuleset', []);
        return structuredClone([...k.ns(ns).nft.values()].flat());
      },
      // Others' transactions are the kernel's nftApplyAsOther; ours never reach the watch.
      watchTable(_family: NftFamily, _name: string, changed: (why: 'foreign' | 'gap') => void) {
        const stop = k.watchNft(ns, () => changed('foreign'));
        return {
          close: async () => {
            stop();
          },
        };
      },
    };
  }

  private makeSysctl(): Sysctls {
    const rec = this.record.bind(this);
    const k = this.kernel;
    const ns = this.netns;
    const read = (key: SysctlKey): string | undefined => k.ns(ns).sysctls.get(sysctlPath(key));
    const write = (key: SysctlKey, value: string): boolean => {
      const path = sysctlPath(key);
      const table = k.ns(ns).sysctls;
      if (!table.has(path)) return false;
      if (!/^-?\d+$/.test(value.trim())) {
        throw new HostError('SYSTEM_ERROR', `cannot write to '${path}': Invalid argument`, { reason: 'Invalid argument' });
      }
      table.set(path, value.trim());
      return true;
    };
    return {
      async read(key: SysctlKey): Promise<string | undefined> {
        rec('sysctl', 'read', [key]);
        return read(key);
      },
      async readMany(keys: readonly SysctlKey[]): Promise<(string | undefined)[]> {
        rec('sysctl', 'readMany', [keys]);
        return keys.map(read);
      },
      async write(key: SysctlKey, value: string): Promise<boolean> {
        rec('sysctl', 'write', [key, value]);
        return write(key, value);
      },
      async writeMany(entries: readonly SysctlEntry[]): Promise<boolean[]> {
        rec('sysctl', 'writeMany', [entries]);
        return entries.map((e) => write(e.key, e.value));
      },
    };
  }

  private makeProcesses(): Processes {
    const rec = this.record.bind(this);
    const table = this.processTable;
    const ns = this.netns;
    const running = (pid: number, program: string): boolean => {
      const p = table.processes.get(pid);
      return !!p && p.alive && basename(p.argv[0] ?? '') === program && p.netns === ns;
    };
    return {
      async startDaemon(spec: DaemonSpec): Promise<number> {
        rec('processes', 'startDaemon', [spec]);
        const program = spec.argv[0];
        if (program === undefined) throw new VirError('INTERNAL_ERROR', 'empty daemon command line');
        const pid = table.allocate();
        table.processes.set(pid, { pid, argv: [...spec.argv], env: { ...spec.env }, netns: ns, alive: true, signals: [] });
        table.pidFiles.set(spec.pidFile, pid);
        return pid;
      },
      check: async (argv: readonly string[]): Promise<string | undefined> => {
        rec('processes', 'check', [argv]);
        return this.checkVerdicts.shift();
      },
      async readPidFile(path: string): Promise<number | undefined> {
        rec('processes', 'readPidFile', [path]);
        return table.pidFiles.get(path);
      },
      async info(pid: number): Promise<ProcessInfo | undefined> {
        rec('processes', 'info', [pid]);
        checkPid(pid);
        const p = table.processes.get(pid);
        if (!p?.alive) return undefined;
        return { pid, state: 'S', exe: `/usr/sbin/${basename(p.argv[0] ?? '')}`, argv: [...p.argv] };
      },
      async isRunning(pid: number, program: string): Promise<boolean> {
        rec('processes', 'isRunning', [pid, program]);
        checkPid(pid);
        return running(pid, program);
      },
      async signal(pid: number, signal: DaemonSignal): Promise<boolean> {
        rec('processes', 'signal', [pid, signal]);
        checkPid(pid);
        const p = table.processes.get(pid);
        if (!p?.alive) return false;
        p.signals.push(signal);
        if (signal !== 'SIGHUP') p.alive = false;
        return true;
      },
      async stop(pid: number, program: string): Promise<void> {
        rec('processes', 'stop', [pid, program]);
        checkPid(pid);
        if (!running(pid, program)) return;
        const p = table.processes.get(pid) as FakeProcess;
        p.signals.push('SIGTERM');
        p.alive = false;
      },
    };
  }

  private makeFeatures(): KernelFeatures {
    const rec = this.record.bind(this);
    const k = this.kernel;
    const tc = this.tcActions;
    const linkType = (kind: string): boolean => k.linkTypes.has(kind === 'tap' ? 'tun' : kind);
    return {
      async linkType(kind: string): Promise<boolean> {
        rec('features', 'linkType', [kind]);
        return linkType(kind);
      },
      async requireLinkType(kind: string): Promise<void> {
        rec('features', 'requireLinkType', [kind]);
        if (!linkType(kind)) throw unsupportedLinkType(kind);
      },
      async bridgeVlanFiltering(): Promise<boolean> {
        rec('features', 'bridgeVlanFiltering', []);
        return k.bridgeVlanFiltering;
      },
      async tcAction(name: string): Promise<boolean> {
        rec('features', 'tcAction', [name]);
        return tc.has(name);
      },
      async nftables(): Promise<boolean> {
        rec('features', 'nftables', []);
        return true;
      },
      async ipv6(): Promise<boolean> {
        rec('features', 'ipv6', []);
        return k.ipv6;
      },
    };
  }
}
