/**
 * The read-only single-network commands: net-info (virsh's labels, 15
 * columns wide; the Bridge line only when there is a bridge; virtnet's own
 * Degraded line only while the daemon repairs the network), net-uuid,
 * net-name and net-dumpxml (live or --inactive; --xpath/--wrap go through
 * libxml2, loaded only then: xml-dump.ts, shared with dumpxml).
 */
import type { CommandDef } from '../command.js';
import type { Shell } from '../shell.js';
import { type LookupWays, byNameOnly, lookupNetwork } from '../lookup.js';
import { NETWORK_OPT } from '../options.js';
import { printXmlDump, XML_DUMP_OPTS } from './xml-dump.js';

const label = (name: string, value: string): string => `${name.padEnd(15)} ${value}\n`;
const yes = (sh: Shell, b: boolean): string => (b ? sh.t('yes') : sh.t('no'));

export const netInfo: CommandDef = {
  name: 'net-info',
  help: 'network information',
  desc: 'Returns basic information about the network',
  opts: [NETWORK_OPT],
  probeInFirstCall: true,
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    const n = net.info;
    let out = label(sh.t('Name:'), n.name);
    out += label(sh.t('UUID:'), n.uuid);
    out += label(sh.t('Active:'), yes(sh, n.active));
    out += label(sh.t('Persistent:'), yes(sh, n.persistent));
    out += label(sh.t('Autostart:'), yes(sh, n.autostart));
    if (n.bridge) out += label(sh.t('Bridge:'), n.bridge);
    if (n.degraded !== undefined) out += label(sh.t('Degraded:'), n.degraded);
    sh.print(out);
    return true;
  },
};

/** net-uuid and net-name: look the network up by one of its identifiers (`ways`), print the `other`. */
function printOther(ways: LookupWays, other: 'uuid' | 'name'): CommandDef['run'] {
  return async (sh, cmd) => {
    const net = await lookupNetwork(sh, cmd, ways);
    if (!net) return false;
    sh.print(`${net.info[other]}\n`);
    return true;
  };
}

export const netUuid: CommandDef = {
  name: 'net-uuid',
  help: 'convert a network name to network UUID',
  desc: '',
  opts: [{ ...NETWORK_OPT, help: 'network name' }],
  probeInFirstCall: true,
  run: printOther({ byUuid: false, byName: true }, 'uuid'),
};

export const netName: CommandDef = {
  name: 'net-name',
  help: 'convert a network UUID to network name',
  desc: '',
  opts: [{ ...NETWORK_OPT, help: 'network uuid', complete: 'network-uuid' }],
  probeInFirstCall: true,
  run: printOther({ byUuid: true, byName: false }, 'name'),
};

export const netDumpxml: CommandDef = {
  name: 'net-dumpxml',
  help: 'network information in XML',
  desc: 'Output the network information as an XML dump to stdout.',
  opts: [NETWORK_OPT, ...XML_DUMP_OPTS],
  probeInFirstCall: true,
  async run(sh, cmd) {
    // A name is not looked up first: its XML is asked for at once, one call. If that fails, the
    // lookup below runs, so a missing network (or anything else) is reported exactly as virsh does.
    const arg = cmd.raw('network');
    if (arg && byNameOnly(arg) && (!cmd.has('xpath') || cmd.raw('xpath'))) {
      const xml = await sh
        .client()
        .getXml(arg, { inactive: cmd.has('inactive') })
        .catch(() => undefined);
      if (xml !== undefined) return printXmlDump(sh, cmd, async () => xml);
    }
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    return printXmlDump(sh, cmd, (options) => sh.client().getXml(net.info.name, options));
  },
};
