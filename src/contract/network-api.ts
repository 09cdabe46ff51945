/**
 * The network driver's public API: what the daemon serves and what the CLI
 * and the console call (through the daemon's HTTP client, which implements
 * this same interface). Everything here is plain JSON-friendly data.
 *
 * Every method rejects with a VirError (src/util/errors.ts) carrying
 * libvirt's error class and text, e.g. NO_NETWORK "no network with
 * matching name 'foo'" or OPERATION_INVALID "network is already active".
 *
 * Methods that act on one network take its *name*; callers that hold a
 * uuid resolve it first with lookupByUuid (virsh does the same: it looks the
 * network up, then acts on it).
 */
import type { PortForward, PortForwardSelector } from '../conf/network/port-forward-types.js';
import type { UpdateCommand, UpdateSection } from '../conf/network/update.js';
import type { DryRunRequest, HostChanges } from './host-changes.js';
import type { GuestEvent } from './guest-api.js';

/** What virsh's net-info and net-list show about a network. */
export interface NetworkInfo {
  name: string;
  uuid: string;
  active: boolean;
  persistent: boolean;
  autostart: boolean;
  /** The bridge device, when the network has one (virNetworkGetBridgeName). */
  bridge?: string;
  /** <title>, for net-list --title. */
  title?: string;
  /**
   * A running network whose host side was found changed behind virtnetd's
   * back (its firewall rules flushed), until it is repaired: what was wrong.
   * Absent when all is well (virsh's net-info shows nothing more then).
   */
  degraded?: string;
}

/**
 * virConnectListAllNetworks filters. Within a pair the two are OR-ed (both or
 * neither = no filtering on that property); pairs are AND-ed.
 */
export interface ListFilter {
  active?: boolean;
  inactive?: boolean;
  persistent?: boolean;
  transient?: boolean;
  autostart?: boolean;
  noAutostart?: boolean;
}

/**
 * A change's precondition: the version of the network (versionOf, the REST
 * API's ETag) the change was based on. When the network has another
 * version by then, the change is refused with OPERATION_FAILED "network 'N'
 * has changed since it was read: …" (HTTP 412) and nothing is done.
 * Absent: no precondition, as with libvirt.
 */
export interface Precondition {
  ifMatch?: string;
}

export interface DefineOptions extends Precondition {
  /** Validate against the RelaxNG schema first (net-define --validate). */
  validate?: boolean;
}

export interface GetXmlOptions {
  /** The persistent config, formatted inactive (net-dumpxml --inactive). */
  inactive?: boolean;
}

/** net-update --live / --config; neither means --current. */
export interface UpdateFlags {
  live?: boolean;
  config?: boolean;
}

export interface UpdateRequest {
  command: UpdateCommand;
  section: UpdateSection;
  /** -1 = libvirt's default choice of <ip>. */
  parentIndex: number;
  /** The element to add, delete or modify, as XML text. */
  xml: string;
  flags: UpdateFlags;
}

/** What net-update changed, for virsh's "Updated network N live state" line. */
export interface UpdateResult {
  live: boolean;
  config: boolean;
}

/** One DHCP lease, as virNetworkGetDHCPLeases returns it. */
export interface DhcpLease {
  /** The network's bridge. */
  iface: string;
  /** Seconds since the epoch; 0 = never expires. */
  expiryTime: number;
  protocol: 'ipv4' | 'ipv6';
  mac: string;
  ipAddress: string;
  /** The prefix of the network's <ip> of that family. */
  prefix: number;
  hostname?: string;
  /** Client id (IPv4) or DUID (IPv6). */
  clientId?: string;
  iaid?: string;
}

export type { ForwardProto, PortForward, PortForwardSelector } from '../conf/network/port-forward-types.js';

/** net-forward-list: the live forwards of a running network, else (or with `inactive`) the persistent ones. */
export interface ForwardListOptions {
  inactive?: boolean;
}

export type NetworkLifecycleEvent = 'Defined' | 'Undefined' | 'Started' | 'Stopped' | 'Updated';

/** virtnet's own event (libvirt has none): a network's autostart flag changed. virsh's net-event leaves it out. */
export interface AutostartEvent {
  kind: 'autostart';
  network: { name: string; uuid: string };
  autostart: boolean;
  time: number;
}

