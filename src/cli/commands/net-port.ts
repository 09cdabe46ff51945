/**
 * virsh 9.0's network port commands over virtnet's port table (libvirt's
 * virNetworkPort* API): net-port-list, net-port-create, net-port-dumpxml,
 * net-port-delete, with virsh's lines, including its quirks: a failed
 * net-port-create says "Failed to create network from FILE", and
 * net-port-dumpxml / net-port-delete exit 0 after "failed to get network
 * port 'U'" (or "failed to get network 'N'") without the library's error.
 */
import type { NetworkPortDef } from '../../contract/network-port-api.js';
import type { CommandDef, OptDef, ParsedCommand } from '../command.js';
import { canonicalUuid, lookupNetwork, lookupNetworkArg } from '../lookup.js';
import { CommandAbort, type Shell } from '../shell.js';
import { formatTable } from '../table.js';
import { readFileAll } from './fs-helpers.js';
import { attempt } from './net-lifecycle.js';
import { networkOpt, NETWORK_OPT, optRequired } from '../options.js';
import { printXmlDump, XML_DUMP_OPTS } from './xml-dump.js';

const PORT_OPT: OptDef = { name: 'port', kind: 'data', required: true, help: 'port UUID' };

/** Ports in virsh's order: by uuid. */
const byUuid = (a: NetworkPortDef, b: NetworkPortDef): number => a.uuid.localeCompare(b.uuid);

export const netPortList: CommandDef = {
  name: 'net-port-list',
  help: 'list network ports',
  desc: 'Returns list of network ports.',
  opts: [
    networkOpt({ active: true }),
    { name: 'uuid', kind: 'bool', help: "list uuid's only" },
    { name: 'table', kind: 'bool', help: 'list table (default)' },
  ],
  async run(sh, cmd) {
    if (cmd.has('uuid') && cmd.has('table')) {
      sh.error(sh.t('Only one argument from --table and --uuid may be specified.'));
      return false;
    }
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    const ports = [...(await sh.client().portList(net.info.name))].sort(byUuid);
    if (cmd.has('uuid')) {
      sh.print(ports.map((p) => `${p.uuid}\n`).join(''));
      return true;
    }
    sh.print(
      formatTable(
        ['UUID'],
        ports.map((p) => [p.uuid]),
        !sh.quiet,
      ),
    );
    return true;
  },
};

export const netPortCreate: CommandDef = {
  name: 'net-port-create',
  help: 'create a network port from an XML file',
  desc: 'Create a network port.',
  opts: [
    NETWORK_OPT,
    { name: 'file', kind: 'data', required: true, help: 'file containing an XML network port description', complete: 'file' },
    { name: 'validate', kind: 'bool', help: 'validate the XML against the schema' },
  ],
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    const from = optRequired(sh, cmd, 'file');
    const xml = readFileAll(sh.cwd, from);
    return attempt(
      sh,
      sh.t('Failed to create network from {file}', { file: from }),
      () => sh.client().portCreate(net.info.name, xml),
      (port) => sh.printExtra(sh.t('Network port {port} created from {file}\n', { port: port.uuid, file: from })),
    );
  },
};

/**
 * virshCommandOptNetworkPort after the network's lookup: the port the
 * command names, or undefined after virsh's line. Both failures end the
 * command as a success, as virsh 9.0's do.
 */
async function lookupPort(sh: Shell, cmd: ParsedCommand): Promise<{ network: string; port: NetworkPortDef } | undefined> {
  const arg = optRequired(sh, cmd, 'network');
  const portArg = optRequired(sh, cmd, 'port');
  const info = await lookupNetworkArg(sh, arg);
  if (!info) return undefined;
  const uuid = canonicalUuid(portArg);
  try {
    if (uuid !== undefined) return { network: info.name, port: await sh.client().portLookup(info.name, uuid) };
  } catch {
    // virsh prints its own line, and not the library's error.
  }
  sh.error(sh.t("failed to get network port '{port}'", { port: portArg }));
  return undefined;
}

export const netPortDumpxml: CommandDef = {
  name: 'net-port-dumpxml',
  help: 'network port information in XML',
  desc: 'Output the network port information as an XML dump to stdout.',
  opts: [NETWORK_OPT, PORT_OPT, ...XML_DUMP_OPTS.filter((o) => o.name !== 'inactive')],
  async run(sh, cmd) {
    if (cmd.has('xpath') && !cmd.raw('xpath')) throw new CommandAbort();
    const found = await lookupPort(sh, cmd);
    if (!found) return true;
    return printXmlDump(sh, cmd, () => sh.client().portGetXml(found.network, found.port.uuid));
  },
};

export const netPortDelete: CommandDef = {
  name: 'net-port-delete',
  help: 'delete the specified network port',
  desc: 'Delete the specified network port.',
  opts: [NETWORK_OPT, PORT_OPT],
  async run(sh, cmd) {
    const found = await lookupPort(sh, cmd);
    if (!found) return true;
    const params = { port: found.port.uuid };
    return attempt(
      sh,
      sh.t('Failed to delete network port {port}', params),
      () => sh.client().portDelete(found.network, found.port.uuid),
      () => sh.printExtra(sh.t('Network port {port} deleted\n', params)),
    );
  },
};
