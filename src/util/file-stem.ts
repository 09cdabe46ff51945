/**
 * The file name an object is stored under: CONFIG/networks/STEM.xml, the
 * status and pid files in RUN, dnsmasq's files in STATE, a guest's files.
 * One function decides it for every one of them, and the result is also
 * safe on a line of dnsmasq's configuration (pid-file=, dhcp-leasefile=...).
 *
 * A name made of letters, digits and `_ - + . : @`, not starting with a dot
 * and at most MAX_STEM bytes long, is its own stem: the layout is
 * libvirt's. Any other name is percent-encoded: every byte outside that set
 * (and a leading dot) becomes %XX, so `.hidden` is stored as `%2Ehidden` and
 * `a #b` as `a%20%23b`. A stem longer than MAX_STEM bytes keeps its first
 * part and ends in `~` and 16 hex digits of the name's SHA-256, so every
 * file and its temporary sibling fit in a file name (255 bytes).
 *
 * Distinct names get distinct stems: a plain stem holds neither `%` nor
 * `~`, percent-encoding is one-to-one, and only a shortened stem holds a
 * `~` outside an escape.
 */
import { createHash } from 'node:crypto';

/** The longest stem: leaves room for `.STEM.hostsfile.XXXXXXXX.tmp` within 255 bytes. */
export const MAX_STEM = 200;

const PLAIN_BYTE = /^[A-Za-z0-9_\-+.:@]$/;

function encode(name: string): string {
  let out = '';
  const bytes = Buffer.from(name, 'utf8');
  bytes.forEach((b, i) => {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && PLAIN_BYTE.test(ch) && !(i === 0 && ch === '.') ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  });
  return out;
}

/** The stem `name`'s files are stored under. */
export function fileStem(name: string): string {
  const encoded = encode(name);
  if (encoded.length <= MAX_STEM) return encoded;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 16);
  let cut = MAX_STEM - hash.length - 1;
  // Never cut an escape in two.
  const lastEscape = encoded.lastIndexOf('%', cut - 1);
  if (lastEscape >= 0 && lastEscape > cut - 3) cut = lastEscape;
  return `${encoded.slice(0, cut)}~${hash}`;
}
