/**
 * The guest driver's entry point, beside the network driver's (../network/index.ts):
 *
 *   const networks = await createNetworkDriver({ paths, runtime });
 *   const guests = await createGuestDriver({ paths, networks, backend });
 *   const driver = combineDrivers(networks, guests);   // what virtnetd serves
 *   ...
 *   await guests.close();  await networks.close();     // everything keeps running
 *
 * createGuestDriver loads guest configs and status files, adopts running
 * guests (re-notifying their ports to the network driver) and then makes
 * itself the network driver's port owner, so network undefine/destroy
 * need `force` while guests are attached and restarted networks get their
 * guests back.
 *
 * `combineDrivers` is one object with both APIs (and the network port API
 * libvirt clients use), whose `subscribe` carries
 * network, lease and guest events: the daemon serves it as is.
 */
import type {
  DefineOptions,
  DhcpLease,
  DriverEvent,
  ForceOptions,
  ForwardListOptions,
  GetXmlOptions,
  ListFilter,
  NetworkDriverApi,
  NetworkInfo,
  PortForward,
  PortForwardSelector,
  Precondition,
  Unsubscribe,
  UpdateFlags,
  UpdateRequest,
  UpdateResult,
} from '../../contract/network-api.js';
import type {
  AffectFlags,
  BridgePorts,
  GuestDriverApi,
  GuestExecResult,
  GuestInfo,
  GuestInterface,
  GuestInterfaceAddress,
  GuestListFilter,
  GuestPrecondition,
} from '../../contract/guest-api.js';
import type { DryRunRequest, HostChanges } from '../../contract/host-changes.js';
import type { NetworkPortApi, NetworkPortDef, PortCreateOptions } from '../../contract/network-port-api.js';
import type { InterfaceStats, NetworkTraffic, TrafficApi } from '../../contract/traffic-api.js';
import { GuestDriver, type GuestDriverOptions } from './driver.js';

export { GuestDriver, type GuestDriverOptions } from './driver.js';
export type { GuestStartupReport } from './startup.js';
export type { GuestNetworks } from './nics.js';
export * from '../../contract/guest-api.js';

export async function createGuestDriver(options: GuestDriverOptions): Promise<GuestDriver> {
  const driver = new GuestDriver(options);
  await driver.initialize();
  return driver;
}

/** Both APIs in one object. */
type VirtnetDriverApi = NetworkDriverApi & GuestDriverApi;

/** Whether a driver also serves guests. */
export function hasGuestApi(driver: NetworkDriverApi): driver is VirtnetDriverApi {
  return typeof (driver as Partial<GuestDriverApi>).guestList === 'function';
}

export class CombinedDriver implements NetworkDriverApi, NetworkPortApi, GuestDriverApi, TrafficApi {
  constructor(
    readonly networks: NetworkDriverApi & NetworkPortApi,
    readonly guests: GuestDriverApi & TrafficApi & { subscribe(listener: (event: DriverEvent) => void): Unsubscribe },
  ) {}

  lookupByName(name: string): Promise<NetworkInfo> {
    return this.networks.lookupByName(name);
  }
  lookupByUuid(uuid: string): Promise<NetworkInfo> {
    return this.networks.lookupByUuid(uuid);
  }
  list(filter?: ListFilter): Promise<NetworkInfo[]> {
    return this.networks.list(filter);
  }
  define(xml: string, options?: DefineOptions): Promise<NetworkInfo> {
    return this.networks.define(xml, options);
  }
  create(xml: string, options?: DefineOptions): Promise<NetworkInfo> {
    return this.networks.create(xml, options);
  }
  undefine(name: string, options?: ForceOptions): Promise<void> {
    return this.networks.undefine(name, options);
  }
  start(name: string, options?: Precondition): Promise<void> {
    return this.networks.start(name, options);
  }
  destroy(name: string, options?: ForceOptions): Promise<void> {
    return this.networks.destroy(name, options);
  }
  setAutostart(name: string, autostart: boolean, options?: Precondition): Promise<void> {
    return this.networks.setAutostart(name, autostart, options);
  }
  versionOf(name: string): Promise<string> {
    if (this.networks.versionOf === undefined) return Promise.reject(new Error('the network driver keeps no versions'));
    return this.networks.versionOf(name);
  }
  getXml(name: string, options?: GetXmlOptions): Promise<string> {
    return this.networks.getXml(name, options);
  }
  update(name: string, request: UpdateRequest, options?: Precondition): Promise<UpdateResult> {
    return this.networks.update(name, request, options);
  }
  leases(name: string, mac?: string): Promise<DhcpLease[]> {
    return this.networks.leases(name, mac);
  }
  dryRun(request: DryRunRequest): Promise<HostChanges> {
    return this.networks.dryRun(request);
  }

