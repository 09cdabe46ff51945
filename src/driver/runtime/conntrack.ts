/**
 * Forgetting tracked UDP flows after a port forward change
 * (src/plan/forward-flows.ts says which): Debian's `conntrack` in the bound
 * namespace, through the host's command runner: one `conntrack -R -` per
 * change (it reads the deletions from stdin; a line that matches nothing is
 * no error there), after one `conntrack -L` for a wide range. Best effort: what goes wrong comes back as a
 * warning and the forward change stands. Without the tool (checked once)
 * one warning says what that means.
 */
import { type NetnsBinding, inNetnsArgv } from '../../host/netns.js';
import type { CommandRunner } from '../../host/runner.js';
import {
  conntrackDeleteArgs,
  conntrackDeleteFlowArgs,
  PORT_BY_PORT_LIMIT,
  parseUdpFlows,
  portsOf,
  type UdpFlowFilter,
} from '../../plan/forward-flows.js';
import { errorText } from '../common/log.js';

export interface FlowControl {
  /** Delete the tracked flows the filters select; resolves with a warning to log, if any (never rejects). */
  forgetUdp(filters: readonly UdpFlowFilter[]): Promise<string | undefined>;
}

export const NO_CONNTRACK_WARNING =
  "'conntrack' is not installed: a port forward change acts on new UDP flows only; a UDP flow that began before it keeps its old path until it has been quiet for the kernel's UDP timeout (net.netfilter.nf_conntrack_udp_timeout)";

export class ConntrackFlows implements FlowControl {
  private present: Promise<boolean> | undefined;
  private warned = false;

  constructor(
    private readonly runner: CommandRunner,
    private readonly netns: NetnsBinding,
  ) {}

  async forgetUdp(filters: readonly UdpFlowFilter[]): Promise<string | undefined> {
    if (filters.length === 0) return undefined;
    this.present ??= this.runner.run({ argv: ['conntrack', '--version'] }).then(
      (r) => r.exitCode === 0,
      () => false,
    );
    if (!(await this.present)) {
      if (this.warned) return undefined;
      this.warned = true;
      return NO_CONNTRACK_WARNING;
    }
    try {
      const lines = portsOf(filters) <= PORT_BY_PORT_LIMIT ? filters.flatMap(conntrackDeleteArgs) : await this.listedFlows(filters);
      if (lines.length === 0) return undefined;
      const input = lines.map((args) => `${args.join(' ')}\n`).join('');
      const r = await this.runner.run({ argv: inNetnsArgv(this.netns, ['conntrack', '-R', '-']), input });
      if (r.exitCode === 0) return undefined;
      return `cannot forget the UDP flows of a changed port forward: ${r.stderr.trim() || `conntrack exited with ${r.exitCode ?? r.signal}`}`;
    } catch (err) {
      return `cannot forget the UDP flows of a changed port forward: ${errorText(err)}`;
    }
  }

  /** The deletions of the tracked UDP flows the filters select, from one listing (wide ranges: PORT_BY_PORT_LIMIT). */
  private async listedFlows(filters: readonly UdpFlowFilter[]): Promise<string[][]> {
    const r = await this.runner.run({ argv: inNetnsArgv(this.netns, ['conntrack', '-L', '-f', 'ipv4', '-p', 'udp']) });
    if (r.exitCode !== 0) throw new Error(r.stderr.trim() || `conntrack exited with ${r.exitCode ?? r.signal}`);
    return conntrackDeleteFlowArgs(parseUdpFlows(r.stdout), filters);
  }
}
