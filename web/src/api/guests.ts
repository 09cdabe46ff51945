/**
 * The guest driver's API (src/contract/guest-api.ts) as the console calls it,
 * on the daemon's guest routes (src/client/http-guests.ts).
 */
import type { AffectFlags, BridgePorts, GuestInfo, GuestInterface, GuestInterfaceAddress } from '../../../src/contract/guest-api.js';
import { routePath } from '../../../src/client/http-routes.js';
import { GUEST_ROUTES } from '../../../src/client/http-guests.js';
import { request } from './http.js';

const flagsBody = (flags: AffectFlags): AffectFlags => ({ ...(flags.live ? { live: true } : {}), ...(flags.config ? { config: true } : {}) });

export const guestsApi = {
  list: () => request<GuestInfo[]>('GET', GUEST_ROUTES.guests),
  start: (name: string) => request<void>('POST', routePath(GUEST_ROUTES.guestStart, name)),
  destroy: (name: string) => request<void>('POST', routePath(GUEST_ROUTES.guestDestroy, name)),
  xml: async (name: string, inactive = false) =>
    (await request<{ xml: string }>('GET', routePath(GUEST_ROUTES.guestXml, name) + (inactive ? '?inactive=true' : ''))).xml,
  interfaces: (name: string, inactive = false) =>
    request<GuestInterface[]>('GET', routePath(GUEST_ROUTES.guestInterfaces, name) + (inactive ? '?inactive=true' : '')),
  addresses: (name: string) => request<GuestInterfaceAddress[]>('GET', routePath(GUEST_ROUTES.guestAddresses, name)),
  attach: (name: string, xml: string, flags: AffectFlags) =>
    request<void>('POST', routePath(GUEST_ROUTES.guestAttach, name), { xml, flags: flagsBody(flags) }),
  detach: (name: string, xml: string, flags: AffectFlags) =>
    request<void>('POST', routePath(GUEST_ROUTES.guestDetach, name), { xml, flags: flagsBody(flags) }),
  bridges: () => request<BridgePorts[]>('GET', GUEST_ROUTES.bridges),
};
