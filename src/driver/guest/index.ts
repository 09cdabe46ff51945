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
import type { DriverEvent, NetworkDriverApi, Unsubscribe } from '../../contract/network-api.js';
import type { GuestDriverApi } from '../../contract/guest-api.js';
import type { NetworkPortApi } from '../../contract/network-port-api.js';
import type { TrafficApi } from '../../contract/traffic-api.js';
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

type NetworkSide = NetworkDriverApi & NetworkPortApi;
type GuestSide = GuestDriverApi & TrafficApi & { subscribe(listener: (event: DriverEvent) => void): Unsubscribe };

/** The calls CombinedDriver passes to the network driver as they are. */
const NETWORK_METHODS = [
  'lookupByName',
  'lookupByUuid',
  'list',
  'define',
  'create',
  'undefine',
  'start',
  'destroy',
  'setAutostart',
  'getXml',
  'update',
  'leases',
  'dryRun',
  'listForwards',
  'addForward',
  'removeForward',
  'portList',
  'portLookup',
  'portCreate',
  'portGetXml',
  'portDelete',
] as const;

/** The calls CombinedDriver passes to the guest driver as they are. */
const GUEST_METHODS = [
  'guestLookupByName',
  'guestLookupByUuid',
  'guestList',
  'guestDefine',
  'guestUndefine',
  'guestStart',
  'guestDestroy',
  'guestGetXml',
  'guestInterfaces',
  'guestInterfaceAddresses',
  'guestAttachDevice',
  'guestDetachDevice',
  'guestExec',
  'bridgePorts',
  'guestInterfaceStats',
  'networkTraffic',
] as const;

// Every method of both APIs is passed on, but for those CombinedDriver writes itself (below).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type PassedOn<T> = Exclude<keyof T, 'subscribe' | 'versionOf' | 'guestVersionOf'>;
const complete: [Same<(typeof NETWORK_METHODS)[number], PassedOn<NetworkSide>>, Same<(typeof GUEST_METHODS)[number], PassedOn<GuestSide>>] = [
  true,
  true,
];
void complete;

/** Both drivers as one: the network driver's calls, the guest driver's, and the events of both. */
export interface CombinedDriver extends NetworkSide, GuestDriverApi, TrafficApi {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the methods the interface adds are put on the prototype below, from the lists checked above
export class CombinedDriver {
  constructor(
    readonly networks: NetworkSide,
    readonly guests: GuestSide,
  ) {}

  versionOf(name: string): Promise<string> {
    if (this.networks.versionOf === undefined) return Promise.reject(new Error('the network driver keeps no versions'));
    return this.networks.versionOf(name);
  }

  guestVersionOf(name: string): Promise<string> {
    if (this.guests.guestVersionOf === undefined) return Promise.reject(new Error('the guest driver keeps no versions'));
    return this.guests.guestVersionOf(name);
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

/** Put on CombinedDriver's prototype a method `name` that calls the same method of the driver `side` picks, at each call. */
function passOn(name: string, side: (combined: CombinedDriver) => object): void {
  Object.defineProperty(CombinedDriver.prototype, name, {
    value(this: CombinedDriver, ...args: unknown[]): unknown {
      const driver = side(this) as Record<string, (...a: unknown[]) => unknown>;
      return driver[name]!(...args);
    },
    writable: true,
    configurable: true,
  });
}
for (const name of NETWORK_METHODS) passOn(name, (c) => c.networks);
for (const name of GUEST_METHODS) passOn(name, (c) => c.guests);

export function combineDrivers(networks: NetworkDriverApi & NetworkPortApi, guests: GuestDriver): CombinedDriver {
  return new CombinedDriver(networks, guests);
}
