/**
 * Guest MAC allocation: addresses under 52:54:00 that no guest uses yet,
 * whatever the randomness does (property tests with fast-check, including
 * randomness that keeps proposing taken addresses), and virsh's MAC
 * comparison.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignMissingMacs, canonicalMac, collectGuestMacs, generateGuestMac, macTextsEqual, type RandomBytes } from '../../src/conf/guest/mac.js';
import { parseGuestXml } from '../../src/conf/guest/parse.js';
import type { GuestDef } from '../../src/conf/guest/types.js';
import { VirError } from '../../src/util/errors.js';

const GUEST_MAC = /^52:54:00(:[0-9a-f]{2}){3}$/;

const suffixMac = (n: number): string =>
  `52:54:00:${((n >> 16) & 0xff).toString(16).padStart(2, '0')}:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;

/** A reproducible byte source (mulberry32). */
function seeded(seed: number): RandomBytes {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  };
  return (n) => Uint8Array.from({ length: n }, next);
}

/** Randomness that only ever proposes a handful of addresses (52:54:00:00:00:0k). */
function narrow(seed: number, width: number): RandomBytes {
  const r = seeded(seed);
  return (n) => {
    const out = new Uint8Array(n);
    if (n > 0) out[n - 1] = r(1)[0]! % width;
    return out;
  };
}

const randomness = fc.oneof(
  fc.integer().map((s) => ({ kind: 'seeded', random: seeded(s) })),
  fc.tuple(fc.integer(), fc.integer({ min: 1, max: 4 })).map(([s, w]) => ({ kind: 'narrow', random: narrow(s, w) })),
  fc.constant({ kind: 'constant', random: (n: number) => new Uint8Array(n) }),
);

/** Addresses in use, crowded around 52:54:00:00:00:00 so that collisions happen. */
const inUseArb = fc
  .uniqueArray(fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 0xffffff })), { maxLength: 64 })
  .map((ns) => new Set(ns.map(suffixMac)));

describe('generateGuestMac', () => {
  it('gives a canonical unicast 52:54:00 address that is not in use', () => {
    fc.assert(
      fc.property(inUseArb, randomness, (inUse, { random }) => {
        const mac = generateGuestMac(inUse, random);
        expect(mac).toMatch(GUEST_MAC);
        expect(inUse.has(mac)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('finds the last free address when randomness never helps', () => {
    const free = suffixMac(0xabcdef);
    const mac = generateGuestMac({ has: (m) => m !== free }, () => new Uint8Array(3));
    expect(mac).toBe(free);
  });

  it('fails with an internal error only when every address is taken', () => {
    let err: unknown;
    try {
      generateGuestMac({ has: () => true }, () => new Uint8Array(3));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VirError);
    expect((err as VirError).message).toBe('internal error: no free MAC address left with prefix 52:54:00');
  });

  it('uses node:crypto by default', () => {
    const seen = new Set(Array.from({ length: 20 }, () => generateGuestMac(new Set())));
    for (const mac of seen) expect(mac).toMatch(GUEST_MAC);
    expect(seen.size).toBeGreaterThan(1);
  });
});

/** A guest with `withMac` interfaces that have the given MACs and `without` that have none. */
function guestXml(name: string, macs: string[], without: number): string {
  const ifaces = [
    ...macs.map((m) => `<interface type='network'><mac address='${m}'/><source network='default'/></interface>`),
    ...Array.from({ length: without }, () => "<interface type='bridge'><source bridge='br0'/></interface>"),
  ];
  return `<domain type='netns'><name>${name}</name><devices>${ifaces.join('')}</devices></domain>`;
}

describe('assignMissingMacs', () => {
  it('gives every guest addresses unique across all guests', () => {
    const guestArb = fc.tuple(fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }), fc.integer({ min: 0, max: 4 }));
    fc.assert(
      fc.property(fc.array(guestArb, { minLength: 1, maxLength: 6 }), randomness, (specs, { random }) => {
        const done: GuestDef[] = [];
        specs.forEach(([given, without], i) => {
          const def = parseGuestXml(guestXml(`g${i}`, given.map(suffixMac), without));
          const before = collectGuestMacs([...done, def]);
          const next = assignMissingMacs(def, collectGuestMacs(done), random);
          // Given addresses stay; every interface has one now.
          next.interfaces.forEach((iface, k) => {
            expect(iface.mac).toMatch(GUEST_MAC);
            if (def.interfaces[k]!.mac !== undefined) expect(iface.mac).toBe(def.interfaces[k]!.mac);
            else expect(before.has(iface.mac!)).toBe(false);
          });
          // The argument is left alone.
          expect(def.interfaces.filter((x) => x.mac === undefined)).toHaveLength(without);
          done.push(next);
        });
        // The new addresses are pairwise distinct.
        const generated = done.flatMap((d, i) => d.interfaces.slice(specs[i]![0].length).map((x) => x.mac!));
        expect(new Set(generated).size).toBe(generated.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('macTextsEqual (virsh --mac matching)', () => {
  const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 });
  const spell = (b: number[], upper: boolean, short: boolean): string =>
    b
      .map((x) => (short ? x.toString(16) : x.toString(16).padStart(2, '0')))
      .map((s) => (upper ? s.toUpperCase() : s))
      .join(':');

  it('ignores case and leading zeros', () => {
    fc.assert(
      fc.property(bytes, fc.boolean(), fc.boolean(), (b, upper, short) => {
        expect(macTextsEqual(spell(b, false, false), spell(b, upper, short))).toBe(true);
      }),
    );
  });

  it('tells different addresses apart', () => {
    fc.assert(
      fc.property(bytes, bytes, fc.boolean(), (a, b, short) => {
        fc.pre(a.some((x, i) => x !== b[i]));
        expect(macTextsEqual(spell(a, false, false), spell(b, false, short))).toBe(false);
      }),
    );
  });

  it('matches no address with a text that is none', () => {
    expect(macTextsEqual('52:54:00:00:00:01', 'zz')).toBe(false);
    expect(macTextsEqual('52:54:00:00:00:01', '52:54:00:00:00:01:')).toBe(false);
    expect(canonicalMac('52:54:0:A:b:1')).toBe('52:54:00:0a:0b:01');
    expect(canonicalMac('zz')).toBeUndefined();
  });
});
