/**
 * The kernel's own counters of network devices (`ip -j -s link show`, the
 * same numbers as /sys/class/net/DEV/statistics), read in the bound
 * namespace: traffic is seen without any per-packet work in the datapath.
 */
import { commandError } from './errors.js';
import { iproute2Argv, type NetnsBinding } from './netns.js';
import type { CommandRunner } from './runner.js';

/** One direction's counters of a device. */
interface DirectionCounters {
  bytes: number;
  packets: number;
  errors: number;
  dropped: number;
}

/** A device's counters, as the host sees it: rx is what the device received. */
export interface LinkCounters {
  rx: DirectionCounters;
  tx: DirectionCounters;
}

const direction = (d: Record<string, unknown> | undefined): DirectionCounters => ({
  bytes: Number(d?.bytes ?? 0),
  packets: Number(d?.packets ?? 0),
  errors: Number(d?.errors ?? 0),
  dropped: Number(d?.dropped ?? 0),
});

/** Counters by device name, from `ip -j -s link show` output. */
function parseLinkCounters(json: string): Map<string, LinkCounters> {
  const out = new Map<string, LinkCounters>();
  const links = JSON.parse(json || '[]') as { ifname?: string; stats64?: { rx?: Record<string, unknown>; tx?: Record<string, unknown> } }[];
  for (const l of links) {
    if (typeof l.ifname !== 'string' || !l.stats64) continue;
    out.set(l.ifname, { rx: direction(l.stats64.rx), tx: direction(l.stats64.tx) });
  }
  return out;
}

/** Every device's counters in the namespace, in one command. */
export async function readLinkCounters(runner: CommandRunner, netns: NetnsBinding): Promise<Map<string, LinkCounters>> {
  const r = await runner.run({ argv: iproute2Argv('ip', netns, ['-j', '-s', 'link', 'show']) });
  if (r.exitCode !== 0) throw commandError("Unable to read the devices' counters", r, 'SYSTEM_ERROR');
  return parseLinkCounters(r.stdout);
}

/** The guest's view of a host-side device (a tap, a veth end): what the host sent, the guest received. */
export function swapDirections(c: LinkCounters): LinkCounters {
  return { rx: c.tx, tx: c.rx };
}
