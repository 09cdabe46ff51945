/**
 * net-destroy and net-undefine with virtnet's --force: while running guests
 * have vNICs on the network, the driver refuses both and names the guests
 * ("Requested operation is not valid: network 'default' has guests
 * attached: centos7.0 (use --force to destroy it anyway)"); --force goes on,
 * and the guests' vNICs are plugged back in when the network starts again.
 *
 * Everything else is virsh's command (net-lifecycle.ts): the same options,
 * lines and errors, and the same help — --force is left out of it, so
 * `help net-destroy` stays virsh's text.
 */
import type { NetworkDriverApi } from '../../contract/network-api.js';
import type { CommandDef, OptDef } from '../command.js';
import { lookupNetwork } from '../lookup.js';
import type { Shell } from '../shell.js';
import { attempt, netDestroy, netUndefine } from './net-lifecycle.js';

const FORCE_OPT: OptDef = { name: 'force', kind: 'bool', hidden: true, help: 'go on even though guests are attached' };

type ForceCall = (name: string, options?: { force?: boolean }) => Promise<void>;

/** The driver call, with `{ force: true }` only when --force was given. */
function call(sh: Shell, method: 'destroy' | 'undefine', name: string, force: boolean): Promise<void> {
  const client: NetworkDriverApi = sh.client();
  const fn = client[method] as ForceCall;
  return force ? fn.call(client, name, { force: true }) : fn.call(client, name);
}

export const netDestroyForce: CommandDef = {
  ...netDestroy,
  opts: [...netDestroy.opts, FORCE_OPT],
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    const ok = await attempt(sh, sh.t('Failed to destroy network {network}', { network: net.arg }), () =>
      call(sh, 'destroy', net.info.name, cmd.has('force')),
    );
    if (ok) sh.printExtra(sh.t('Network {network} destroyed\n', { network: net.arg }));
    return ok;
  },
};

export const netUndefineForce: CommandDef = {
  ...netUndefine,
  opts: [...netUndefine.opts, FORCE_OPT],
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    const ok = await attempt(sh, sh.t('Failed to undefine network {network}', { network: net.arg }), () =>
      call(sh, 'undefine', net.info.name, cmd.has('force')),
    );
    if (ok) sh.printExtra(sh.t('Network {network} has been undefined\n', { network: net.arg }));
    return ok;
  },
};
