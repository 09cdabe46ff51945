/**
 * Turning a bridge's transmit checksum offload off (`ethtool -K BR tx off`),
 * the runtime's default fix for DHCP reply checksums (docs/network-runtime.md):
 * with the offload on, dnsmasq's replies leave the bridge with a partial
 * checksum that some guest ports hand to the guest unfinished; with it off
 * the host computes the full checksum. The Host interface has no such
 * operation (iproute2 cannot change offloads), so this runs Debian's
 * `ethtool` in the bound namespace, through the host's command runner.
 */
import { commandError } from '../../host/errors.js';
import { isValidIfname } from '../../host/link-ops.js';
import { type NetnsBinding, inNetnsArgv } from '../../host/netns.js';
import type { CommandRunner } from '../../host/runner.js';
import { internalError } from '../../util/errors.js';

export interface OffloadControl {
  /** Whether the tool is installed (checked once). */
  available(): Promise<boolean>;
  /** Turn transmit checksum offload (and with it TSO) off on a device. */
  txChecksumOff(dev: string): Promise<void>;
  /**
   * The command txChecksumOff runs in the namespace, for running it inside
   * a combined script (src/host/ns-script.ts); absent when it is not a command.
   */
  txChecksumOffCommand?(dev: string): { argv: string[]; what: string };
}

export class EthtoolOffload implements OffloadControl {
  private present: Promise<boolean> | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly netns: NetnsBinding,
  ) {}

  available(): Promise<boolean> {
    this.present ??= this.runner.run({ argv: ['ethtool', '--version'] }).then(
      (r) => r.exitCode === 0,
      () => false,
    );
    return this.present;
  }

  txChecksumOffCommand(dev: string): { argv: string[]; what: string } {
    if (!isValidIfname(dev)) throw internalError(`invalid network interface name '${dev}'`);
    return { argv: ['ethtool', '-K', dev, 'tx', 'off'], what: `Cannot turn off transmit checksum offload on '${dev}'` };
  }

  async txChecksumOff(dev: string): Promise<void> {
    const { argv, what } = this.txChecksumOffCommand(dev);
    const result = await this.runner.run({ argv: inNetnsArgv(this.netns, argv) });
    if (result.exitCode !== 0) throw commandError(what, result);
  }
}
