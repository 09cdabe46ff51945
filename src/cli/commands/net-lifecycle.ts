/**
 * net-define, net-create, net-start, net-destroy, net-undefine and
 * net-autostart, with virsh's options and lines. Success lines name the
 * network as the user typed it (define/create print the real name and the
 * file), failures print virsh's summary and then the daemon's error.
 */
import type { CommandDef, OptDef } from '../command.js';
import { lookupNetwork } from '../lookup.js';
import { optRequired } from '../options.js';
import type { Shell } from '../shell.js';
import { readFileAll } from './fs-helpers.js';
import type { DryRunRequest } from '../../contract/host-changes.js';
import { hostChangesText } from '../host-changes-text.js';

export const NETWORK_OPT: OptDef = { name: 'network', kind: 'data', required: true, help: 'network name or uuid', complete: 'network' };
/** NETWORK_OPT whose completion offers only the networks matching `filter`. */
export const networkOpt = (completeFilter: OptDef['completeFilter']): OptDef => ({ ...NETWORK_OPT, ...(completeFilter ? { completeFilter } : {}) });
const FILE_OPT: OptDef = { name: 'file', kind: 'data', required: true, help: 'file containing an XML network description', complete: 'file' };
const VALIDATE_OPT: OptDef = { name: 'validate', kind: 'bool', help: 'validate the XML against the schema' };
/** virtnet's own (help stays virsh's): print what the change would do on the host, and change nothing. */
export const DRY_RUN_OPT: OptDef = { name: 'dry-run', kind: 'bool', help: 'print what would change on the host, change nothing', hidden: true };

/** A dry run: print its changes, or virsh's summary and the error of the checks it failed. */
export async function dryRun(sh: Shell, summary: string, request: DryRunRequest): Promise<boolean> {
  let text = '';
  const ok = await attempt(sh, summary, async () => {
    text = hostChangesText(await sh.client().dryRun(request));
  });
  if (ok) sh.print(text);
  return ok;
}

/** Run a driver call; on failure print `summary`, keep the library error, return false. */
export async function attempt(sh: Shell, summary: string, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    sh.error(summary);
    sh.saveError(err);
    return false;
  }
}

export const netDefine: CommandDef = {
  name: 'net-define',
  help: 'define an inactive persistent virtual network or modify an existing persistent one from an XML file',
  desc: 'Define or modify a persistent virtual network.',
  opts: [FILE_OPT, VALIDATE_OPT],
  async run(sh, cmd) {
    const from = optRequired(sh, cmd, 'file');
    const xml = readFileAll(sh.cwd, from);
    let name = '';
    const ok = await attempt(sh, sh.t('Failed to define network from {file}', { file: from }), async () => {
      name = (await sh.client().define(xml, { validate: cmd.has('validate') })).name;
    });
    if (ok) sh.printExtra(sh.t('Network {network} defined from {file}\n', { network: name, file: from }));
    return ok;
  },
};

export const netCreate: CommandDef = {
  name: 'net-create',
  help: 'create a network from an XML file',
  desc: 'Create a network.',
  opts: [FILE_OPT, VALIDATE_OPT, DRY_RUN_OPT],
  async run(sh, cmd) {
    const from = optRequired(sh, cmd, 'file');
    const xml = readFileAll(sh.cwd, from);
    if (cmd.has('dry-run'))
      return dryRun(sh, sh.t('Failed to create network from {file}', { file: from }), { action: 'create', xml, validate: cmd.has('validate') });
    let name = '';
    const ok = await attempt(sh, sh.t('Failed to create network from {file}', { file: from }), async () => {
      name = (await sh.client().create(xml, { validate: cmd.has('validate') })).name;
    });
    if (ok) sh.printExtra(sh.t('Network {network} created from {file}\n', { network: name, file: from }));
    return ok;
  },
};

export const netStart: CommandDef = {
  name: 'net-start',
  help: 'start a (previously defined) inactive network',
  desc: 'Start a network.',
  opts: [networkOpt({ inactive: true }), DRY_RUN_OPT],
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    if (cmd.has('dry-run'))
      return dryRun(sh, sh.t('Failed to start network {network}', { network: net.arg }), { action: 'start', name: net.info.name });
    const ok = await attempt(sh, sh.t('Failed to start network {network}', { network: net.arg }), () => sh.client().start(net.info.name));
    if (ok) sh.printExtra(sh.t('Network {network} started\n', { network: net.arg }));
    return ok;
  },
};

export const netDestroy: CommandDef = {
  name: 'net-destroy',
  help: 'destroy (stop) a network',
  desc: 'Forcefully stop a given network.',
  opts: [networkOpt({ active: true })],
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    const ok = await attempt(sh, sh.t('Failed to destroy network {network}', { network: net.arg }), () => sh.client().destroy(net.info.name));
    if (ok) sh.printExtra(sh.t('Network {network} destroyed\n', { network: net.arg }));
    return ok;
  },
};

export const netUndefine: CommandDef = {
  name: 'net-undefine',
  help: 'undefine a persistent network',
  desc: 'Undefine the configuration for a persistent network.',
  opts: [networkOpt({ active: true, inactive: true, persistent: true })],
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    const ok = await attempt(sh, sh.t('Failed to undefine network {network}', { network: net.arg }), () => sh.client().undefine(net.info.name));
    if (ok) sh.printExtra(sh.t('Network {network} has been undefined\n', { network: net.arg }));
    return ok;
  },
};

export const netAutostart: CommandDef = {
  name: 'net-autostart',
  help: 'autostart a network',
  desc: 'Configure a network to be automatically started at boot.',
  opts: [networkOpt({ active: true, inactive: true, persistent: true }), { name: 'disable', kind: 'bool', help: 'disable autostarting' }],
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    const autostart = !cmd.has('disable');
    const ok = await attempt(
      sh,
      autostart
        ? sh.t('failed to mark network {network} as autostarted', { network: net.arg })
        : sh.t('failed to unmark network {network} as autostarted', { network: net.arg }),
      () => sh.client().setAutostart(net.info.name, autostart),
    );
    if (ok)
      sh.printExtra(
        autostart
          ? sh.t('Network {network} marked as autostarted\n', { network: net.arg })
          : sh.t('Network {network} unmarked as autostarted\n', { network: net.arg }),
      );
    return ok;
  },
};
