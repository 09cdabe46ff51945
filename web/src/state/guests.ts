/**
 * Guests and their vNICs for the console, and which of them sit on a
 * network. The guest routes are served by daemons that have the guest
 * driver; on one that answers 404 (NO_SUPPORT) the guest features are
 * simply not offered.
 */
import type { GuestInfo, GuestInterface, GuestInterfaceAddress } from '../../../src/driver/guest-api.js';
import type { NetworkInfo } from '../../../src/driver/api.js';
import { ApiError } from '../api/http.js';
import { guestsApi } from '../api/guests.js';

export interface GuestRow {
  info: GuestInfo;
  /** The live vNICs of a running guest, the persistent ones of a shut-off guest. */
  interfaces: GuestInterface[];
  /** Addresses from the networks' leases (running guests only). */
  addresses: GuestInterfaceAddress[];
}

export async function loadGuests(): Promise<{ available: boolean; guests: GuestRow[] }> {
  let infos: GuestInfo[];
  try {
    infos = await guestsApi.list();
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 501)) return { available: false, guests: [] };
    return { available: true, guests: [] };
  }
  const guests = await Promise.all(
    infos.map(async (info): Promise<GuestRow> => {
      const [interfaces, addresses] = await Promise.all([
        guestsApi.interfaces(info.name).catch(() => [] as GuestInterface[]),
        info.active ? guestsApi.addresses(info.name).catch(() => [] as GuestInterfaceAddress[]) : Promise.resolve([] as GuestInterfaceAddress[]),
      ]);
      return { info, interfaces, addresses };
    }),
  );
  guests.sort((a, b) => a.info.name.localeCompare(b.info.name));
  return { available: true, guests };
}

export interface AttachedNic {
  guest: GuestRow;
  nic: GuestInterface;
}

/** The vNICs plugged into a network: by network name, or onto its bridge. */
export function nicsOnNetwork(guests: readonly GuestRow[], network: NetworkInfo): AttachedNic[] {
  const out: AttachedNic[] = [];
  for (const guest of guests) {
    for (const nic of guest.interfaces) {
      const onIt = (nic.type === 'network' && nic.source === network.name) || (nic.type === 'bridge' && network.bridge !== undefined && nic.source === network.bridge);
      if (onIt) out.push({ guest, nic });
    }
  }
  return out;
}

/** Names of the guests with a vNIC on a network, each once. */
export function guestNamesOnNetwork(guests: readonly GuestRow[], network: NetworkInfo): string[] {
  return [...new Set(nicsOnNetwork(guests, network).map((a) => a.guest.info.name))];
}
