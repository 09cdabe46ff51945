/**
 * FakeGuestBackend: the guest backend in memory, for the guest driver's unit
 * tests. It shares the set of link names of the driver's namespace with the
 * network driver's fake runtime state (FakeRuntimeState.links), so bridges come and go
 * with networks and vnetN names are chosen against the same set.
 *
 * What it models from the real backend:
 * - names: lowest free vnetN / macvtapN / macvlanN against the driver
 *   namespace's links and the reserved names; ethN inside a netns guest;
 * - a bridge plug needs the bridge to exist, a direct plug its pool
 *   interface, with the real backend's texts;
 * - a port whose bridge vanished (its network was destroyed) keeps existing
 *   without a master until it is re-plugged;
 * - netns guests own a namespace; destroying a guest removes its devices
 *   and namespace.
 * Tests make any operation fail (failNext), read every call (calls) and
 * answer guest-exec (onExec).
 */
import { VirError } from '../../src/util/errors.js';
import type { LinkCounters } from '../../src/host/link-counters.js';
import { missingBridgeError } from '../../src/host/errors.js';
import type {
  BridgePortsInfo,
  ExecOutcome,
  GuestBackend,
  GuestHandle,
  NicPlug,
  NicSpec,
  PlugNames,
  PluggedNic,
} from '../../src/host/guest-backend.js';
import {
  DeviceNameCounter,
  GUEST_DEV_PREFIX,
  MACVLAN_PREFIX,
  MACVTAP_PREFIX,
  VNET_PREFIX,
  guestNetnsName,
  lowestFreeName,
} from '../../src/host/guest-names.js';

export type FakeGuestOp = 'createGuest' | 'plug' | 'unplug' | 'replug' | 'destroyGuest' | 'exec';

export interface FakeDevice {
  name: string;
  kind: 'veth' | 'tap' | 'macvlan' | 'macvtap';
  mac: string;
  /** The bridge it is a port of (veth host ends, taps). */
  master?: string;
  /** The pool interface and mode (macvlan, macvtap). */
  parent?: string;
  mode?: string;
  /** The guest namespace holding the guest side (netns guests). */
  netns?: string;
  guestDev?: string;
}

export interface FakeGuestBackendOptions {
  /** Link names of the driver's namespace (share FakeRuntimeState.links). */
  links?: Set<string>;
  /** The driver's namespace name, for guest namespace names. */
  netns?: string | null;
  /** Bridge MACs (share FakeRuntimeState.bridgeMacs): a bridge's id is its MAC, as the kernel's. */
  bridgeMacs?: Map<string, string>;
}

export class FakeGuestBackend implements GuestBackend {
  /** vnetN / macvlanN / macvtapN numbering, as libvirt's. */
  private readonly names = new DeviceNameCounter();
  readonly links: Set<string>;
  /** Host-side devices the backend made, by name. */
  readonly devices = new Map<string, FakeDevice>();
  /** Guest namespaces and the device names inside. */
  readonly namespaces = new Map<string, Set<string>>();
  readonly calls: { op: FakeGuestOp; guest: string; detail?: string }[] = [];
  /** Answers guest-exec; default: exit 0, the argv echoed. */
  onExec: (guest: GuestHandle, argv: readonly string[]) => ExecOutcome = (_g, argv) => ({ exitCode: 0, stdout: `${argv.join(' ')}\n`, stderr: '' });
  private readonly failures: { op: FakeGuestOp; error: Error }[] = [];
  /** Awaited by createGuest and plug after their change: a test that never resolves it has the process "killed" there. */
  afterHostChange: ((op: FakeGuestOp, guest: GuestHandle) => Promise<void>) | undefined;
  private readonly netns: string | null;
  private readonly bridgeMacs: Map<string, string>;

  constructor(options: FakeGuestBackendOptions = {}) {
    this.links = options.links ?? new Set();
    this.netns = options.netns ?? null;
    this.bridgeMacs = options.bridgeMacs ?? new Map();
  }

  /** Make the next `op` fail with `error`. */
  failNext(op: FakeGuestOp, error: Error = new VirError('SYSTEM_ERROR', `fake ${op} failure`)): void {
    this.failures.push({ op, error });
  }

