/**
 * The guest driver's public API, beside the network driver's (network-api.ts): what
 * virtnetd serves for guests and what the CLI's domain commands and the
 * console call. As with virsh, device XML for attach/detach is built or
 * picked on the client side (virsh's attach-interface builds the
 * <interface> element; detach-interface finds the matching element in the
 * guest's XML) and the driver attaches or detaches that element.
 *
 * Every method rejects with a VirError carrying libvirt's class and text
 * (e.g. NO_DOMAIN "no domain with matching name 'x'").
 *
 * The driver behind it is src/driver/guest/driver.ts; its texts, beyond
 * the lookups: "domain is already running", "domain is not running",
 * "cannot undefine transient domain", "transient domains do not have any
 * persistent config" (OPERATION_INVALID); a vNIC on a stopped network
 * "network 'N' is not active"; a detach naming a MAC the definition lacks
 * DEVICE_MISSING "no device matching MAC address M found"; virtnet's own
 * (no libvirt counterpart): guest-exec on a tap guest OPERATION_UNSUPPORTED
 * "guest-exec needs a netns guest; 'N' is a tap guest", bridge-show of a
 * bridge that is not there "bridge B does not exist!" (brctl's text, class
 * SYSTEM_ERROR, i.e. no prefix).
 */

export type GuestType = 'netns' | 'tap';

export interface GuestInfo {
  name: string;
  uuid: string;
  type: GuestType;
  active: boolean;
  persistent: boolean;
  /** The running guest's id (virsh list's Id column); absent when shut off. */
  id?: number;
  title?: string;
}

export interface GuestListFilter {
  active?: boolean;
  inactive?: boolean;
}

/**
 * virDomainModificationImpact: `live` and/or `config`; neither means
 * "current" (live if running, else config). virsh maps --persistent to
 * config plus live when running.
 */
export interface AffectFlags {
  live?: boolean;
  config?: boolean;
}

/** One vNIC as domiflist shows it. */
export interface GuestInterface {
  /** Target device (vnetN, macvtapN), or undefined ('-'). */
  target?: string;
  type: string;
  /** network name, bridge name or direct dev; undefined ('-'). */
  source?: string;
  model?: string;
  mac: string;
  alias?: string;
}

/** domifaddr: one address of a vNIC, from the network's leases. */
export interface GuestInterfaceAddress {
  /** The vNIC's target device. */
  name: string;
  mac: string;
  protocol: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
}

/** bridge-show: one bridge with its ports, as `brctl show` lists them. */
export interface BridgePorts {
  bridge: string;
  bridgeId: string;
  stp: boolean;
  ports: string[];
}

export interface GuestExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type GuestLifecycleEvent = 'Defined' | 'Undefined' | 'Started' | 'Stopped';

export interface GuestEvent {
  kind: 'guest';
  event: GuestLifecycleEvent | 'DeviceAdded' | 'DeviceRemoved';
  guest: { name: string; uuid: string };
  /**
   * For device events: the vNIC's alias (netN, or the user's ua- alias) when
   * the live definition changed, else its MAC. DeviceAdded/DeviceRemoved
   * come for config-only changes too (libvirt emits them for live ones).
   */
  device?: string;
  time: number;
}

/** A change's precondition: the guest's version it was based on (guestVersionOf); as for networks (network-api.ts Precondition). */
export interface GuestPrecondition {
  ifMatch?: string;
}

export interface GuestDriverApi {
  guestLookupByName(name: string): Promise<GuestInfo>;
  guestLookupByUuid(uuid: string): Promise<GuestInfo>;
  guestList(filter?: GuestListFilter): Promise<GuestInfo[]>;
  /** define: create or replace a persistent guest definition. */
  guestDefine(xml: string, options?: GuestPrecondition): Promise<GuestInfo>;
  guestUndefine(name: string, options?: GuestPrecondition): Promise<void>;
  guestStart(name: string, options?: GuestPrecondition): Promise<void>;
  guestDestroy(name: string, options?: GuestPrecondition): Promise<void>;
  guestGetXml(name: string, options?: { inactive?: boolean }): Promise<string>;
  /** The guest's version (as NetworkDriverApi.versionOf): optional, for drivers that keep versions. */
  guestVersionOf?(name: string): Promise<string>;
  guestInterfaces(name: string, options?: { inactive?: boolean }): Promise<GuestInterface[]>;
  guestInterfaceAddresses(name: string): Promise<GuestInterfaceAddress[]>;
  /** attach-interface / attach-device: one <interface> element. */
  guestAttachDevice(name: string, xml: string, flags: AffectFlags, options?: GuestPrecondition): Promise<void>;
  /** detach-interface / detach-device: the element to remove, as found in the guest's XML. */
  guestDetachDevice(name: string, xml: string, flags: AffectFlags, options?: GuestPrecondition): Promise<void>;
  /**
   * guest-exec: run a command inside a running netns guest (in its network
   * namespace); resolves when the command exits, with its status and
   * output. Daemons it starts (a DHCP client) keep running until the guest
   * is destroyed.
   */
  guestExec(name: string, argv: string[]): Promise<GuestExecResult>;
  /** bridge-show [BRIDGE]: every bridge of the daemon's namespace, or one (bridges and ports sorted by name). */
  bridgePorts(bridge?: string): Promise<BridgePorts[]>;
}
