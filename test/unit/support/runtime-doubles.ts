/** Stand-ins for the Linux runtime's ethtool and conntrack controls, for a runtime over a fake host: they record what they were asked. */
import type { FlowControl } from '../../../src/driver/runtime/conntrack.js';
import type { OffloadControl } from '../../../src/driver/runtime/offload.js';
import type { UdpFlowFilter } from '../../../src/plan/forward-flows.js';

/** Records the devices whose offload was turned off; says ethtool is there (or not). */
export class RecordingOffload implements OffloadControl {
  readonly txOff: string[] = [];
  constructor(private readonly present = true) {}
  async available(): Promise<boolean> {
    return this.present;
  }
  async txChecksumOff(dev: string): Promise<void> {
    this.txOff.push(dev);
  }
}

/** Records the flows it was asked to forget. */
export class RecordingFlows implements FlowControl {
  readonly forgotten: UdpFlowFilter[][] = [];
  async forgetUdp(filters: readonly UdpFlowFilter[]): Promise<string | undefined> {
    if (filters.length > 0) this.forgotten.push([...filters]);
    return undefined;
  }
}
