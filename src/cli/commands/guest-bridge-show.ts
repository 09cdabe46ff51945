/**
 * bridge-show [BRIDGE]: virtnet's own view of the host's bridges and their
 * ports (the guests' vnetN among them), laid out exactly as bridge-utils'
 * `brctl show` prints it, tabs included:
 *
 *   bridge name<TAB>bridge id<TAB><TAB>STP enabled<TAB>interfaces
 *   virbr0<TAB><TAB>8000.525400123456<TAB>no<TAB><TAB>vnet0
 *   <TAB x7>vnet1
 *
 * Bridges and ports in name order (brctl's alphasort), a bridge without
 * ports ends its line after the two tabs, and with no bridge at all nothing
 * is printed, not even the header (brctl prints it before the first
 * bridge). An unknown BRIDGE gives brctl's "bridge X does not exist!".
 */
import type { BridgePorts } from '../../contract/guest-api.js';
import type { CommandDef } from '../command.js';
import { optString } from '../options.js';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const BRCTL_HEADER = 'bridge name\tbridge id\t\tSTP enabled\tinterfaces\n';

/** brctl show's text for these bridges. */
function formatBridges(bridges: readonly BridgePorts[]): string {
  if (bridges.length === 0) return '';
  let out = BRCTL_HEADER;
  for (const b of [...bridges].sort((x, y) => byName(x.bridge, y.bridge))) {
    out += `${b.bridge}\t\t${b.bridgeId}\t${b.stp ? 'yes' : 'no'}\t\t`;
    const ports = [...b.ports].sort(byName);
    if (ports.length === 0) out += '\n';
    ports.forEach((p, i) => {
      out += `${i > 0 ? '\t\t\t\t\t\t\t' : ''}${p}\n`;
    });
  }
  return out;
}

export const bridgeShowCmd: CommandDef = {
  name: 'bridge-show',
  help: "show bridges and their ports, as 'brctl show' does",
  desc: "List the host's bridges, or one bridge, with their ports in brctl's layout.",
  opts: [{ name: 'bridge', kind: 'string', help: 'bridge name' }],
  async run(sh, cmd) {
    const bridge = optString(sh, cmd, 'bridge');
    const bridges = await sh.client().bridgePorts(bridge);
    const shown = bridge === undefined ? bridges : bridges.filter((b) => b.bridge === bridge);
    if (bridge !== undefined && shown.length === 0) {
      sh.error(sh.t('bridge {bridge} does not exist!', { bridge }));
      return false;
    }
    sh.print(formatBridges(shown));
    return true;
  },
};
