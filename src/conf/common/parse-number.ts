/**
 * Number conversion exactly as libvirt's virStrToLong_* helpers do it (C's
 * strtoul/strtol underneath): leading white space and a sign are accepted,
 * base 0 understands 0x.. (hex) and 0.. (octal), the whole string must be
 * consumed, and the `p` variants reject any minus sign. The plain unsigned
 * variants accept "-1" and wrap it, as C does, which is why libvirt reports
 * e.g. "vlan tag id 18446744073709551615 too large".
 *
 * Every function returns undefined where libvirt's helper returns an error;
 * callers turn that into libvirt's message for the attribute at hand.
 */

const ULONG_MAX = (1n << 64n) - 1n;
const UINT_MAX = (1n << 32n) - 1n;

/** What C's strtoul/strtoull (64-bit long) makes of `s`. */
interface StrtoulResult {
  /** The result as C returns it: wrapped for a minus sign, ULONG_MAX on overflow. */
  value: bigint;
  /** The magnitude before negation (for strtol). */
  magnitude: bigint;
  negative: boolean;
  overflow: boolean;
  /** Index just after the digits, or 0 when no digits were found (endptr == s). */
  end: number;
  /** Whether a '-' appears in the consumed prefix (libvirt's memchr check). */
  minusSeen: boolean;
}

const SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

function digitValue(ch: string): number {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return 99;
}

function strtoul(s: string, base: number): StrtoulResult {
  let i = 0;
  while (i < s.length && SPACE.has(s[i]!)) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  let b = base;
  const hexPrefix = s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && i + 2 < s.length && digitValue(s[i + 2]!) < 16;
  if ((b === 0 || b === 16) && hexPrefix) {
    b = 16;
    i += 2;
  } else if (b === 0) {
    b = s[i] === '0' ? 8 : 10;
  }
  const start = i;
  let magnitude = 0n;
  let overflow = false;
  while (i < s.length && digitValue(s[i]!) < b) {
    magnitude = magnitude * BigInt(b) + BigInt(digitValue(s[i]!));
    if (magnitude > ULONG_MAX) overflow = true;
    i++;
  }
  if (i === start) {
    return { value: 0n, magnitude: 0n, negative: false, overflow: false, end: 0, minusSeen: false };
  }
  const value = overflow ? ULONG_MAX : negative ? (ULONG_MAX + 1n - magnitude) & ULONG_MAX : magnitude;
  return { value, magnitude, negative, overflow, end: i, minusSeen: negative };
}

function whole(r: StrtoulResult, s: string): boolean {
  return r.end !== 0 && r.end === s.length && !r.overflow;
}

/** virStrToLong_ui: unsigned int; "-1" wraps to 4294967295. */
export function strToUInt(s: string, base = 10): number | undefined {
  const r = strtoul(s, base);
  if (!whole(r, s)) return undefined;
  let v = r.value;
  if (r.minusSeen) {
    const neg = (ULONG_MAX + 1n - v) & ULONG_MAX;
    if (neg > UINT_MAX) return undefined;
    v &= UINT_MAX;
  }
  if (v > UINT_MAX) return undefined;
  return Number(v);
}

/** virStrToLong_uip: unsigned int, no minus sign. */
export function strToUIntP(s: string, base = 10): number | undefined {
  const r = strtoul(s, base);
  if (!whole(r, s) || r.minusSeen || r.value > UINT_MAX) return undefined;
  return Number(r.value);
}

/** virStrToLong_ulp / virStrToLong_ullp: unsigned 64-bit, no minus sign. */
export function strToULongP(s: string, base = 10): bigint | undefined {
  const r = strtoul(s, base);
  return whole(r, s) && !r.minusSeen ? r.value : undefined;
}