export interface NetworkEvent {
  kind: 'lifecycle';
  event: NetworkLifecycleEvent;
  /** libvirt's event detail (always 0 for networks). */
  detail: number;
  network: { name: string; uuid: string };
  /** Milliseconds since the epoch. */
  time: number;
}

export interface LeaseEvent {
  kind: 'lease';
  action: 'add' | 'old' | 'del';
  network: { name: string; uuid: string };
  lease: DhcpLease;
  time: number;
}

/**
 * virtnet's own: a running network's host side was found changed outside
 * virtnetd ('degraded', with what was wrong) and was put back ('repaired').
 */
export interface NetworkHealthEvent {
  kind: 'health';
  state: 'degraded' | 'repaired';
  network: { name: string; uuid: string };
  reason: string;
  time: number;
}

/** Guest events (lifecycle, DeviceAdded/DeviceRemoved) come through the same stream. */
export type DriverEvent = NetworkEvent | LeaseEvent | AutostartEvent | GuestEvent | NetworkHealthEvent;

/**
 * net-undefine / net-destroy of a network with running guests attached fails
 * with their names unless `force` is given (the CLI's --force).
 */
export interface ForceOptions extends Precondition {
  force?: boolean;
}

export type Unsubscribe = () => void;

export interface NetworkDriverApi {
  lookupByName(name: string): Promise<NetworkInfo>;
  lookupByUuid(uuid: string): Promise<NetworkInfo>;
  list(filter?: ListFilter): Promise<NetworkInfo[]>;

  /** net-define: create or replace a persistent definition; emits Defined. */
  define(xml: string, options?: DefineOptions): Promise<NetworkInfo>;
  /** net-create: define a transient network and start it; emits Started. */
  create(xml: string, options?: DefineOptions): Promise<NetworkInfo>;
  /** net-undefine: a running network becomes transient; emits Undefined. Needs `force` while guests are attached. */
  undefine(name: string, options?: ForceOptions): Promise<void>;
  /** net-start; emits Started. */
  start(name: string, options?: Precondition): Promise<void>;
  /** net-destroy: a transient network vanishes; emits Stopped. Needs `force` while guests are attached. */
  destroy(name: string, options?: ForceOptions): Promise<void>;
  /** net-autostart; emits an autostart event when the flag changes. */
  setAutostart(name: string, autostart: boolean, options?: Precondition): Promise<void>;
  getXml(name: string, options?: GetXmlOptions): Promise<string>;
  update(name: string, request: UpdateRequest, options?: Precondition): Promise<UpdateResult>;
  /**
   * The network's version: an opaque string that changes with every change
   * to the network (its definitions, whether it runs, autostart), the same
   * for the same state; a change's `ifMatch`. Optional: drivers that keep
   * no versions leave it out.
   */
  versionOf?(name: string): Promise<string>;
  /**
   * net-start / net-create / net-update --dry-run: what the change would do
   * on the host (links, sysctls, the nftables batch checked with nft -c,
   * dnsmasq's files and process), after the checks the change makes; changes nothing.
   */
  dryRun(request: DryRunRequest): Promise<HostChanges>;
  /** net-dhcp-leases [--mac]; an inactive network has none. */
  leases(name: string, mac?: string): Promise<DhcpLease[]>;

  /** net-forward-list: a NAT network's port forwards (a named target's current address in `toAddress`, live). */
  listForwards(name: string, options?: ForwardListOptions): Promise<PortForward[]>;
  /**
   * net-forward-add: --live / --config as net-update; neither means live
   * if the network runs and config if it is persistent. Emits Updated.
   */
  addForward(name: string, forward: PortForward, flags: UpdateFlags, options?: Precondition): Promise<UpdateResult>;
  /** net-forward-remove: every forward the selector names; flags as addForward. Emits Updated. */
  removeForward(name: string, selector: PortForwardSelector, flags: UpdateFlags, options?: Precondition): Promise<UpdateResult>;

  /** Live events; the listener is called for each until unsubscribed. */
  subscribe(listener: (event: DriverEvent) => void): Unsubscribe;
}
