/**
 * virsh's table layout (tools/vsh-table.c), shared by every command that
 * prints a table (net-list, list, net-dhcp-leases, ...): every cell is " TEXT", every cell but the last is padded
 * to the column's widest cell plus two spaces, a line of dashes
 * (sum of width+3) follows the header, and quiet mode (-q) drops the header
 * and its dashes, sizing the columns on the data rows alone.
 *
 * Control characters (and a literal backslash-x) are shown as \xNN, as
 * vsh-table does, so a hostile name cannot break the layout; wide
 * characters count two columns.
 */
import type { MessageId } from './i18n/translate.js';
import type { Shell } from './shell.js';

/** vsh-table's safe encoding of one cell, with its display width. */
export function encodeCell(text: string): { text: string; width: number } {
  let out = '';
  let width = 0;
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const code = ch.codePointAt(0) ?? 0;
    if ((ch === '\\' && chars[i + 1] === 'x') || code < 0x20 || code === 0x7f) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
      width += 4;
    } else if (code >= 0x80 && code < 0xa0) {
      // C1 controls are not printable: each UTF-8 byte is escaped.
      for (const b of Buffer.from(ch, 'utf8')) out += `\\x${b.toString(16).padStart(2, '0')}`;
      width += 4 * Buffer.byteLength(ch, 'utf8');
    } else {
      out += ch;
      width += charWidth(code);
    }
  }
  return { text: out, width };
}

/** wcwidth(), reduced to what matters in names: combining marks 0, East Asian wide 2. */
function charWidth(code: number): number {
  if (code >= 0x0300 && code <= 0x036f) return 0;
  if (code === 0x200b || (code >= 0xfe00 && code <= 0xfe0f)) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Render a table: `header` names the columns; `rows` must have as many cells. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], withHeader = true): string {
  const all = [header, ...rows].map((row) => row.map(encodeCell));
  const ncols = header.length;
  const maxw: number[] = new Array<number>(ncols).fill(0);
  for (let r = withHeader ? 0 : 1; r < all.length; r++) {
    const row = all[r] as { text: string; width: number }[];
    for (let c = 0; c < ncols; c++) {
      const w = row[c]?.width ?? 0;
      if (w > (maxw[c] as number)) maxw[c] = w;
    }
  }
  const line = (row: { text: string; width: number }[]): string => {
    let s = '';
    for (let c = 0; c < ncols; c++) {
      const cell = row[c] ?? { text: '', width: 0 };
      s += ` ${cell.text}`;
      if (c < ncols - 1) s += ' '.repeat((maxw[c] as number) - cell.width + 2);
    }
    return `${s}\n`;
  };
  let out = '';
  if (withHeader) {
    out += line(all[0] as { text: string; width: number }[]);
    out += `${'-'.repeat(maxw.reduce((sum, w) => sum + w + 3, 0))}\n`;
  }
  for (let r = 1; r < all.length; r++) out += line(all[r] as { text: string; width: number }[]);
  return out;
}

/** Print a table: its header in the user's language, left out under -q. */
export function printTable(sh: Shell, header: readonly MessageId[], rows: readonly (readonly string[])[]): void {
  sh.print(
    formatTable(
      header.map((h) => sh.t(h)),
      rows,
      !sh.quiet,
    ),
  );
}
