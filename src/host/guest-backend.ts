/**
 * The guest backends' contract: what the guest driver (src/driver/guest-*.ts)
 * asks of the host to run a guest's vNICs, and the records it keeps of what
 * was made. Two backends implement it: LinuxGuestBackend (guest-linux.ts),
 * on the kernel, and FakeGuestBackend (test/support/fake-guest-backend.ts), in memory, for unit
 * tests.
 *
 * What each guest type gets (the driver's netns is the one its networks'
 * bridges live in):
 * - `netns`: a network namespace of its own (named by guest-names.ts). Each
 *   vNIC plugged into a bridge is a veth pair: the host end `vnetN` in the
 *   driver's netns, a port of the bridge, with the guest's MAC whose first
 *   byte is 0xfe (as libvirt gives its taps, so the bridge never takes the
 *   guest's address); the guest end inside, named eth0, eth1, ..., carrying
 *   the guest's MAC. A vNIC of a macvtap-mode network is a macvlan device on
 *   the pool interface, created as `macvlanN` and moved into the guest as
 *   its ethN (what libvirt's LXC driver does).
 * - `tap`: persistent tap devices `vnetN` on the bridge (vnet_hdr for virtio
 *   models), for a hypervisor to open; for macvtap-mode networks a macvtap
 *   device `macvtapN` on the pool interface, in the network's mode.
 *
 * Host device names are libvirt's: the lowest free N of vnetN, macvtapN or
 * macvlanN, free meaning neither present in the driver's netns nor reserved
 * by a running guest (a netns guest's macvlan leaves the driver's netns but
 * keeps its name in the guest's live XML).
 */
import type { MacvlanMode } from './link-ops.js';

/**
 * Where a vNIC's host side goes: a bridge port, a macvlan/macvtap on a pool
 * interface, or a port of an Open vSwitch bridge that OVN binds by its
 * iface-id (an OVN network), with the overlay's MTU.
 */
export type NicPlug =
  | { kind: 'bridge'; bridge: string }
  | { kind: 'direct'; dev: string; mode: MacvlanMode }
  | { kind: 'ovs'; bridge: string; ifaceId: string; mtu: number };

/** A host's Open vSwitch, as the guest backend needs it for 'ovs' plugs (src/ovn/local-ovs.ts). */
import type { LinkCounters } from './link-counters.js';

export interface OvsPortControl {
  /** Add a port to a bridge, or give an existing one these external_ids. */
  addPort(bridge: string, name: string, externalIds: Record<string, string>): Promise<void>;
  /** Remove a port from whichever bridge holds it; a missing one counts as removed. */
  deletePort(name: string): Promise<void>;
  /** Whether the datapath is OVS's userspace one, which reads devices with AF_PACKET (offloads must be off). */
  userspace(): Promise<boolean>;
  /** The bridges and their ports, sorted; none when the host runs no Open vSwitch at all. */
  bridges(): Promise<{ name: string; ports: string[] }[]>;
}

/** A guest as the backend knows it. */
export interface GuestHandle {
  type: 'netns' | 'tap';
  name: string;
  uuid: string;
  /** The guest's namespace (netns guests). */
  netns?: string;
}

export interface NicSpec {
  /** The guest's MAC address (canonical). */
  mac: string;
  plug: NicPlug;
  /** A host device name the user chose (<target dev>); otherwise one is allocated. */
  target?: string;
  /** Create the tap with IFF_VNET_HDR (virtio models), as libvirt does. */
  vnetHdr?: boolean;
}

/** A vNIC that exists on the host: what is needed to find, re-plug and remove it. */
export interface PluggedNic {
  mac: string;
  plug: NicPlug;
  /** The host-side device name (vnetN, macvtapN, macvlanN or the user's target). */
  target: string;
  /** netns guests: the device inside the guest (eth0, eth1, ...). */
  guestDev?: string;
}

export interface BridgePortsInfo {
  bridge: string;
  /** brctl's form: priority, a dot, the MAC without colons ("8000.525400123456"). */
  bridgeId: string;
  stp: boolean;
  /** Port names, sorted as brctl lists them. */
  ports: string[];
}

export interface ExecOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** What plug must not use, and who hears of the names it picks. */
export interface PlugNames {
  reserved: ReadonlySet<string>;
  guestDevs: ReadonlySet<string>;
  journal?: (nic: PluggedNic) => void;
}

export interface GuestBackend {
  /** The guest's netns name (netns guests) for a guest about to start. */
  netnsFor(guest: { type: 'netns' | 'tap'; name: string; uuid: string }): string | undefined;
  /** Prepare a guest (netns guests: its namespace, loopback up). Leftovers of a crashed run are removed first. */
  createGuest(guest: GuestHandle): Promise<void>;
  /**
   * Create one vNIC and plug it in. `reserved` holds host names running
   * guests use that may not show in the driver's netns; `guestDevs` the
   * guest-side names the guest already uses; `journal`, when given, is told
   * the names chosen before anything is created (so that a crash can be
   * undone). On failure nothing is left.
   */
  plug(guest: GuestHandle, nic: NicSpec, taken: PlugNames): Promise<PluggedNic>;
  /** Remove one vNIC (a device already gone counts as removed). */
  unplug(guest: GuestHandle, nic: PluggedNic): Promise<void>;
  /**
   * Make an existing vNIC use `plug` (after its network was started again, or
   * at adoption): a bridge port gets its master back; a device that is gone,
   * or whose pool interface changed, is made again with the same names.
   */
  replug(guest: GuestHandle, nic: PluggedNic, plug: NicPlug): Promise<PluggedNic>;
  /** Remove the guest: its vNICs, then (netns guests) the processes inside and the namespace. */
  destroyGuest(guest: GuestHandle, nics: readonly PluggedNic[]): Promise<void>;
  /** Whether a running guest is still there (netns guests: the namespace exists). */
  alive(guest: GuestHandle): Promise<boolean>;
  /** Run a command inside a netns guest; resolves when the command exits (daemons it forks keep running). */
  exec(guest: GuestHandle, argv: readonly string[], options?: { timeoutMs?: number }): Promise<ExecOutcome>;
  /** The bridges of the driver's netns and their ports. */
  bridges(): Promise<BridgePortsInfo[]>;
  /** Every device's counters in the driver's netns, as the host sees them (src/host/link-counters.ts). */
  linkCounters(): Promise<Map<string, LinkCounters>>;
}
