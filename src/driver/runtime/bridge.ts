/**
 * The last touches on a new bridge after the batch that created it: its
 * IPv6 sysctls together with ip_forward, transmit checksum offload off,
 * then — for a network whose addresses came with the bridge — link up.
 *
 * The order matters at scale. A bridge that comes up with IPv6 still on
 * gets a link-local address, and turning IPv6 off a moment later removes
 * it: four route changes (ff00::/8, fe80::/64, added and deleted) on top
 * of the three of its IPv4 address. Every running dnsmasq listens to route
 * changes on netlink and wakes up for each, so with 200 networks one start
 * cost ~700 dnsmasq wake-ups instead of ~440 (measured). Bringing the link
 * up last, as libvirt does, keeps it at the IPv4 routes.
 *
 * On a LinuxHost the three steps run as one process (src/host/ns-script.ts):
 * a process started from Node forks all of Node, which is what a start
 * spends most of its own time on. Other hosts (the fake) get the separate
 * operations, in the same order.
 */
import type { Host } from '../../host/host.js';
import { type UndoLine, stepsFor } from '../../host/link-ops.js';
import { LinuxHost } from '../../host/linux.js';
import { type NsStep, runNsScript } from '../../host/ns-script.js';
import { undoOf } from '../../host/link-transaction.js';
import type { SysctlEntry } from '../../host/sysctl.js';
import type { OffloadControl } from './offload.js';

export interface BridgeFinish {
  sysctls: readonly SysctlEntry[];
  /** Turn transmit checksum offload off on this bridge. */
  txOff?: string;
  /** Bring this bridge up, last. */
  up?: string;
}

/** Carry out `f`; the undo lines of what it changed on links (link up), newest first. */
export async function finishBridge(host: Host, offload: OffloadControl, f: BridgeFinish): Promise<UndoLine[]> {
  const upSteps = f.up !== undefined ? stepsFor({ op: 'setUp', name: f.up, up: true }, 0, host.netns) : [];
  const offCommand = f.txOff !== undefined ? offload.txChecksumOffCommand?.(f.txOff) : undefined;
  if (host instanceof LinuxHost && (f.txOff === undefined || offCommand !== undefined)) {
    const steps: NsStep[] = [];
    if (f.sysctls.length > 0) steps.push({ kind: 'sysctls', entries: f.sysctls });
    if (offCommand) steps.push({ kind: 'command', ...offCommand });
    for (const s of upSteps) steps.push({ kind: 'command', argv: ['ip', ...s.args], what: s.what });
    if (steps.length > 0) await runNsScript(host.runner, host.netns, steps);
    return undoOf(upSteps);
  }
  if (f.sysctls.length > 0) await host.sysctl.writeMany(f.sysctls);
  if (f.txOff !== undefined) await offload.txChecksumOff(f.txOff);
  if (f.up === undefined) return [];
  return (await host.links.apply([{ op: 'setUp', name: f.up, up: true }])).undo;
}
