/**
 * Guests and their vNICs for the console, and which of them sit on a
 * network, from the daemon's snapshot (GET /api/console/guests). A daemon
 * without the guest driver says so (`available: false`), and the guest
 * features are then not offered.
 */
import type { GuestInfo, GuestInterface, GuestInterfaceAddress } from '../../../src/contract/guest-api.js';
import type { NetworkInfo } from '../../../src/contract/network-api.js';
import { consoleApi } from '../api/networks.js';

export interface GuestRow {
  info: GuestInfo;
  /** The live vNICs of a running guest, the persistent ones of a shut-off guest. */
  interfaces: GuestInterface[];
  /** Addresses from the networks' leases (running guests only). */
  addresses: GuestInterfaceAddress[];
}

export async function loadGuests(): Promise<{ available: boolean; guests: GuestRow[] }> {
  try {
    const { available, guests } = await consoleApi.guests();
    return { available, guests: [...guests].sort((a, b) => a.info.name.localeCompare(b.info.name)) };
  } catch {
    return { available: true, guests: [] };
  }
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
