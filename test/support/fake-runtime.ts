/**
 * An in-memory NetworkRuntime for the driver's unit tests (and the driver
 * bench). It keeps a tiny "kernel" — link names and dnsmasq pids — that can outlive one runtime, so a test can stop a
 * driver and start another over the same state, as after a daemon restart.
 *
 * What it models from the real runtime's contract (src/driver/runtime/seam.ts):
 * - start creates the bridge link (none/nat/route/open), refuses a bridge
 *   that already exists and an IPv4 subnet that overlaps another active
 *   network's or one on its way up (checked and claimed before the first
 *   await, as LinuxRuntime does) by the real rule, plan/plan-collision.ts,
 *   without host routes; and returns an AppliedNetwork record
 *   { runtime: 'fake', ... };
 * - a `<pf>` network gets a pretend pool of virtual functions in its record;
 * - stop removes the link; adopt returns null (after cleaning up) when the
 *   link is gone, else a fresh record; updateLive bumps a generation;
 *   leases returns what the test put in; cleanup is recorded.
 * Tests can make any call fail (failNext), hold calls at a gate to observe
 * concurrency, and read every call made (calls).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ForwardInterface, type NetworkDef, VIRTUAL_FORWARD_MODES } from '../../src/conf/network/types.js';
import { VirError } from '../../src/util/errors.js';
import { findSubnetCollision } from '../../src/plan/plan-collision.js';
import type { DhcpLease } from '../../src/contract/network-api.js';
import type {
  AppliedNetwork,
  DryRunContext,
  LiveChange,
  PlannedChanges,
  NetworkHealthChange,
  NetworkRuntime,
  StartContext,
  UpdateContext,
} from '../../src/driver/runtime/index.js';

/** Host state that survives a driver (and runtime) restart. */
export interface FakeRuntimeState {
  links: Set<string>;
  /** Bridge name → its MAC: the network's <mac>, as the Linux runtime gives its bridge. */
  bridgeMacs: Map<string, string>;
  /** Network name → pid of its (pretend) dnsmasq. */
  dnsmasq: Map<string, number>;
  nextPid: number;
  /** Network name → the generation (live updates) its dnsmasq runs. */
  generations: Map<string, number>;
}

export function createFakeRuntimeState(links: Iterable<string> = []): FakeRuntimeState {
  return { links: new Set(links), bridgeMacs: new Map(), dnsmasq: new Map(), nextPid: 1000, generations: new Map() };
}

export type FakeRuntimeOp = 'start' | 'stop' | 'adopt' | 'updateLive' | 'leases' | 'cleanup' | 'dryRun' | 'forgetForwardFlows';

export interface FakeRuntimeCall {
  op: FakeRuntimeOp;
  network: string;
  /** start: the other active networks' names; updateLive: the section; forgetForwardFlows: the forwards' ports. */
  detail?: unknown;
}

/** The record the fake runtime returns. */
export interface FakeApplied extends AppliedNetwork {
  runtime: 'fake';
  bridge: string | null;
  dnsmasqPid: number | null;
  /** Bumped by each live update. */
  generation: number;
  /** How many times it was adopted. */
  adoptions: number;
  /** For a `<pf>` network: two pretend virtual functions, PF + "v0" / "v1". */
  interfacePool?: ForwardInterface[];
}

export interface FakeRuntimeOptions {
  kernel?: FakeRuntimeState;
  /** Where setLeases touches a file, so the driver's lease watch sees a change (STATE/dnsmasq). */
  dnsmasqDir?: string;
}

interface Failure {
  op: FakeRuntimeOp;
  network: string | undefined;
  error: Error;
}

