/**
 * Guest MAC addresses: allocation of the missing ones and comparison.
 *
 * libvirt gives an interface without <mac> a random address under the
 * hypervisor's prefix (52:54:00 for qemu: virMacAddrGenerate, three random
 * bytes), without looking at other guests. virtnet also makes it unique
 * across all guests: the caller passes the set of addresses in use
 * (`collectGuestMacs`), and the randomness is injectable so tests and
 * property checks are reproducible. A few random draws are tried first;
 * after that the free addresses are searched in order from a random start,
 * so allocation always ends, with an error only when all 2^24 are taken.
 *
 * Addresses are compared in canonical form (lower case, two digits per
 * byte), the form the parser stores.
 */
import { formatMac, parseMac } from '../common/mac-uuid.js';
import { internalError } from '../common/parse-helpers.js';
import type { GuestDef } from './types.js';

/** The prefix of generated guest addresses (libvirt's qemu prefix). */
const GUEST_MAC_PREFIX = [0x52, 0x54, 0x00] as const;

/** A source of random bytes (node:crypto's randomBytes by default). */
export type RandomBytes = (size: number) => Uint8Array;

/** Random bytes from the platform's CSPRNG (Web Crypto, in Node.js and browsers alike, so the console can import this module's neighbours). */
const cryptoRandomBytes: RandomBytes = (size) => globalThis.crypto.getRandomValues(new Uint8Array(size));

/** The addresses in use, canonical form. */
interface MacSet {
  has(mac: string): boolean;
}

/** Random draws before searching in order. */
const RANDOM_ATTEMPTS = 32;
const SPACE = 1 << 24;

/** The canonical form of a MAC address, or undefined if it does not parse. */
export function canonicalMac(text: string): string | undefined {
  const bytes = parseMac(text);
  return bytes ? formatMac(bytes) : undefined;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const PREFIX_TEXT = formatMac([...GUEST_MAC_PREFIX]);

/** The address with the given 24-bit suffix (cheap: the ordered search may build 2^24 of them). */
function macFromSuffix(n: number): string {
  return `${PREFIX_TEXT}:${HEX[(n >>> 16) & 0xff]}:${HEX[(n >>> 8) & 0xff]}:${HEX[n & 0xff]}`;
}

function randomSuffix(random: RandomBytes): number {
  const b = random(3);
  return (((b[0] ?? 0) << 16) | ((b[1] ?? 0) << 8) | (b[2] ?? 0)) >>> 0;
}

/** A 52:54:00 address not in `inUse`. */
export function generateGuestMac(inUse: MacSet, random: RandomBytes = cryptoRandomBytes): string {
  for (let i = 0; i < RANDOM_ATTEMPTS; i++) {
    const mac = macFromSuffix(randomSuffix(random));
    if (!inUse.has(mac)) return mac;
  }
  const start = randomSuffix(random) % SPACE;
  for (let i = 0; i < SPACE; i++) {
    const mac = macFromSuffix((start + i) % SPACE);
    if (!inUse.has(mac)) return mac;
  }
  throw internalError('no free MAC address left with prefix 52:54:00');
}

/** Every MAC address of the given guests, canonical form. */
export function collectGuestMacs(defs: Iterable<GuestDef>): Set<string> {
  const out = new Set<string>();
  for (const def of defs) for (const i of def.interfaces) if (i.mac !== undefined) out.add(i.mac);
  return out;
}

/**
 * The guest with an address for every interface that has none, each unique
 * among `inUse` and the guest's own addresses. Returns a new definition.
 */
export function assignMissingMacs(def: GuestDef, inUse: MacSet, random: RandomBytes = cryptoRandomBytes): GuestDef {
  const taken = new Set<string>();
  for (const i of def.interfaces) if (i.mac !== undefined) taken.add(i.mac);
  const used: MacSet = { has: (mac) => taken.has(mac) || inUse.has(mac) };
  const interfaces = def.interfaces.map((i) => {
    if (i.mac !== undefined) return i;
    const mac = generateGuestMac(used, random);
    taken.add(mac);
    return { ...i, mac };
  });
  return { ...def, interfaces };
}

/**
 * virMacAddrCompare == 0: the texts are equal ignoring case and leading zeros
 * of each group (virsh compares --mac this way, so `52:54:0:0:0:1` matches
 * `52:54:00:00:00:01`; a text that is no address matches nothing else).
 */
export function macTextsEqual(p: string, q: string): boolean {
  const isHex = (c: string | undefined): boolean => c !== undefined && /[0-9a-fA-F]/.test(c);
  let i = 0;
  let j = 0;
  for (;;) {
    while (p[i] === '0' && isHex(p[i + 1])) i++;
    while (q[j] === '0' && isHex(q[j + 1])) j++;
    const c = (p[i] ?? '').toLowerCase();
    const d = (q[j] ?? '').toLowerCase();
    if (c === '' || d === '') return c === d;
    if (c !== d) return false;
    i++;
    j++;
  }
}
