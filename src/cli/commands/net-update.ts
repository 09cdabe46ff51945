/**
 * net-update NETWORK COMMAND SECTION XML [--parent-index N]
 * [--config] [--live] [--current], in virsh's order of checks: the
 * exclusive flags, the network, the command and section names, the index,
 * then the XML (a file, or the element itself when it starts with '<').
 * The success line has no newline of its own; only the blank line follows.
 */
import { parseUpdateCommand, parseUpdateSection } from '../../conf/network/update-names.js';
import type { UpdateCommand, UpdateSection } from '../../conf/network/update-common.js';
import type { CommandDef } from '../command.js';
import { lookupNetwork } from '../lookup.js';
import { attempt, DRY_RUN_OPT, dryRun } from './net-lifecycle.js';
import { exclusive, NETWORK_OPT, optInt, optRequired } from '../options.js';
import { readFileAll } from './fs-helpers.js';

export const netUpdate: CommandDef = {
  name: 'net-update',
  help: "update parts of an existing network's configuration",
  desc: '',
  opts: [
    NETWORK_OPT,
    {
      name: 'command',
      kind: 'data',
      required: true,
      help: 'type of update (add-first, add-last (add), delete, or modify)',
      complete: 'update-command',
    },
    { name: 'section', kind: 'data', required: true, help: 'which section of network configuration to update', complete: 'update-section' },
    {
      name: 'xml',
      kind: 'data',
      required: true,
      help: "name of file containing xml (or, if it starts with '<', the complete xml element itself) to add/modify, or to be matched for search",
      complete: 'file',
    },
    { name: 'parent-index', kind: 'int', help: 'which parent object to search through' },
    { name: 'config', kind: 'bool', help: 'affect next network startup' },
    { name: 'live', kind: 'bool', help: 'affect running network' },
    { name: 'current', kind: 'bool', help: 'affect current state of network' },
    DRY_RUN_OPT,
  ],
  async run(sh, cmd) {
    exclusive(sh, cmd, 'current', 'live');
    exclusive(sh, cmd, 'current', 'config');
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;

    let command: UpdateCommand;
    let section: UpdateSection;
    try {
      command = parseUpdateCommand(optRequired(sh, cmd, 'command'));
    } catch (err) {
      sh.error(sh.describeError(err));
      return false;
    }
    try {
      section = parseUpdateSection(optRequired(sh, cmd, 'section')) as UpdateSection;
    } catch (err) {
      sh.error(sh.describeError(err));
      return false;
    }
    const parentIndex = optInt(sh, cmd, 'parent-index') ?? -1;
    let xml = optRequired(sh, cmd, 'xml');
    if (!xml.startsWith('<')) xml = readFileAll(sh.cwd, xml);

    const config = cmd.has('config');
    const live = cmd.has('live');
    const name = net.info.name;
    if (cmd.has('dry-run')) {
      return dryRun(sh, sh.t('Failed to update network {network}', { network: name }), {
        action: 'update',
        name,
        update: { command, section, parentIndex, xml, flags: { live, config } },
      });
    }
    return attempt(
      sh,
      sh.t('Failed to update network {network}', { network: name }),
      () => sh.client().update(name, { command, section, parentIndex, xml, flags: { live, config } }),
      (result) => {
        if (config && live) sh.printExtra(sh.t('Updated network {network} persistent config and live state', { network: name }));
        else if (config) sh.printExtra(sh.t('Updated network {network} persistent config', { network: name }));
        else if (live || result.live) sh.printExtra(sh.t('Updated network {network} live state', { network: name }));
        else sh.printExtra(sh.t('Updated network {network} persistent config', { network: name }));
      },
    );
  },
};