export class FakeRuntime implements NetworkRuntime {
  readonly kernel: FakeRuntimeState;
  readonly calls: FakeRuntimeCall[] = [];
  /** Leases by network name. */
  readonly leaseTable = new Map<string, DhcpLease[]>();
  /** Awaited by every call before it acts; tests use it to hold calls. */
  gate: ((op: FakeRuntimeOp, def: NetworkDef) => Promise<void>) | undefined;
  /**
   * Awaited by start, stop and updateLive after their first change to the
   * kernel: a test that never resolves it has the process "killed" halfway.
   */
  afterHostChange: ((op: FakeRuntimeOp, def: NetworkDef) => Promise<void>) | undefined;
  private readonly failures: Failure[] = [];
  /** Networks up or on their way up, by name (their subnets are taken). */
  private readonly claimed = new Map<string, NetworkDef>();
  private readonly dnsmasqDir: string | undefined;

  constructor(options: FakeRuntimeOptions = {}) {
    this.kernel = options.kernel ?? createFakeRuntimeState();
    this.dnsmasqDir = options.dnsmasqDir;
  }

  /** Make the next `op` call (for `network`, or any) fail with `error`. */
  failNext(op: FakeRuntimeOp, error: Error, network?: string): void {
    this.failures.push({ op, network, error });
  }

  private readonly healthListeners = new Set<(change: NetworkHealthChange) => void>();

  watchHealth(listener: (change: NetworkHealthChange) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  /** Report a network damaged or repaired, as the Linux runtime's firewall watch does. */
  reportHealth(change: NetworkHealthChange): void {
    for (const l of [...this.healthListeners]) l(change);
  }

  /** Calls of one kind, as network names. */
  callsOf(op: FakeRuntimeOp): string[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.network);
  }

  /** Set a network's leases and touch its lease file, as dnsmasq would. */
  setLeases(def: { name: string; bridge: { name?: string } }, leases: DhcpLease[]): void {
    this.leaseTable.set(def.name, leases);
    if (this.dnsmasqDir !== undefined) {
      mkdirSync(this.dnsmasqDir, { recursive: true });
      writeFileSync(join(this.dnsmasqDir, `${def.bridge.name ?? def.name}.status`), JSON.stringify(leases));
    }
  }

  private async enter(op: FakeRuntimeOp, def: NetworkDef, detail?: unknown): Promise<void> {
    this.calls.push(detail === undefined ? { op, network: def.name } : { op, network: def.name, detail });
    await this.hold(op, def);
  }

  /** The gate, then any failure a test asked for. */
  private async hold(op: FakeRuntimeOp, def: NetworkDef): Promise<void> {
    if (this.gate !== undefined) await this.gate(op, def);
    const i = this.failures.findIndex((f) => f.op === op && (f.network === undefined || f.network === def.name));
    if (i >= 0) {
      const [failure] = this.failures.splice(i, 1);
      throw failure!.error;
    }
  }

  /** A dry run: the start's subnet check, and a bridge to make for a virtual network (an update: nothing). */
  async dryRun(def: NetworkDef, context: DryRunContext): Promise<PlannedChanges> {
    this.calls.push({ op: 'dryRun', network: def.name, detail: context.otherActive.map((d) => d.name) });
    const changes: PlannedChanges = { links: [], sysctls: [], nftables: [], files: [], processes: [] };
    if (context.before !== undefined || !VIRTUAL_FORWARD_MODES.includes(def.forward.mode)) return changes;
    const claimedByOthers = [...this.claimed].filter(([name]) => name !== def.name).map(([, d]) => d);
    const collision = findSubnetCollision(def, [...context.otherActive, ...claimedByOthers], []);
    if (collision !== undefined) throw collision;
    changes.links.push(`ip link add name ${def.bridge.name} type bridge`);
    return changes;
  }

