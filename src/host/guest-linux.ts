/**
 * LinuxGuestBackend: the guest backend (guest-backend.ts) on the kernel.
 * Link changes go through the host layer's ip batches (link-ops.ts: each
 * step with libvirt's error text and an exact undo), namespaces through
 * `ip netns`, commands inside a guest through `nsenter --net` (netns.ts
 * explains why not `ip netns exec`).
 *
 * Device names are chosen and created under one lock per backend, so two
 * guests starting at once never pick the same vnetN.
 *
 * Destroying a netns guest ends the processes still running in its
 * namespace (a DHCP client it ran, say) by PID, TERM then KILL, before the
 * namespace is deleted: they are the guest's, as a VM's processes die with it.
 */
import { stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { VirError } from '../util/errors.js';
import { commandError, missingBridgeError } from './errors.js';
import { LinuxFacts } from './facts.js';
import type {
  BridgePortsInfo,
  ExecOutcome,
  GuestBackend,
  GuestHandle,
  NicPlug,
  NicSpec,
  PlugNames,
  OvsPortControl,
  PluggedNic,
} from './guest-backend.js';
import { offloadsOff } from './offloads.js';
import { type LinkCounters, readLinkCounters } from './link-counters.js';
import { bridgePortsFromLinks } from './guest-bridges.js';
import {
  GUEST_DEV_PREFIX,
  MACVLAN_PREFIX,
  MACVTAP_PREFIX,
  VNET_PREFIX,
  guestNetnsName,
  hostSideMac,
  lowestFreeName,
  DeviceNameCounter,
} from './guest-names.js';
import { IpBatchRunner } from './ip-batch.js';
import type { LinkOp } from './link-ops.js';
import { applyLinkOps, isAlreadyGone, revertLinkChanges } from './link-transaction.js';
import { type HandlePlacement, isNamespaceHandle, placeNetnsHandles } from './netns-handles.js';
import { type NetnsBinding, netnsPath } from './netns.js';
import type { CommandRunner } from './runner.js';
import { Mutex } from '../util/mutex.js';

interface LinuxGuestBackendOptions {
  runner: CommandRunner;
  /** The driver's namespace, where the bridges are (null: this process's own). */
  netns: NetnsBinding;
  /** The host's Open vSwitch, for vNICs of OVN networks ('ovs' plugs). */
  ovs?: OvsPortControl;
  /** How long guest-exec waits for a command; default 120 s. */
  execTimeoutMs?: number;
  /** Where guests' namespace handles are made (netns-handles.ts); default: decided from /proc at the first netns guest. */
  netnsHandles?: () => Promise<HandlePlacement>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class LinuxGuestBackend implements GuestBackend {
  /** vnetN / macvlanN / macvtapN numbering, as libvirt's. */
  private readonly names = new DeviceNameCounter();
  readonly netns: NetnsBinding;
  private readonly runner: CommandRunner;
  private readonly batch: IpBatchRunner;
  private readonly facts: LinuxFacts;
  /** One at a time: device name allocation and creation. */
  private readonly serial = new Mutex();
  /** Host names given to vNICs of this process's guests (a netns guest's macvlan leaves the driver's netns). */
  private readonly handedOut = new Set<string>();
  private readonly execTimeoutMs: number;
  private readonly ovsControl: OvsPortControl | undefined;
  private readonly placeHandles: () => Promise<HandlePlacement>;
  private placement: Promise<HandlePlacement> | undefined;

  constructor(options: LinuxGuestBackendOptions) {
    this.ovsControl = options.ovs;
    this.placeHandles = options.netnsHandles ?? (() => placeNetnsHandles());
    this.runner = options.runner;
    this.netns = options.netns;
    this.batch = new IpBatchRunner(options.runner);
    this.facts = new LinuxFacts(options.runner, options.netns);
    this.execTimeoutMs = options.execTimeoutMs ?? 120_000;
  }

  netnsFor(guest: { type: 'netns' | 'tap'; name: string; uuid: string }): string | undefined {
    return guest.type === 'netns' ? guestNetnsName(this.netns, guest) : undefined;
  }

  private guestNetns(guest: GuestHandle): string {
    if (guest.netns === undefined) throw new VirError('INTERNAL_ERROR', `guest '${guest.name}' has no network namespace`);
    return guest.netns;
  }

  private async netnsExists(name: string): Promise<boolean> {
    try {
      await stat(netnsPath(name));
      return true;
    } catch {
      return false;
    }
  }

  /** Where namespace handles are made, decided once. */
  handlePlacement(): Promise<HandlePlacement> {
    this.placement ??= this.placeHandles();
    return this.placement;
  }

  /** `ip netns add/del`, in the mount namespace where handles are made. */
  private async ipNetns(args: string[], what: string): Promise<void> {
    const placement = await this.handlePlacement();
    const ip = ['ip', 'netns', ...args];
    const argv = placement.kind === 'enter' ? ['nsenter', `--mount=${placement.mountNamespace}`, '--', ...ip] : ip;
    const result = await this.runner.run({ argv });
    if (result.exitCode !== 0) throw commandError(what, result, 'SYSTEM_ERROR');
  }

  async createGuest(guest: GuestHandle): Promise<void> {
    if (guest.type !== 'netns') return;
    const placement = await this.handlePlacement();
    if (placement.kind === 'refuse') {
      throw new VirError(
        'OPERATION_UNSUPPORTED',
        `guest '${guest.name}' needs a network namespace of its own, but ${placement.why}; run virtnetd in the host's mount namespace, with --netns NAME to bind it to a network namespace`,
      );
    }
    const ns = this.guestNetns(guest);
    if (await this.netnsExists(ns)) await this.removeNetns(ns);
    await this.ipNetns(['add', ns], `Unable to create network namespace '${ns}'`);
    try {
      await applyLinkOps(this.batch, [{ op: 'setUp', name: 'lo', up: true }], ns);
    } catch (err) {
      await this.removeNetns(ns);
      throw err;
    }
  }

  /** Names of the links in the driver's namespace. */
  private async linkNames(): Promise<Set<string>> {
    return new Set((await this.facts.links()).map((l) => l.name));
  }

  plug(guest: GuestHandle, nic: NicSpec, taken: PlugNames): Promise<PluggedNic> {
    return this.serial.run(async () => {
      const used = await this.linkNames();
      for (const r of taken.reserved) used.add(r);
      for (const r of this.handedOut) used.add(r);
      const prefix = nic.plug.kind !== 'direct' ? VNET_PREFIX : guest.type === 'netns' ? MACVLAN_PREFIX : MACVTAP_PREFIX;
      for (const r of taken.reserved) this.names.reserve(prefix, r);
      const target = nic.target ?? this.names.next(prefix, used);
      const guestDev = guest.type === 'netns' ? lowestFreeName(GUEST_DEV_PREFIX, taken.guestDevs) : undefined;
      const made: PluggedNic = { mac: nic.mac, plug: nic.plug, target };
      if (guestDev !== undefined) made.guestDev = guestDev;
      taken.journal?.(made);
      await this.create(guest, made, nic.vnetHdr === true);
      this.handedOut.add(target);
      return made;
    });
  }

  private ovs(): OvsPortControl {
    if (this.ovsControl === undefined)
      throw new VirError('OPERATION_UNSUPPORTED', 'this virtnetd has no Open vSwitch for vNICs of OVN networks (--ovs-db)');
    return this.ovsControl;
  }

  /** The external_ids OVN and libvirt put on a guest's OVS interface. */
  private static ovsIds(guest: GuestHandle, nic: PluggedNic, ifaceId: string): Record<string, string> {
    return { 'iface-id': ifaceId, 'attached-mac': nic.mac, 'iface-status': 'active', 'vm-id': guest.uuid };
  }

  /**
   * A vNIC on an Open vSwitch bridge: a veth pair (netns guests) or a tap,
   * with the overlay's MTU on both ends, offloads off for the userspace
   * datapath, then the OVS port carrying the iface-id OVN binds.
   */
  private async createOvs(guest: GuestHandle, nic: PluggedNic, plug: Extract<NicPlug, { kind: 'ovs' }>, vnetHdr: boolean): Promise<void> {
    const ovs = this.ovs();
    const userspace = await ovs.userspace();
    const { target, mac } = nic;
    const ns = guest.type === 'netns' ? this.guestNetns(guest) : undefined;
    const guestDev = nic.guestDev ?? 'eth0';
    const hostOps: LinkOp[] =
      ns !== undefined
        ? [
            { op: 'createVeth', name: target, mac: hostSideMac(mac), peer: guestDev, peerMac: mac, peerNetns: ns, mtu: plug.mtu },
            { op: 'setUp', name: target, up: true },
          ]
        : [
            { op: 'createTap', name: target, mac: hostSideMac(mac), mtu: plug.mtu, vnetHdr },
            { op: 'setUp', name: target, up: true },
          ];
    const applied = await applyLinkOps(this.batch, hostOps, this.netns);
    try {
      if (ns !== undefined) {
        await applyLinkOps(
          this.batch,
          [
            { op: 'setMtu', name: guestDev, mtu: plug.mtu },
            { op: 'setUp', name: guestDev, up: true },
          ],
          ns,
        );
      }
      if (userspace) {
        await offloadsOff(this.runner, this.netns, target);
        if (ns !== undefined) await offloadsOff(this.runner, ns, guestDev);
      }
      await ovs.addPort(plug.bridge, target, LinuxGuestBackend.ovsIds(guest, nic, plug.ifaceId));
    } catch (err) {
      await revertLinkChanges(this.batch, applied.undo, this.netns);
      throw err;
    }
  }

  /** Create a vNIC with the names in `nic`; nothing is left on failure. */
  private async create(guest: GuestHandle, nic: PluggedNic, vnetHdr: boolean): Promise<void> {
    const { plug, target, mac } = nic;
    if (plug.kind === 'ovs') return this.createOvs(guest, nic, plug, vnetHdr);
    if (plug.kind === 'bridge') await this.needBridge(plug.bridge);
    const hostOps: LinkOp[] = [];
    const guestOps: LinkOp[] = [];
    if (guest.type === 'netns') {
      const ns = this.guestNetns(guest);
      const guestDev = nic.guestDev ?? 'eth0';
      if (plug.kind === 'bridge') {
        hostOps.push(
          { op: 'createVeth', name: target, mac: hostSideMac(mac), peer: guestDev, peerMac: mac, peerNetns: ns },
          { op: 'setMaster', name: target, master: plug.bridge },
          { op: 'setUp', name: target, up: true },
        );
      } else {
        hostOps.push(
          { op: 'createMacvlan', kind: 'macvlan', name: target, parent: plug.dev, mode: plug.mode, mac },
          { op: 'moveToNetns', name: target, netns: ns, newName: guestDev },
        );
      }
      guestOps.push({ op: 'setUp', name: guestDev, up: true });
      const applied = await applyLinkOps(this.batch, hostOps, this.netns);
      try {
        await applyLinkOps(this.batch, guestOps, ns);
      } catch (err) {
        await revertLinkChanges(this.batch, applied.undo, this.netns);
        throw err;
      }
      return;
    }
    if (plug.kind === 'bridge') {
      hostOps.push(
        { op: 'createTap', name: target, mac: hostSideMac(mac), vnetHdr },
        { op: 'setMaster', name: target, master: plug.bridge },
        { op: 'setUp', name: target, up: true },
      );
    } else {
      hostOps.push(
        { op: 'createMacvlan', kind: 'macvtap', name: target, parent: plug.dev, mode: plug.mode, mac },
        { op: 'setUp', name: target, up: true },
      );
    }
    await applyLinkOps(this.batch, hostOps, this.netns);
  }

  /** Refuse a bridge that is not there with libvirt's text, before anything is made. */
  private async needBridge(bridge: string): Promise<void> {
    if ((await this.facts.link(bridge)) === undefined) throw missingBridgeError(bridge);
  }

  /** Delete links, a link already gone counting as deleted. */
  private async deleteLinks(netns: NetnsBinding, names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    const outcome = await this.batch.runBatch(
      netns,
      names.map((n) => ['link', 'del', 'dev', n]),
      { force: true },
    );
    const real = outcome.known
      ? outcome.failures.filter((f) => !isAlreadyGone(f.reason))
      : isAlreadyGone(outcome.stderr)
        ? []
        : [{ line: 0, reason: outcome.stderr.trim() }];
    if (real.length > 0) {
      const first = real[0]!;
      const name = names[first.line - 1] ?? names[0]!;
      throw new VirError('SYSTEM_ERROR', `error destroying network device ${name}: ${first.reason}`);
    }
  }

  /** Where a vNIC's device lives and what it is called there. */
  private deviceOf(guest: GuestHandle, nic: PluggedNic): { netns: NetnsBinding; name: string } {
    if (guest.type === 'netns' && nic.plug.kind === 'direct') return { netns: this.guestNetns(guest), name: nic.guestDev ?? nic.target };
    return { netns: this.netns, name: nic.target };
  }

  async unplug(guest: GuestHandle, nic: PluggedNic): Promise<void> {
    if (nic.plug.kind === 'ovs') await this.ovs().deletePort(nic.target);
    const where = this.deviceOf(guest, nic);
    if (where.netns !== this.netns && where.netns !== null && !(await this.netnsExists(where.netns))) {
      this.handedOut.delete(nic.target);
      return;
    }
    await this.deleteLinks(where.netns, [where.name]);
    this.handedOut.delete(nic.target);
  }

  replug(guest: GuestHandle, nic: PluggedNic, plug: NicPlug): Promise<PluggedNic> {
    return this.serial.run(async () => {
      const next: PluggedNic = { ...nic, plug };
      const where = this.deviceOf(guest, nic);
      const facts = where.netns === this.netns ? this.facts : new LinuxFacts(this.runner, where.netns);
      const link = await facts.link(where.name);
      const same =
        (plug.kind === 'bridge' && nic.plug.kind === 'bridge') ||
        (plug.kind === 'ovs' && nic.plug.kind === 'ovs' && plug.bridge === nic.plug.bridge) ||
        (plug.kind === 'direct' && nic.plug.kind === 'direct' && plug.dev === nic.plug.dev && plug.mode === nic.plug.mode);
      if (link !== undefined && same && plug.kind === 'ovs') {
        await this.ovs().addPort(plug.bridge, nic.target, LinuxGuestBackend.ovsIds(guest, nic, plug.ifaceId));
        return next;
      }
      if (link !== undefined && same) {
        if (plug.kind === 'bridge' && link.master !== plug.bridge) {
          await this.needBridge(plug.bridge);
          await applyLinkOps(
            this.batch,
            [
              { op: 'setMaster', name: nic.target, master: plug.bridge },
              { op: 'setUp', name: nic.target, up: true },
            ],
            this.netns,
          );
        }
        return next;
      }
      if (nic.plug.kind === 'ovs') await this.ovs().deletePort(nic.target);
      if (link !== undefined) await this.deleteLinks(where.netns, [where.name]);
      await this.create(guest, next, link?.tun?.vnetHdr === true);
      return next;
    });
  }

  async destroyGuest(guest: GuestHandle, nics: readonly PluggedNic[]): Promise<void> {
    const problems: string[] = [];
    for (const n of nics) {
      if (n.plug.kind !== 'ovs') continue;
      try {
        await this.ovs().deletePort(n.target);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    const hostSide = nics.filter((n) => this.deviceOf(guest, n).netns === this.netns).map((n) => n.target);
    try {
      await this.deleteLinks(this.netns, hostSide);
    } catch (err) {
      problems.push((err as Error).message);
    }
    if (guest.type === 'netns' && guest.netns !== undefined) {
      try {
        await this.removeNetns(guest.netns);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    for (const n of nics) this.handedOut.delete(n.target);
    if (problems.length > 0) throw new VirError('SYSTEM_ERROR', problems.join('; '));
  }

  /** PIDs of the processes inside a namespace. */
  private async pidsIn(ns: string): Promise<number[]> {
    const result = await this.runner.run({ argv: ['ip', 'netns', 'pids', ns] });
    if (result.exitCode !== 0) return [];
    return result.stdout
      .split(/\s+/)
      .filter((s) => /^\d+$/.test(s))
      .map(Number)
      .filter((pid) => pid > 1 && pid !== process.pid);
  }

  private signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  }

  /** End the processes in a guest namespace (TERM, then KILL), then delete it. */
  private async removeNetns(ns: string): Promise<void> {
    this.signalAll(await this.pidsIn(ns), 'SIGTERM');
    const deadline = Date.now() + 2000;
    let left = await this.pidsIn(ns);
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(50);
      left = await this.pidsIn(ns);
    }
    this.signalAll(left, 'SIGKILL');
    if (!(await this.netnsExists(ns))) return;
    await this.ipNetns(['del', ns], `Unable to delete network namespace '${ns}'`);
  }

  async alive(guest: GuestHandle): Promise<boolean> {
    if (guest.type !== 'netns') return true;
    // A handle made in another mount namespace shows here as an empty file: no namespace to enter.
    return guest.netns !== undefined && isNamespaceHandle(netnsPath(guest.netns));
  }

  async exec(guest: GuestHandle, argv: readonly string[], options: { timeoutMs?: number } = {}): Promise<ExecOutcome> {
    const ns = this.guestNetns(guest);
    const result = await this.runner.run({
      argv: ['nsenter', `--net=${netnsPath(ns)}`, '--', ...argv],
      resolveOnExit: true,
      timeoutMs: options.timeoutMs ?? this.execTimeoutMs,
    });
    let exitCode = result.exitCode ?? -1;
    if (result.exitCode === null && result.signal !== null) {
      const n = (osConstants.signals as Record<string, number>)[result.signal];
      exitCode = n === undefined ? -1 : 128 + n;
    }
    return { exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  linkCounters(): Promise<Map<string, LinkCounters>> {
    return readLinkCounters(this.runner, this.netns);
  }

  async bridges(): Promise<BridgePortsInfo[]> {
    const links = await this.facts.links();
    const linux = bridgePortsFromLinks(links);
    if (this.ovsControl === undefined) return linux;
    const ovs = await this.ovsControl.bridges();
    const macOf = new Map(links.map((l) => [l.name, l.mac]));
    const shown = ovs.map((b) => ({
      bridge: b.name,
      bridgeId: `8000.${(macOf.get(b.name) ?? '').replace(/:/g, '')}`,
      stp: false,
      ports: b.ports.filter((p) => p !== b.name),
    }));
    return [...linux, ...shown].sort((a, b) => a.bridge.localeCompare(b.bridge));
  }
}
