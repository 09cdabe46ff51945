/**
 * Guests and their vNICs for the console, and which of them sit on a
 * network, from the daemon's snapshot (GET /api/console/guests). A daemon
 * without the guest driver says so (`available: false`), and the guest
 * features are then not offered. A running guest's vNICs are compared with
 * its saved ones: a vNIC only in one of them is marked (live only: gone at
 * the next start; saved only: there from the next start).
 */
import type { GuestInterface } from '../../../src/contract/guest-api.js';
import type { GuestState } from '../../../src/contract/console-api.js';
import type { NetworkInfo } from '../../../src/contract/network-api.js';
import { consoleApi } from '../api/client.js';

export type GuestRow = GuestState;

/** Where a vNIC is: both in the running guest and its saved definition, or only in one. */
export type NicPresence = 'both' | 'live-only' | 'config-only';

export interface GuestNic {
  nic: GuestInterface;
  presence: NicPresence;
}

export async function loadGuests(): Promise<{ available: boolean; guests: GuestRow[] }> {
  const { available, guests } = await consoleApi.guests();
  return { available, guests: [...guests].sort((a, b) => a.info.name.localeCompare(b.info.name)) };
}

/** A guest's vNICs, live and saved together, each with where it is. */
export function guestNics(guest: GuestRow): GuestNic[] {
  if (guest.configInterfaces === undefined) return guest.interfaces.map((nic) => ({ nic, presence: 'both' }));
  const saved = new Set(guest.configInterfaces.map((n) => n.mac.toLowerCase()));
  const live = new Set(guest.interfaces.map((n) => n.mac.toLowerCase()));
  return [
    ...guest.interfaces.map((nic): GuestNic => ({ nic, presence: saved.has(nic.mac.toLowerCase()) ? 'both' : 'live-only' })),
    ...guest.configInterfaces.filter((n) => !live.has(n.mac.toLowerCase())).map((nic): GuestNic => ({ nic, presence: 'config-only' })),
  ];
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
      const onIt =
        (nic.type === 'network' && nic.source === network.name) ||
        (nic.type === 'bridge' && network.bridge !== undefined && nic.source === network.bridge);
      if (onIt) out.push({ guest, nic });
    }
  }
  return out;
}

/** Names of the guests with a vNIC on a network, each once. */
export function guestNamesOnNetwork(guests: readonly GuestRow[], network: NetworkInfo): string[] {
  return [...new Set(nicsOnNetwork(guests, network).map((a) => a.guest.info.name))];
}