  private enter(op: FakeGuestOp, guest: GuestHandle, detail?: string): void {
    this.calls.push(detail === undefined ? { op, guest: guest.name } : { op, guest: guest.name, detail });
    const i = this.failures.findIndex((f) => f.op === op);
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      throw f!.error;
    }
  }

  netnsFor(guest: { type: 'netns' | 'tap'; name: string; uuid: string }): string | undefined {
    return guest.type === 'netns' ? guestNetnsName(this.netns, guest) : undefined;
  }

  async createGuest(guest: GuestHandle): Promise<void> {
    this.enter('createGuest', guest);
    if (guest.type === 'netns' && guest.netns !== undefined) this.namespaces.set(guest.netns, new Set(['lo']));
    await this.afterHostChange?.('createGuest', guest);
  }

  /** Port names of a bridge. */
  portsOf(bridge: string): string[] {
    return [...this.devices.values()]
      .filter((d) => d.master === bridge && this.links.has(bridge))
      .map((d) => d.name)
      .sort();
  }

  private create(guest: GuestHandle, nic: PluggedNic): void {
    const { plug, target } = nic;
    if (this.links.has(target)) throw new VirError('SYSTEM_ERROR', `Unable to create device ${target}: File exists`);
    if (plug.kind === 'bridge' && !this.links.has(plug.bridge)) {
      throw missingBridgeError(plug.bridge);
    }
    if (plug.kind === 'direct' && !this.links.has(plug.dev)) {
      const kind = guest.type === 'netns' ? 'macvlan' : 'macvtap';
      throw new VirError('SYSTEM_ERROR', `error creating ${kind} interface ${target}@${plug.dev} (${nic.mac}): Cannot find device "${plug.dev}"`);
    }
    const dev: FakeDevice = {
      name: target,
      kind: plug.kind !== 'direct' ? (guest.type === 'netns' ? 'veth' : 'tap') : guest.type === 'netns' ? 'macvlan' : 'macvtap',
      mac: nic.mac,
    };
    // An Open vSwitch port ('ovs') is shown as a port of its bridge too.
    if (plug.kind !== 'direct') dev.master = plug.bridge;
    else {
      dev.parent = plug.dev;
      dev.mode = plug.mode;
    }
    if (guest.type === 'netns') {
      dev.netns = guest.netns!;
      dev.guestDev = nic.guestDev!;
      this.namespaces.get(guest.netns!)?.add(nic.guestDev!);
    }
    this.devices.set(target, dev);
    // A netns guest's macvlan leaves the driver's namespace.
    if (!(guest.type === 'netns' && plug.kind === 'direct')) this.links.add(target);
  }

  private remove(name: string): void {
    const dev = this.devices.get(name);
    if (!dev) return;
    this.devices.delete(name);
    this.links.delete(name);
    if (dev.netns !== undefined && dev.guestDev !== undefined) this.namespaces.get(dev.netns)?.delete(dev.guestDev);
  }

  async plug(guest: GuestHandle, nic: NicSpec, taken: PlugNames): Promise<PluggedNic> {
    this.enter('plug', guest, nic.mac);
    const used = new Set([...this.links, ...this.devices.keys(), ...taken.reserved]);
    const prefix = nic.plug.kind !== 'direct' ? VNET_PREFIX : guest.type === 'netns' ? MACVLAN_PREFIX : MACVTAP_PREFIX;
    for (const r of taken.reserved) this.names.reserve(prefix, r);
    const made: PluggedNic = { mac: nic.mac, plug: nic.plug, target: nic.target ?? this.names.next(prefix, used) };
    if (guest.type === 'netns') made.guestDev = lowestFreeName(GUEST_DEV_PREFIX, taken.guestDevs);
    taken.journal?.(made);
    this.create(guest, made);
    await this.afterHostChange?.('plug', guest);
    return made;
  }

  async unplug(guest: GuestHandle, nic: PluggedNic): Promise<void> {
    this.enter('unplug', guest, nic.target);
    this.remove(nic.target);
  }

  async replug(guest: GuestHandle, nic: PluggedNic, plug: NicPlug): Promise<PluggedNic> {
    this.enter('replug', guest, nic.target);
    const next: PluggedNic = { ...nic, plug };
    const dev = this.devices.get(nic.target);
    if (dev && plug.kind === 'bridge' && nic.plug.kind === 'bridge') {
      if (!this.links.has(plug.bridge)) {
        throw missingBridgeError(plug.bridge);
      }
      dev.master = plug.bridge;
      return next;
    }
    if (dev && plug.kind === 'direct' && nic.plug.kind === 'direct' && dev.parent === plug.dev && dev.mode === plug.mode) return next;
    this.remove(nic.target);
    this.create(guest, next);
    return next;
  }

  async destroyGuest(guest: GuestHandle, nics: readonly PluggedNic[]): Promise<void> {
    this.enter('destroyGuest', guest);
    for (const n of nics) this.remove(n.target);
    if (guest.netns !== undefined) {
      for (const [name, dev] of [...this.devices]) if (dev.netns === guest.netns) this.remove(name);
      this.namespaces.delete(guest.netns);
    }
  }

  async alive(guest: GuestHandle): Promise<boolean> {
    return guest.type !== 'netns' || (guest.netns !== undefined && this.namespaces.has(guest.netns));
  }

  async exec(guest: GuestHandle, argv: readonly string[]): Promise<ExecOutcome> {
    this.enter('exec', guest, argv.join(' '));
    return this.onExec(guest, argv);
  }

  /** Counters the test sets, by device; every other device of the fake counts nothing yet. */
  readonly counters = new Map<string, LinkCounters>();

  async linkCounters(): Promise<Map<string, LinkCounters>> {
    const zero = () => ({ bytes: 0, packets: 0, errors: 0, dropped: 0 });
    const all = new Map<string, LinkCounters>([...this.links, ...this.devices.keys()].map((name) => [name, { rx: zero(), tx: zero() }]));
    for (const [name, c] of this.counters) all.set(name, c);
    return all;
  }

  async bridges(): Promise<BridgePortsInfo[]> {
    const masters = new Set([...this.devices.values()].flatMap((d) => (d.master !== undefined && this.links.has(d.master) ? [d.master] : [])));
    const names = [...this.links].filter((l) => !this.devices.has(l) && (masters.has(l) || /^virbr\d+$/.test(l))).sort();
    const id = (bridge: string): string => `8000.${(this.bridgeMacs.get(bridge) ?? '52:54:00:00:00:00').replaceAll(':', '')}`;
    return names.map((bridge) => ({ bridge, bridgeId: id(bridge), stp: true, ports: this.portsOf(bridge) }));
  }
}
