/**
 * MAC addresses and UUIDs as libvirt's XML parsers read and write them
 * (virmacaddr.c, viruuid.c), with libvirt's leniency; network and guest
 * documents share them.
 */

/**
 * virMacAddrParse: six 1-2 digit hex groups separated by ':'. After the last
 * group libvirt only looks at one character, which must be <= ' ' as a C
 * (signed) char: the end, white space, a control or a non-ASCII character.
 */
export function parseMac(text: string): number[] | undefined {
  const bytes: number[] = [];
  let i = 0;
  for (let n = 0; n < 6; n++) {
    let j = i;
    while (j < text.length && /[0-9a-fA-F]/.test(text[j]!)) j++;
    if (j - i < 1 || j - i > 2) return undefined;
    bytes.push(parseInt(text.slice(i, j), 16));
    if (n === 5) {
      const next = text.charCodeAt(j);
      return j >= text.length || next <= 0x20 || next >= 0x80 ? bytes : undefined;
    }
    if (text[j] !== ':') return undefined;
    i = j + 1;
  }
  return undefined;
}

export function formatMac(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function isMulticastMac(bytes: number[]): boolean {
  return ((bytes[0] ?? 0) & 1) === 1;
}

const ASCII_SPACE = /[ \t\n\v\f\r]/;

/**
 * virUUIDParse: 32 hex digits, with '-' or ' ' allowed between digit pairs
 * and white space around; returns the canonical lower-case text.
 */
export function parseUuid(text: string): string | undefined {
  let i = 0;
  while (i < text.length && ASCII_SPACE.test(text[i]!)) i++;
  let hex = '';
  while (hex.length < 32) {
    const c = text[i];
    if (c === undefined) return undefined;
    if (c === '-' || c === ' ') {
      i++;
      continue;
    }
    const d = text[i + 1];
    if (!/[0-9a-fA-F]/.test(c) || d === undefined || !/[0-9a-fA-F]/.test(d)) return undefined;
    hex += c + d;
    i += 2;
  }
  for (; i < text.length; i++) if (!ASCII_SPACE.test(text[i]!)) return undefined;
  hex = hex.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