  listForwards(name: string, options?: ForwardListOptions): Promise<PortForward[]> {
    return this.networks.listForwards(name, options);
  }
  addForward(name: string, forward: PortForward, flags: UpdateFlags, options?: Precondition): Promise<UpdateResult> {
    return this.networks.addForward(name, forward, flags, options);
  }
  removeForward(name: string, selector: PortForwardSelector, flags: UpdateFlags, options?: Precondition): Promise<UpdateResult> {
    return this.networks.removeForward(name, selector, flags, options);
  }

  portList(network: string): Promise<NetworkPortDef[]> {
    return this.networks.portList(network);
  }
  portLookup(network: string, uuid: string): Promise<NetworkPortDef> {
    return this.networks.portLookup(network, uuid);
  }
  portCreate(network: string, xml: string, options?: PortCreateOptions): Promise<NetworkPortDef> {
    return this.networks.portCreate(network, xml, options);
  }
  portGetXml(network: string, uuid: string): Promise<string> {
    return this.networks.portGetXml(network, uuid);
  }
  portDelete(network: string, uuid: string): Promise<void> {
    return this.networks.portDelete(network, uuid);
  }

  guestLookupByName(name: string): Promise<GuestInfo> {
    return this.guests.guestLookupByName(name);
  }
  guestLookupByUuid(uuid: string): Promise<GuestInfo> {
    return this.guests.guestLookupByUuid(uuid);
  }
  guestList(filter?: GuestListFilter): Promise<GuestInfo[]> {
    return this.guests.guestList(filter);
  }
  guestDefine(xml: string, options?: GuestPrecondition): Promise<GuestInfo> {
    return this.guests.guestDefine(xml, options);
  }
  guestUndefine(name: string, options?: GuestPrecondition): Promise<void> {
    return this.guests.guestUndefine(name, options);
  }
  guestStart(name: string, options?: GuestPrecondition): Promise<void> {
    return this.guests.guestStart(name, options);
  }
  guestDestroy(name: string, options?: GuestPrecondition): Promise<void> {
    return this.guests.guestDestroy(name, options);
  }
  guestVersionOf(name: string): Promise<string> {
    if (this.guests.guestVersionOf === undefined) return Promise.reject(new Error('the guest driver keeps no versions'));
    return this.guests.guestVersionOf(name);
  }
  guestGetXml(name: string, options?: { inactive?: boolean }): Promise<string> {
    return this.guests.guestGetXml(name, options);
  }
  guestInterfaces(name: string, options?: { inactive?: boolean }): Promise<GuestInterface[]> {
    return this.guests.guestInterfaces(name, options);
  }
  guestInterfaceAddresses(name: string): Promise<GuestInterfaceAddress[]> {
    return this.guests.guestInterfaceAddresses(name);
  }
  guestAttachDevice(name: string, xml: string, flags: AffectFlags, options?: GuestPrecondition): Promise<void> {
    return this.guests.guestAttachDevice(name, xml, flags, options);
  }
  guestDetachDevice(name: string, xml: string, flags: AffectFlags, options?: GuestPrecondition): Promise<void> {
    return this.guests.guestDetachDevice(name, xml, flags, options);
  }
  guestExec(name: string, argv: string[]): Promise<GuestExecResult> {
    return this.guests.guestExec(name, argv);
  }
  bridgePorts(bridge?: string): Promise<BridgePorts[]> {
    return this.guests.bridgePorts(bridge);
  }
  guestInterfaceStats(name: string, iface: string): Promise<InterfaceStats> {
    return this.guests.guestInterfaceStats(name, iface);
  }
  networkTraffic(network: string): Promise<NetworkTraffic> {
    return this.guests.networkTraffic(network);
  }

  /** Network, lease and guest events, in the order each driver emits them. */
  subscribe(listener: (event: DriverEvent) => void): Unsubscribe {
    const a = this.networks.subscribe(listener);
    const b = this.guests.subscribe(listener);
    return () => {
      a();
      b();
    };
  }
}

export function combineDrivers(networks: NetworkDriverApi & NetworkPortApi, guests: GuestDriver): CombinedDriver {
  return new CombinedDriver(networks, guests);
}
