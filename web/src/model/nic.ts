/**
 * vNICs as the Guests page handles them: the models offered, and a typed
 * MAC's checks (well formed, unicast, not used by any vNIC of any guest).
 * The device XML itself is virsh's, from the module the CLI uses
 * (src/conf/guest/virsh-interface.ts).
 */
import { isMulticastMac, parseMac } from '../../../src/conf/common/mac-uuid.js';
import { MAC_RE } from './address.js';

export const NIC_MODELS = ['virtio', 'e1000e', 'e1000', 'rtl8139'] as const;

export type MacProblem = 'syntax' | 'multicast' | 'taken' | undefined;

/** A typed MAC: well formed, unicast, and not used by any vNIC of any guest. */
export function macProblem(mac: string, taken: readonly string[]): MacProblem {
  const bytes = MAC_RE.test(mac) ? parseMac(mac) : undefined;
  if (!bytes) return 'syntax';
  if (isMulticastMac(bytes)) return 'multicast';
  if (taken.some((m) => m.toLowerCase() === mac.toLowerCase())) return 'taken';
  return undefined;
}
