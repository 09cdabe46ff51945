/**
 * `ip -o monitor link`'s output, read line by line: which links stopped
 * forwarding on their way out. A line is one RTM_NEWLINK or RTM_DELLINK:
 *
 *   7: virbr3: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group 1234567 \    link/ether …
 *   Deleted 7: virbr3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group 1234567 \    link/ether …
 *
 * A group deletion (link-delete.ts) closes all its links at once, then
 * deletes them one by one, ~20 ms apart for bridges; so a link counts as
 * closed at the first of:
 * - its deletion ("Deleted N: NAME:");
 * - a line without UP while it is in a group other than the default one.
 *   Our links are in the default group until a deletion moves them, so
 *   such a line cannot be an old one from the link's creation.
 */
import { LineBuffer } from './monitor-process.js';

const LINK_LINE = /^(Deleted )?\d+: ([^:@\s]+)(?:@\S*)?: <([^>]*)>(.*)$/;
const GROUP = /\bgroup (\S+)/;

export class LinkMonitorParser {
  private readonly lines = new LineBuffer((line) => this.read(line));

  constructor(private readonly onClosed: (name: string) => void) {}

  push(chunk: string): void {
    this.lines.push(chunk);
  }

  private read(line: string): void {
    const m = LINK_LINE.exec(line);
    if (!m) return;
    const [, deleted, name, flags, rest] = m as unknown as [string, string | undefined, string, string, string];
    if (deleted !== undefined) {
      this.onClosed(name);
      return;
    }
    const group = GROUP.exec(rest)?.[1];
    const up = flags.split(',').includes('UP');
    if (!up && group !== undefined && group !== 'default' && group !== '0') this.onClosed(name);
  }
}
