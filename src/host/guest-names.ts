/**
 * Names and addresses the guest backends give out, as pure functions:
 *
 * - host device names `vnetN` (taps and veth host ends), `macvtapN` and
 *   `macvlanN`, numbered as libvirt numbers them (DeviceNameCounter);
 * - guest-side names of a netns guest: the lowest free `ethN`;
 * - the host side's MAC: the guest's with the first byte 0xfe, as libvirt
 *   sets on its taps (a bridge takes the lowest MAC of its ports unless it
 *   has its own; 0xfe keeps guests' addresses out of that choice);
 * - a netns guest's namespace: `BASE-NAME`, BASE being the driver's netns
 *   (or `virtnet` when it runs in its own), so a test or an operator finds
 *   every guest of a daemon by prefix; a guest name that is not safe in a
 *   namespace name (or too long) is replaced by the guest's uuid.
 */
import { isValidIfname } from './link-ops.js';
import { validateNetnsName } from './netns.js';

export const VNET_PREFIX = 'vnet';
export const MACVTAP_PREFIX = 'macvtap';
export const MACVLAN_PREFIX = 'macvlan';
export const GUEST_DEV_PREFIX = 'eth';

/** The base of guest namespace names when the driver is bound to no namespace. */
export const DEFAULT_GUEST_NETNS_BASE = 'virtnet';

/**
 * libvirt's device numbering (virNetDevGenerateName, libvirt ≥ 7): one
 * counter per prefix that only goes up, so a name freed by a detached vNIC
 * is not handed to the next one at once; names in use are skipped. Names of
 * devices the driver already owns (adopted guests) are reserved, which
 * moves the counter past them, as libvirt does on reconnect.
 */
export class DeviceNameCounter {
  private readonly lastUsed = new Map<string, number>();

  /** Move the counter for `name`'s prefix past it (virNetDevReserveName). */
  reserve(prefix: string, name: string): void {
    if (!name.startsWith(prefix)) return;
    const digits = name.slice(prefix.length);
    if (!/^\d+$/.test(digits)) return;
    const n = Number(digits);
    if (n > (this.lastUsed.get(prefix) ?? -1)) this.lastUsed.set(prefix, n);
  }

  /** The next `PREFIX` + N after the last one given out, skipping names in `used`. */
  next(prefix: string, used: ReadonlySet<string>): string {
    for (;;) {
      let n = (this.lastUsed.get(prefix) ?? -1) + 1;
      if (n > 0x7fffffff) n = 0;
      this.lastUsed.set(prefix, n);
      const name = `${prefix}${n}`;
      if (!used.has(name)) return name;
    }
  }
}

/** `PREFIX` + the lowest N ≥ 0 whose name is not in `used`. */
export function lowestFreeName(prefix: string, used: ReadonlySet<string>): string {
  for (let n = 0; ; n++) {
    const name = `${prefix}${n}`;
    if (!used.has(name)) return name;
  }
}

/** The host side's MAC for a guest MAC: first byte 0xfe. */
export function hostSideMac(mac: string): string {
  return `fe${mac.slice(2)}`;
}

const SAFE_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Guests' namespaces are named BASE-g-NAME (or BASE-g-UUID for names that
 * are unsafe in a file name). The `-g-` keeps them apart from the driver's
 * own namespaces (a sandbox's uplink is BASE-up / virtnet-uplink), and lets
 * a sandbox cleanup find the guests that belong to it.
 */
export function guestNetnsPrefix(driverNetns: string | null): string {
  return `${driverNetns ?? DEFAULT_GUEST_NETNS_BASE}-g-`;
}

/** The namespace of a netns guest. */
export function guestNetnsName(driverNetns: string | null, guest: { name: string; uuid: string }): string {
  const prefix = guestNetnsPrefix(driverNetns);
  const byName = `${prefix}${guest.name}`;
  if (SAFE_PART.test(guest.name) && byName.length <= 200) return validateNetnsName(byName);
  return validateNetnsName(`${prefix}${guest.uuid}`);
}

/** Whether a user's <target dev> can name a host device. */
export function usableTarget(name: string): boolean {
  return isValidIfname(name);
}

/**
 * brctl's bridge id from the kernel's ("8000.52:54:0:12:34:56"): priority,
 * a dot, the MAC as twelve hex digits.
 */
export function brctlBridgeId(kernelId: string, fallbackMac?: string): string {
  const dot = kernelId.indexOf('.');
  if (dot < 0) {
    return fallbackMac === undefined ? kernelId : `8000.${fallbackMac.replace(/:/g, '')}`;
  }
  const prio = kernelId.slice(0, dot).padStart(4, '0');
  const mac = kernelId
    .slice(dot + 1)
    .split(':')
    .map((b) => b.padStart(2, '0'))
    .join('');
  return `${prio}.${mac}`;
}
