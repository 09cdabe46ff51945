/**
 * The guest driver's API (src/driver/guest-api.ts) as the console calls it.
 * GUEST_ROUTES mirrors the daemon's guest routes.
 */
import type { AffectFlags, BridgePorts, GuestInfo, GuestInterface, GuestInterfaceAddress } from '../../../src/driver/guest-api.js';
import { routePath } from '../../../src/client/http-routes.js';
import { request } from './http.js';

export const GUEST_ROUTES = {
  guests: '/api/guests',
  guest: '/api/guests/:name',
  xml: '/api/guests/:name/xml',
  interfaces: '/api/guests/:name/interfaces',
  addresses: '/api/guests/:name/interface-addresses',
  attach: '/api/guests/:name/attach-device',
  detach: '/api/guests/:name/detach-device',
  bridges: '/api/bridges',
} as const;

export const guestsApi = {
  list: () => request<GuestInfo[]>('GET', GUEST_ROUTES.guests),
  xml: async (name: string, inactive = false) => (await request<{ xml: string }>('GET', routePath(GUEST_ROUTES.xml, name) + (inactive ? '?inactive=true' : ''))).xml,
  interfaces: (name: string, inactive = false) => request<GuestInterface[]>('GET', routePath(GUEST_ROUTES.interfaces, name) + (inactive ? '?inactive=true' : '')),
  addresses: (name: string) => request<GuestInterfaceAddress[]>('GET', routePath(GUEST_ROUTES.addresses, name)),
  attach: (name: string, xml: string, flags: AffectFlags) => request<void>('POST', routePath(GUEST_ROUTES.attach, name), { xml, flags }),
  detach: (name: string, xml: string, flags: AffectFlags) => request<void>('POST', routePath(GUEST_ROUTES.detach, name), { xml, flags }),
  bridges: () => request<BridgePorts[]>('GET', GUEST_ROUTES.bridges),
};
