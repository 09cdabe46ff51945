/**
 * net-forward-add, net-forward-list and net-forward-remove: a NAT network's
 * port forwards (virtnet's own; libvirt has none), in virsh's manner:
 *
 *   net-forward-add NETWORK PORT[-PORT] TO[:TOPORT[-TOPORT]] [--proto tcp|udp|both] [--address IP] [--live] [--config]
 *   net-forward-list NETWORK [--inactive]
 *   net-forward-remove NETWORK PORT[-PORT] [--proto tcp|udp|both] [--address IP] [--live] [--config]
 *
 * With neither --live nor --config a change goes live if the network runs
 * and into its config if it is persistent. TO is an address of the network
 * or a guest's name; its ports follow the last ':' when they are ports.
 * The list is virsh's table; a name's current address shows in its own
 * column (`-` while it has none).
 */
import { ipv4Literal } from '../../conf/network/port-forward.js';
import { FORWARD_PROTOS, type ForwardProto } from '../../conf/network/port-forward-types.js';
import type { PortForward, UpdateResult } from '../../contract/network-api.js';
import type { CommandDef, OptDef, ParsedCommand } from '../command.js';
import type { MessageId } from '../i18n/translate.js';
import { lookupNetwork } from '../lookup.js';
import type { Shell } from '../shell.js';
import { printTable } from '../table.js';
import { attempt } from './net-lifecycle.js';
import { networkOpt, optRequired, optString } from '../options.js';

const PORTS = /^[0-9]{1,5}(-[0-9]{1,5})?$/;

/** TO[:TOPORT[-TOPORT]]: the ports after the last ':' when they are ports, else TO alone. */
export function splitTarget(text: string): { to: string; toPort?: string } {
  const at = text.lastIndexOf(':');
  if (at > 0 && PORTS.test(text.slice(at + 1))) return { to: text.slice(0, at), toPort: text.slice(at + 1) };
  return { to: text };
}

const PROTO_OPT: OptDef = { name: 'proto', kind: 'string', named: true, help: 'tcp, udp or both (default: tcp)', complete: 'forward-proto' };
const ADDRESS_OPT: OptDef = {
  name: 'address',
  kind: 'string',
  named: true,
  help: 'the host address it listens on (default: every address of the host)',
};
const LIVE_OPT: OptDef = { name: 'live', kind: 'bool', help: 'affect running network' };
const CONFIG_OPT: OptDef = { name: 'config', kind: 'bool', help: 'affect next network startup' };

/** --proto's value, checked as virsh checks an enum option; undefined when not given. */
function protoOf(sh: Shell, cmd: ParsedCommand): ForwardProto | undefined | null {
  const proto = optString(sh, cmd, 'proto');
  if (proto === undefined) return undefined;
  if ((FORWARD_PROTOS as readonly string[]).includes(proto)) return proto as ForwardProto;
  sh.error(sh.t("Invalid value '{value}' for --proto: tcp, udp or both", { value: proto }));
  return null;
}

/** Which states a change touched, as net-update says it. */
function touched(sh: Shell, result: UpdateResult): string {
  if (result.live && result.config) return sh.t('persistent config and live state');
  return result.live ? sh.t('live state') : sh.t('persistent config');
}

/** What net-forward-add and net-forward-remove say. */
const CHANGE_TEXTS: Record<'add' | 'remove', { failed: MessageId; done: MessageId }> = {
  add: { failed: 'Failed to add a port forward to network {network}', done: 'Port forward added to network {network} {what}\n' },
  remove: { failed: 'Failed to remove a port forward from network {network}', done: 'Port forward removed from network {network} {what}\n' },
};

/**
 * net-forward-add and net-forward-remove: --proto checked, the network
 * looked up, the forward (or the selector of those to remove) read, the
 * change made with --live / --config, and virsh's kind of line saying
 * which states it touched (or the summary on failure).
 */
async function changeForwards(sh: Shell, cmd: ParsedCommand, change: 'add' | 'remove'): Promise<boolean> {
  const proto = protoOf(sh, cmd);
  if (proto === null) return false;
  const address = optString(sh, cmd, 'address');
  const net = await lookupNetwork(sh, cmd);
  if (!net) return false;
  const name = net.info.name;
  const port = optRequired(sh, cmd, 'port');
  const flags = { live: cmd.has('live'), config: cmd.has('config') };
  let call: () => Promise<UpdateResult>;
  if (change === 'add') {
    const forward: PortForward = { proto: proto ?? 'tcp', port, ...splitTarget(optRequired(sh, cmd, 'to')) };
    if (address !== undefined) forward.address = address;
    call = () => sh.client().addForward(name, forward, flags);
  } else {
    const selector = { port, ...(proto ? { proto } : {}), ...(address !== undefined ? { address } : {}) };
    call = () => sh.client().removeForward(name, selector, flags);
  }
  const { failed, done } = CHANGE_TEXTS[change];
  return attempt(sh, sh.t(failed, { network: name }), call, (result) => sh.printExtra(sh.t(done, { network: name, what: touched(sh, result) })));
}

export const netForwardAdd: CommandDef = {
  name: 'net-forward-add',
  help: 'add a port forward to a NAT network',
  desc: 'Forward a port (or range) of the host to a guest of a NAT network, by its address or its name.',
  opts: [
    networkOpt(undefined),
    { name: 'port', kind: 'data', required: true, help: 'the host port or range (PORT[-PORT])' },
    {
      name: 'to',
      kind: 'data',
      required: true,
      help: "the guest's address or name, and its port or range (TO[:TOPORT[-TOPORT]])",
      complete: 'domain',
    },
    PROTO_OPT,
    ADDRESS_OPT,
    LIVE_OPT,
    CONFIG_OPT,
  ],
  async run(sh, cmd) {
    return changeForwards(sh, cmd, 'add');
  },
};

export const netForwardRemove: CommandDef = {
  name: 'net-forward-remove',
  help: 'remove a port forward from a network',
  desc: 'Remove the port forward of a port (or range) from a network; with no --proto, every protocol forwarded there.',
  opts: [
    networkOpt(undefined),
    { name: 'port', kind: 'data', required: true, help: 'the host port or range, as it was added' },
    { ...PROTO_OPT, help: 'tcp, udp or both (default: every protocol forwarded on the port)' },
    { ...ADDRESS_OPT, help: 'the host address it listens on (default: the forward on every address)' },
    LIVE_OPT,
    CONFIG_OPT,
  ],
  async run(sh, cmd) {
    return changeForwards(sh, cmd, 'remove');
  },
};

export const FORWARD_HEADER = ['Protocol', 'Address', 'Port', 'To', 'To port', 'To address'] as const;

export function forwardRow(f: PortForward): string[] {
  return [f.proto, f.address ?? '*', f.port, f.to, f.toPort ?? f.port, f.toAddress ?? ipv4Literal(f.to) ?? '-'];
}

export const netForwardList: CommandDef = {
  name: 'net-forward-list',
  help: 'list the port forwards of a network',
  desc: 'Print the port forwards of a network: of the running network, or with --inactive of its persistent config.',
  opts: [networkOpt(undefined), { name: 'inactive', kind: 'bool', help: "the persistent config's port forwards" }],
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    return attempt(
      sh,
      sh.t('Failed to list the port forwards of network {network}', { network: net.arg }),
      () => sh.client().listForwards(net.info.name, { inactive: cmd.has('inactive') }),
      (forwards) => printTable(sh, FORWARD_HEADER, forwards.map(forwardRow)),
    );
  },
};
