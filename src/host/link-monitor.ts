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
const LINK_LINE = /^(Deleted )?\d+: ([^:@\s]+)(?:@\S*)?: <([^>]*)>(.*)$/;
const GROUP = /\bgroup (\S+)/;

export class LinkMonitorParser {
  private buffered = '';

  constructor(private readonly onClosed: (name: string) => void) {}

  push(chunk: string): void {
    this.buffered += chunk;
    for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      const m = LINK_LINE.exec(line);
      if (!m) continue;
      const [, deleted, name, flags, rest] = m as unknown as [string, string | undefined, string, string, string];
      if (deleted !== undefined) {
        this.onClosed(name);
        continue;
      }
      const group = GROUP.exec(rest)?.[1];
      const up = flags.split(',').includes('UP');
      if (!up && group !== undefined && group !== 'default' && group !== '0') this.onClosed(name);
    }
  }
}
