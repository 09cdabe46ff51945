/**
 * Offloads off on a device whose frames Open vSwitch's userspace datapath
 * reads or writes with AF_PACKET (a guest's veth, a namespace talking to
 * the lab's underlay): AF_PACKET carries no checksum or segmentation
 * metadata in OVS 3.1, so a frame with a partial checksum arrives broken
 * and a GSO super-frame arrives larger than the MTU. With transmit
 * checksumming, TSO and GSO off, the kernel finishes every frame before it
 * leaves the device.
 */
import { isValidIfname } from './link-ops.js';
import { inNetnsArgv, type NetnsBinding } from './netns.js';
import type { CommandRunner } from './runner.js';
import { internalError, operationFailed } from '../util/errors.js';

function offloadsOffArgv(dev: string): string[] {
  if (!isValidIfname(dev)) throw internalError(`invalid network interface name '${dev}'`);
  return ['ethtool', '-K', dev, 'tx', 'off', 'tso', 'off', 'gso', 'off'];
}

export async function offloadsOff(runner: CommandRunner, netns: NetnsBinding, dev: string): Promise<void> {
  const r = await runner.run({ argv: inNetnsArgv(netns, offloadsOffArgv(dev)) });
  if (r.exitCode !== 0) throw operationFailed(`cannot turn offloads off on '${dev}': ${r.stderr.trim() || `exit status ${r.exitCode}`}`);
}
