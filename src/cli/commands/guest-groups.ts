/**
 * The guest commands' help groups, with virsh's names, keywords and order
 * of commands: "Domain Management" (the commands that change a guest, and
 * virtnet's guest-exec last), "Domain Monitoring" (the read-only ones) and
 * "Interface" (virtnet's bridge-show, beside virsh's host-interface
 * commands).
 */
import type { CommandGroup } from '../command.js';
import { attachInterfaceCmd } from './guest-attach.js';
import { bridgeShowCmd } from './guest-bridge-show.js';
import { detachInterfaceCmd } from './guest-detach.js';
import { guestExecCmd } from './guest-exec.js';
import { domifaddrCmd, domiflistCmd, domifstatCmd, dumpxmlCmd } from './guest-inspect.js';
import { defineCmd, destroyCmd, startCmd, undefineCmd } from './guest-lifecycle.js';
import { listCmd } from './guest-list.js';

export const DOMAIN_GROUP: CommandGroup = {
  name: 'Domain Management',
  keyword: 'domain',
  commands: [attachInterfaceCmd, defineCmd, destroyCmd, detachInterfaceCmd, dumpxmlCmd, startCmd, undefineCmd, guestExecCmd],
};

export const MONITOR_GROUP: CommandGroup = {
  name: 'Domain Monitoring',
  keyword: 'monitor',
  commands: [domifaddrCmd, domiflistCmd, domifstatCmd, listCmd],
};

export const INTERFACE_GROUP: CommandGroup = { name: 'Interface', keyword: 'interface', commands: [bridgeShowCmd] };
