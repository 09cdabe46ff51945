/**
 * net-define, net-create, net-start, net-destroy, net-undefine and
 * net-autostart, with virsh's options and lines (and virtnet's --force for
 * net-destroy and net-undefine). Success lines name the network as the user
 * typed it (define/create print the real name and the file), failures print
 * virsh's summary and then the daemon's error.
 */
import type { ForceOptions } from '../../contract/network-api.js';
import type { CommandDef, OptDef, ParsedCommand } from '../command.js';
import type { MessageId } from '../i18n/translate.js';
import { lookupNetwork } from '../lookup.js';
import { networkOpt, optRequired } from '../options.js';
import type { Shell } from '../shell.js';
import { readFileAll } from './fs-helpers.js';
import type { DryRunRequest } from '../../contract/host-changes.js';
import { hostChangesText } from '../host-changes-text.js';

const FILE_OPT: OptDef = { name: 'file', kind: 'data', required: true, help: 'file containing an XML network description', complete: 'file' };
const VALIDATE_OPT: OptDef = { name: 'validate', kind: 'bool', help: 'validate the XML against the schema' };
/** virtnet's own (help stays virsh's): print what the change would do on the host, and change nothing. */
export const DRY_RUN_OPT: OptDef = { name: 'dry-run', kind: 'bool', help: 'print what would change on the host, change nothing', hidden: true };

/** A dry run: print its changes, or virsh's summary and the error of the checks it failed. */
export function dryRun(sh: Shell, summary: string, request: DryRunRequest): Promise<boolean> {
  return attempt(
    sh,
    summary,
    () => sh.client().dryRun(request),
    (changes) => sh.print(hostChangesText(sh.tr, changes)),
  );
}

/**
 * Run a driver call; on failure print `summary`, keep the library error,
 * return false. On success `done` gets what the call returned (to print
 * what was done) and the answer is true.
 */
export async function attempt<T>(sh: Shell, summary: string, call: () => Promise<T>, done?: (value: T) => void): Promise<boolean> {
  let value: T;
  try {
    value = await call();
  } catch (err) {
    sh.error(summary);
    sh.saveError(err);
    return false;
  }
  done?.(value);
  return true;
}

/**
 * A command's one driver call on the network or guest it named (`found`,
 * null once its lookup failed): virsh's line `done` on success, its summary
 * `failed` on failure, both naming the object as the user typed it.
 */
export async function callOnFound(
  sh: Shell,
  found: { info: { name: string }; arg: string } | null,
  key: 'network' | 'domain',
  failed: MessageId,
  done: MessageId,
  call: (name: string) => Promise<unknown>,
): Promise<boolean> {
  if (!found) return false;
  const params = { [key]: found.arg };
  return attempt(
    sh,
    sh.t(failed, params),
    () => call(found.info.name),
    () => sh.printExtra(sh.t(done, params)),
  );
}

/** callOnFound for the network option of a command. */
const onNetwork = async (
  sh: Shell,
  cmd: ParsedCommand,
  failed: MessageId,
  done: MessageId,
  call: (name: string) => Promise<unknown>,
): Promise<boolean> => callOnFound(sh, await lookupNetwork(sh, cmd), 'network', failed, done, call);

/** virtnet's own (help stays virsh's): go on although running guests have vNICs on the network. */
const FORCE_OPT: OptDef = { name: 'force', kind: 'bool', hidden: true, help: 'go on even though guests are attached' };

/** The driver call's options: `{ force: true }` only when --force was given, so a plain call stays virsh's. */
const forceOf = (cmd: ParsedCommand): [] | [ForceOptions] => (cmd.has('force') ? [{ force: true }] : []);

export const netDefine: CommandDef = {
  name: 'net-define',
  help: 'define an inactive persistent virtual network or modify an existing persistent one from an XML file',
  desc: 'Define or modify a persistent virtual network.',
  opts: [FILE_OPT, VALIDATE_OPT],
  async run(sh, cmd) {
    const from = optRequired(sh, cmd, 'file');
    const xml = readFileAll(sh.cwd, from);
    return attempt(
      sh,
      sh.t('Failed to define network from {file}', { file: from }),
      () => sh.client().define(xml, { validate: cmd.has('validate') }),
      (net) => sh.printExtra(sh.t('Network {network} defined from {file}\n', { network: net.name, file: from })),
    );
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
    const failed = sh.t('Failed to create network from {file}', { file: from });
    if (cmd.has('dry-run')) return dryRun(sh, failed, { action: 'create', xml, validate: cmd.has('validate') });
    return attempt(
      sh,
      failed,
      () => sh.client().create(xml, { validate: cmd.has('validate') }),
      (net) => sh.printExtra(sh.t('Network {network} created from {file}\n', { network: net.name, file: from })),
    );
  },
};

export const netStart: CommandDef = {
  name: 'net-start',
  help: 'start a (previously defined) inactive network',
  desc: 'Start a network.',
  opts: [networkOpt({ inactive: true }), DRY_RUN_OPT],
  async run(sh, cmd) {
    if (cmd.has('dry-run')) {
      const net = await lookupNetwork(sh, cmd);
      return net !== null && dryRun(sh, sh.t('Failed to start network {network}', { network: net.arg }), { action: 'start', name: net.info.name });
    }
    return onNetwork(sh, cmd, 'Failed to start network {network}', 'Network {network} started\n', (name) => sh.client().start(name));
  },
};

/**
 * net-destroy and net-undefine take virtnet's --force: while running guests
 * have vNICs on the network, the driver refuses both and names the guests;
 * --force goes on, and the guests' vNICs are plugged back in when the
 * network starts again. --force is left out of help, which stays virsh's.
 */
export const netDestroy: CommandDef = {
  name: 'net-destroy',
  help: 'destroy (stop) a network',
  desc: 'Forcefully stop a given network.',
  opts: [networkOpt({ active: true }), FORCE_OPT],
  async run(sh, cmd) {
    return onNetwork(sh, cmd, 'Failed to destroy network {network}', 'Network {network} destroyed\n', (name) =>
      sh.client().destroy(name, ...forceOf(cmd)),
    );
  },
};

export const netUndefine: CommandDef = {
  name: 'net-undefine',
  help: 'undefine a persistent network',
  desc: 'Undefine the configuration for a persistent network.',
  opts: [networkOpt({ active: true, inactive: true, persistent: true }), FORCE_OPT],
  async run(sh, cmd) {
    return onNetwork(sh, cmd, 'Failed to undefine network {network}', 'Network {network} has been undefined\n', (name) =>
      sh.client().undefine(name, ...forceOf(cmd)),
    );
  },
};

export const netAutostart: CommandDef = {
  name: 'net-autostart',
  help: 'autostart a network',
  desc: 'Configure a network to be automatically started at boot.',
  opts: [networkOpt({ active: true, inactive: true, persistent: true }), { name: 'disable', kind: 'bool', help: 'disable autostarting' }],
  async run(sh, cmd) {
    const autostart = !cmd.has('disable');
    const [failed, done]: [MessageId, MessageId] = autostart
      ? ['failed to mark network {network} as autostarted', 'Network {network} marked as autostarted\n']
      : ['failed to unmark network {network} as autostarted', 'Network {network} unmarked as autostarted\n'];
    return onNetwork(sh, cmd, failed, done, (name) => sh.client().setAutostart(name, autostart));
  },
};
