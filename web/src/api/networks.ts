/**
 * The network driver's API as the console calls it: one function per route
 * of src/client/http-routes.ts (the same table the daemon registers), plus
 * the console's own routes (src/contract/console-api.ts).
 */
import type { DhcpLease, NetworkInfo, UpdateRequest, UpdateResult } from '../../../src/contract/network-api.js';
import type { GuestInfo, GuestInterface, GuestInterfaceAddress } from '../../../src/contract/guest-api.js';
import { ROUTES, routePath, type VersionBody } from '../../../src/client/http-routes.js';
import { CONSOLE_ROUTES, type CheckNetworkBody, type ConsoleSessionBody, type HostInfoBody } from '../../../src/contract/console-api.js';
import { request } from './http.js';

/** A network and its XML (live when running), as the console's snapshots give them. */
export interface NetworkState {
  info: NetworkInfo;
  xml: string;
}

export interface GuestState {
  info: GuestInfo;
  interfaces: GuestInterface[];
  addresses: GuestInterfaceAddress[];
}

export const networksApi = {
  version: () => request<VersionBody>('GET', ROUTES.version),
  list: () => request<NetworkInfo[]>('GET', ROUTES.networks),
  lookup: (name: string) => request<NetworkInfo>('GET', routePath(ROUTES.network, name)),
  define: (xml: string) => request<NetworkInfo>('POST', ROUTES.networks, { xml }),
  /** `force`: even with guests attached (they are named in the refusal otherwise). */
  undefine: (name: string, force = false) => request<void>('DELETE', routePath(ROUTES.network, name) + (force ? '?force=true' : '')),
  start: (name: string) => request<void>('POST', routePath(ROUTES.start, name)),
  destroy: (name: string, force = false) => request<void>('POST', routePath(ROUTES.destroy, name) + (force ? '?force=true' : '')),
  setAutostart: (name: string, autostart: boolean) => request<void>('PUT', routePath(ROUTES.autostart, name), { autostart }),
  xml: async (name: string, inactive = false) =>
    (await request<{ xml: string }>('GET', routePath(ROUTES.xml, name) + (inactive ? '?inactive=true' : ''))).xml,
  update: (name: string, req: UpdateRequest) => request<UpdateResult>('POST', routePath(ROUTES.update, name), req),
  leases: (name: string) => request<DhcpLease[]>('GET', routePath(ROUTES.leases, name)),
};

export const consoleApi = {
  session: () => request<ConsoleSessionBody>('GET', CONSOLE_ROUTES.session),
  login: (token: string) => request<ConsoleSessionBody>('POST', CONSOLE_ROUTES.login, { token }),
  logout: () => request<void>('POST', CONSOLE_ROUTES.logout),
  host: () => request<HostInfoBody>('GET', CONSOLE_ROUTES.host),
  checkNetwork: (xml: string) => request<CheckNetworkBody>('POST', CONSOLE_ROUTES.checkNetwork, { xml }),
  networks: () => request<{ networks: NetworkState[] }>('GET', CONSOLE_ROUTES.networks),
  network: (name: string) => request<{ network: NetworkState | null }>('GET', routePath(CONSOLE_ROUTES.network, name)),
  guests: () => request<{ available: boolean; guests: GuestState[] }>('GET', CONSOLE_ROUTES.guests),
};
