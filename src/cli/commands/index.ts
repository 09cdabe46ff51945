/**
 * The command groups virtnet offers, in virsh's order and with virsh's
 * group names and keywords (the shell's own group says virtnet where
 * virsh's says virsh; `help virsh` still finds it). The guest groups are in
 * guest-groups.ts.
 */
import type { CommandDef, CommandGroup, CommandIndex } from '../command.js';
import { completeCmd } from './complete.js';
import { DOMAIN_GROUP, INTERFACE_GROUP, MONITOR_GROUP } from './guest-groups.js';
import { netDhcpLeases } from './net-dhcp-leases.js';
import { netEdit } from './net-edit.js';
import { netEvent } from './net-event.js';
import { netForwardAdd, netForwardList, netForwardRemove } from './net-forward.js';
import { netDumpxml, netInfo, netName, netUuid } from './net-inspect.js';
import { netAutostart, netCreate, netDefine, netDestroy, netStart, netUndefine } from './net-lifecycle.js';
import { netList } from './net-list.js';
import { netPortCreate, netPortDelete, netPortDumpxml, netPortList } from './net-port.js';
import { netUpdate } from './net-update.js';
import { labCmd } from './ovn-lab.js';
import { doctorCmd } from './doctor.js';
import { ovnHostSetupCmd } from './ovn-host-setup.js';
import { cdCmd, connectCmd, echoCmd, exitCmd, helpCmd, pwdCmd, quitCmd, uriCmd } from './shell-cmds.js';

const HOST_GROUP: CommandGroup = { name: 'Host and Hypervisor', keyword: 'host', commands: [doctorCmd, uriCmd] };

const NETWORK_GROUP: CommandGroup = {
  name: 'Networking',
  keyword: 'network',
  commands: [
    netAutostart,
    netCreate,
    netDefine,
    netDestroy,
    netDhcpLeases,
    netDumpxml,
    netEdit,
    netEvent,
    netForwardAdd,
    netForwardList,
    netForwardRemove,
    netInfo,
    netList,
    netName,
    netStart,
    netUndefine,
    netUpdate,
    netUuid,
    netPortList,
    netPortCreate,
    netPortDumpxml,
    netPortDelete,
  ],
};

const OVN_GROUP: CommandGroup = { name: 'OVN (networks across hosts)', keyword: 'ovn', commands: [labCmd, ovnHostSetupCmd] };

const SHELL_GROUP: CommandGroup = {
  name: 'Virtnet itself',
  keyword: 'virtnet',
  aliases: ['virsh'],
  commands: [cdCmd, echoCmd, exitCmd, helpCmd, pwdCmd, quitCmd, connectCmd, completeCmd],
};

export const GROUPS: readonly CommandGroup[] = [DOMAIN_GROUP, MONITOR_GROUP, HOST_GROUP, INTERFACE_GROUP, NETWORK_GROUP, OVN_GROUP, SHELL_GROUP];

/**
 * The shell's index of the commands. The CLI's bundle has its own (scripts/bundle-cli.mjs), which
 * makes only the command a call names, and the others when help or completion lists them.
 */
export const COMMANDS: CommandIndex = {
  groups: () => GROUPS,
  find(name: string): CommandDef | undefined {
    for (const g of GROUPS) {
      const c = g.commands.find((cmd) => cmd.name === name);
      if (c) return c;
    }
    return undefined;
  },
};