  async start(def: NetworkDef, context: StartContext): Promise<FakeApplied> {
    this.calls.push({ op: 'start', network: def.name, detail: context.otherActive.map((d) => d.name) });
    const virtual = VIRTUAL_FORWARD_MODES.includes(def.forward.mode);
    if (virtual) {
      // As LinuxRuntime: check against the active networks and the ones on
      // their way up, and claim, with no await in between.
      const claimedByOthers = [...this.claimed].filter(([name]) => name !== def.name).map(([, d]) => d);
      const collision = findSubnetCollision(def, [...context.otherActive, ...claimedByOthers], []);
      if (collision !== undefined) throw collision;
      this.claimed.set(def.name, def);
    }
    try {
      await this.hold('start', def);
      let bridge: string | null = null;
      // What the start may make, for a crash: the bridge, and dnsmasq by network name.
      if (virtual) context.journal?.({ runtime: 'fake', bridge: def.bridge.name!, dnsmasqPid: null, generation: 1, adoptions: 0 });
      if (virtual) {
        bridge = def.bridge.name!;
        if (this.kernel.links.has(bridge)) {
          throw new VirError('SYSTEM_ERROR', `error creating bridge interface ${bridge}: File exists`);
        }
        this.kernel.links.add(bridge);
        if (def.mac !== undefined) this.kernel.bridgeMacs.set(bridge, def.mac);
      }
      let dnsmasqPid: number | null = null;
      if (virtual && def.ips.length > 0) {
        dnsmasqPid = this.kernel.nextPid++;
        this.kernel.dnsmasq.set(def.name, dnsmasqPid);
        this.kernel.generations.set(def.name, 1);
      }
      if (virtual) await this.afterHostChange?.('start', def);
      const applied: FakeApplied = { runtime: 'fake', bridge, dnsmasqPid, generation: 1, adoptions: 0 };
      const pf = def.forward.pf;
      if (!virtual && pf !== undefined) {
        applied.interfacePool = [0, 1].map((i) => ({ type: 'netdev' as const, dev: `${pf}v${i}`, connections: 0 }));
      }
      return applied;
    } catch (err) {
      this.claimed.delete(def.name);
      throw err;
    }
  }

  async stop(def: NetworkDef, applied: AppliedNetwork): Promise<void> {
    await this.enter('stop', def);
    const a = applied as FakeApplied;
    if (a.bridge !== null) this.kernel.links.delete(a.bridge);
    if (a.bridge !== null) this.kernel.bridgeMacs.delete(a.bridge);
    if (a.bridge !== null) await this.afterHostChange?.('stop', def);
    this.kernel.dnsmasq.delete(def.name);
    this.kernel.generations.delete(def.name);
    this.claimed.delete(def.name);
  }

  async adopt(def: NetworkDef, applied: AppliedNetwork): Promise<FakeApplied | null> {
    await this.enter('adopt', def);
    const a = applied as FakeApplied;
    if (a.bridge !== null && !this.kernel.links.has(a.bridge)) {
      this.kernel.dnsmasq.delete(def.name);
      return null;
    }
    if (a.bridge !== null) this.claimed.set(def.name, def);
    // As LinuxRuntime: what runs is brought to what the record says.
    if (this.kernel.dnsmasq.has(def.name)) this.kernel.generations.set(def.name, a.generation);
    return { ...a, adoptions: a.adoptions + 1 };
  }

  async updateLive(
    _before: NetworkDef,
    after: NetworkDef,
    section: LiveChange,
    applied: AppliedNetwork,
    context?: UpdateContext,
  ): Promise<FakeApplied> {
    await this.enter('updateLive', after, section);
    const a = applied as FakeApplied;
    context?.journal?.(a);
    if (this.kernel.dnsmasq.has(after.name)) this.kernel.generations.set(after.name, a.generation + 1);
    await this.afterHostChange?.('updateLive', after);
    return { ...a, generation: a.generation + 1 };
  }

  async leases(def: NetworkDef): Promise<DhcpLease[]> {
    await this.enter('leases', def);
    return structuredClone(this.leaseTable.get(def.name) ?? []);
  }

  async cleanup(def: NetworkDef): Promise<void> {
    await this.enter('cleanup', def);
  }

  async forgetForwardFlows(def: NetworkDef): Promise<void> {
    const forwards = def.portForwards?.forwards ?? [];
    await this.enter(
      'forgetForwardFlows',
      def,
      forwards.map((f) => `${f.proto}/${f.port.start}-${f.port.end}`),
    );
  }

  async linkExists(name: string): Promise<boolean> {
    return this.kernel.links.has(name);
  }
}
