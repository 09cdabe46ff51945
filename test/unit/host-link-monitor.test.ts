/**
 * Reading `ip -o monitor link` (src/host/link-monitor.ts): which links
 * stopped forwarding on their way out. The lines are as iproute2 6.1 prints
 * them on this project's kernel for a group deletion of two bridges.
 */
import { describe, expect, it } from 'vitest';
import { LinkMonitorParser } from '../../src/host/link-monitor.js';

const ETHER = '\\    link/ether 5e:16:8e:31:7c:ed brd ff:ff:ff:ff:ff:ff';

function closedBy(...chunks: string[]): string[] {
  const seen: string[] = [];
  const parser = new LinkMonitorParser((name) => seen.push(name));
  for (const c of chunks) parser.push(c);
  return seen;
}

describe('ip monitor link', () => {
  it('a group deletion: each link closed when it goes down in its group, and again when deleted', () => {
    const out = [
      `2: vbr1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN group 1234567 ${ETHER}`,
      `3: vbr2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN group 1234567 ${ETHER}`,
      `2: vbr1: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group 1234567 ${ETHER}`,
      `3: vbr2: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group 1234567 ${ETHER}`,
      `Deleted 2: vbr1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group 1234567 ${ETHER}`,
      `Deleted 3: vbr2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group 1234567 ${ETHER}`,
    ].join('\n');
    expect(closedBy(`${out}\n`)).toEqual(['vbr1', 'vbr2', 'vbr1', 'vbr2']);
  });

  it('a link deleted alone, a veth (NAME@PEER), and lines split across chunks', () => {
    const line = `Deleted 9: vnet3@if8: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default ${ETHER}\n`;
    expect(closedBy(line.slice(0, 17), line.slice(17))).toEqual(['vnet3']);
    expect(closedBy(`Deleted 4: vbr9: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default ${ETHER}\n`)).toEqual(['vbr9']);
  });

  it('not a link going down in the default group (a new bridge, or one taken down by hand), nor one coming up', () => {
    expect(
      closedBy(
        `5: vbr3: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default ${ETHER}\n`,
        `5: vbr3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default ${ETHER}\n`,
        `5: vbr3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group 99 ${ETHER}\n`,
        `5: vbr3: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group 99 ${ETHER}\n`,
        'garbage line\n',
      ),
    ).toEqual([]);
  });
});
