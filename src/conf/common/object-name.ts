/**
 * The characters a network's or guest's name may not hold, checked when it
 * is defined (and, for guests, whenever a definition is read):
 * - a newline, as libvirt 9.0 (`invalid char in name: ` and the newline);
 * - a carriage return, which libvirt accepts but cannot keep: XML turns a
 *   raw CR into a newline when the saved file is read back, so libvirt loses
 *   such a network at its next start. Refused here, with libvirt's message
 *   naming the character by its code.
 * Every other name is stored under a file name made for it
 * (src/util/file-stem.ts), so it survives a restart.
 */
import { xmlDetail } from './parse-helpers.js';

export function checkObjectNameChars(name: string): void {
  if (name.includes('\n')) throw xmlDetail('invalid char in name: \n');
  if (name.includes('\r')) throw xmlDetail('invalid char in name: 0x0d');
}
