/**
 * Link changes as data, and how each becomes `ip -batch` lines with the lines
 * that undo it. Pure: no process is run here.
 *
 * Every operation expands to one or more steps; a step is one batch line, the
 * text to use if that line fails ("error creating bridge interface virbr1",
 * libvirt's wording where libvirt has one) and its undo lines. A step that only
 * refines something an earlier step created (the MTU of a bridge just added)
 * has no undo of its own: deleting the link undoes both.
 *
 * Facts worth knowing, measured on the kernel:
 * - a bridge's MTU given in `link add … mtu N` is *not* remembered as set by the
 *   user, so the bridge falls back to its ports' MTU when the first port joins.
 *   libvirt sets it afterwards (SIOCSIFMTU), which the kernel does remember; we
 *   do the same with a separate `link set dev BR mtu N` line;
 * - `forward_delay` is in centiseconds (libvirt writes delay×100). With STP on
 *   the kernel keeps it within 200…3000: at creation it clamps (delay 0 with STP
 *   on reads back as 200), on a bridge whose STP is already on it refuses
 *   out-of-range values with ERANGE. Creating with both options in one line
 *   gives libvirt's order: delay first, then STP;
 * - a bridge created with a MAC keeps it when ports join.
 *
 * Deleting a link cannot be undone (its configuration is gone); plans put
 * deletions last.
 */
import { VirError } from '../util/errors.js';
import { isValidIfname } from '../util/ifname.js';
import { broadcastOf, formatIp, parseIp } from '../util/ip.js';
import type { NetnsBinding } from './netns.js';
import { validateNetnsName } from './netns.js';

export { isValidIfname };

export type MacvlanMode = 'bridge' | 'vepa' | 'private' | 'passthru' | 'source';

export type LinkOp =
  | {
      op: 'createBridge';
      name: string;
      mac?: string;
      mtu?: number;
      stp: boolean;
      /** Forward delay in seconds (libvirt's unit); written as delay×100 centiseconds. */
      delay: number;
      vlanFiltering?: boolean;
    }
  | {
      op: 'createVeth';
      name: string;
      peer: string;
      mac?: string;
      peerMac?: string;
      /** Create the peer directly in this named namespace. */
      peerNetns?: string;
      mtu?: number;
    }
  | {
      op: 'createTap';
      name: string;
      mac?: string;
      mtu?: number;
      /** Owner (user name or uid) so an unprivileged hypervisor can open it. */
      user?: string;
      group?: string;
      multiQueue?: boolean;
      vnetHdr?: boolean;
    }
  | { op: 'createMacvlan'; kind: 'macvlan' | 'macvtap'; name: string; parent: string; mode: MacvlanMode; mac?: string }
  | { op: 'deleteLink'; name: string }
  | { op: 'setUp'; name: string; up: boolean }
  | { op: 'setMtu'; name: string; mtu: number; previous?: number }
  | { op: 'setMac'; name: string; mac: string; previous?: string }
  /** Plug into a bridge (master) or unplug (master null). `previous` lets the undo restore the old master. */
  | { op: 'setMaster'; name: string; master: string | null; previous?: string | null }
  /** Move into another named namespace, optionally renaming it there. */
  | { op: 'moveToNetns'; name: string; netns: string; newName?: string }
  | { op: 'addAddress'; dev: string; address: string; prefix: number }
  | { op: 'removeAddress'; dev: string; address: string; prefix: number }
  | { op: 'addRoute'; dst: string; prefix: number; dev: string; gateway?: string; metric?: number }
  | { op: 'removeRoute'; dst: string; prefix: number; dev: string; gateway?: string; metric?: number };

/** A line that undoes an applied one, and the namespace it must run in. */
export interface UndoLine {
  netns: NetnsBinding;
  args: string[];
}

/**
 * Placeholder, inside an undo line, for "the namespace the transaction was
 * bound to", resolved when the undo runs (a namespace name, or this process's
 * PID when bound to the current namespace). Never a valid namespace name.
 */
export const SELF_NETNS = '@self';

export interface BatchStep {
  /** The batch line, as arguments (joined by spaces when written). */
  args: string[];
  /** What the line does, for the error if it fails: "error creating bridge interface virbr1". */
  what: string;
  /** Lines that undo this one, in the order to run them. */
  undo: UndoLine[];
  /** The link kind created by this line, so "Unknown device type" can name it. */
  kind?: string;
  /** Index of the operation in the list the steps were built from. */
  opIndex: number;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function ifname(name: string): string {
  if (!isValidIfname(name)) {
    throw new VirError('INTERNAL_ERROR', `invalid network interface name '${name}'`);
  }
  return name;
}

function mac(text: string): string {
  const m = text.toLowerCase();
  if (!MAC.test(m)) throw new VirError('INTERNAL_ERROR', `invalid MAC address '${text}'`);
  return m;
}

function uint(n: number, what: string, max = 0xffffffff): string {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new VirError('INTERNAL_ERROR', `invalid ${what} '${n}'`);
  return String(n);
}

function ip(text: string): { text: string; family: 'ipv4' | 'ipv6' } {
  const a = parseIp(text);
  if (!a) throw new VirError('INTERNAL_ERROR', `invalid IP address '${text}'`);
  return { text: formatIp(a), family: a.family };
}

function cidr(address: string, prefix: number): { text: string; family: 'ipv4' | 'ipv6'; broadcast?: string } {
  const a = parseIp(address);
  if (!a) throw new VirError('INTERNAL_ERROR', `invalid IP address '${address}'`);
  uint(prefix, 'prefix', a.family === 'ipv4' ? 32 : 128);
  const out: { text: string; family: 'ipv4' | 'ipv6'; broadcast?: string } = {
    text: `${formatIp(a)}/${prefix}`,
    family: a.family,
  };
  if (a.family === 'ipv4') out.broadcast = formatIp(broadcastOf(a, prefix));
  return out;
}

/**
 * One word of a batch line. ip reads its batch input line by line, drops
 * what follows a '#', joins a line ending in '\\' with the next, splits at
 * white space and reads a word starting with a quote up to the next one: a
 * word holding any of these would not reach ip as itself.
 */
function token(t: string): string {
  if (t === '' || /[\s'"#\\]/.test(t)) throw new VirError('INTERNAL_ERROR', `invalid token '${t}' in an ip batch line`);
  return t;
}

/** `addr add ADDRESS/PREFIX [broadcast B] dev DEV`: adding an address, or putting a removed one back. */
function addAddressArgs(a: { text: string; broadcast?: string }, dev: string): string[] {
  const args = ['addr', 'add', a.text];
  if (a.broadcast !== undefined) args.push('broadcast', a.broadcast);
  args.push('dev', dev);
  return args;
}

/** Route selector arguments shared by add and del. */
function routeArgs(r: { dst: string; prefix: number; dev: string; gateway?: string; metric?: number }): string[] {
  const dst = cidr(r.dst, r.prefix);
  const args = [dst.text];
  if (r.gateway !== undefined) {
    const gw = ip(r.gateway);
    if (gw.family !== dst.family) throw new VirError('INTERNAL_ERROR', `route gateway '${r.gateway}' is not in the family of '${dst.text}'`);
    args.push('via', gw.text);
  }
  args.push('dev', ifname(r.dev));
  if (r.metric !== undefined) args.push('metric', uint(r.metric, 'route metric'));
  return args;
}

/** The batch steps of one operation. `netns` is the namespace the batch runs in. */
export function stepsFor(op: LinkOp, opIndex: number, netns: NetnsBinding): BatchStep[] {
  const here = (...args: string[]): UndoLine => ({ netns, args });
  const del = (name: string): UndoLine => here('link', 'del', 'dev', name);
  const s = (args: string[], what: string, undo: UndoLine[], kind?: string): BatchStep => {
    const step: BatchStep = { args: args.map(token), what, undo, opIndex };
    if (kind !== undefined) step.kind = kind;
    return step;
  };

  switch (op.op) {
    case 'createBridge': {
      const name = ifname(op.name);
      const add = ['link', 'add', 'name', name];
      if (op.mac !== undefined) add.push('address', mac(op.mac));
      add.push('type', 'bridge', 'forward_delay', uint(op.delay * 100, 'bridge forward delay'), 'stp_state', op.stp ? '1' : '0');
      const steps = [s(add, `error creating bridge interface ${name}`, [del(name)], 'bridge')];
      if (op.mtu !== undefined) {
        steps.push(s(['link', 'set', 'dev', name, 'mtu', uint(op.mtu, 'MTU')], `Cannot set interface MTU on '${name}'`, []));
      }
      if (op.vlanFiltering) {
        steps.push(s(['link', 'set', 'dev', name, 'type', 'bridge', 'vlan_filtering', '1'], `Unable to set bridge ${name} vlan_filtering`, []));
      }
      return steps;
    }
    case 'createVeth': {
      const name = ifname(op.name);
      const add = ['link', 'add', 'name', name];
      if (op.mac !== undefined) add.push('address', mac(op.mac));
      if (op.mtu !== undefined) add.push('mtu', uint(op.mtu, 'MTU'));
      add.push('type', 'veth', 'peer', 'name', ifname(op.peer));
      if (op.peerMac !== undefined) add.push('address', mac(op.peerMac));
      if (op.peerNetns !== undefined) add.push('netns', validateNetnsName(op.peerNetns));
      // Deleting one end of a veth pair deletes the other, wherever it is.
      return [s(add, `Unable to create veth device ${name}`, [del(name)], 'veth')];
    }
    case 'createTap': {
      const name = ifname(op.name);
      const add = ['tuntap', 'add', 'dev', name, 'mode', 'tap'];
      if (op.user !== undefined) add.push('user', op.user);
      if (op.group !== undefined) add.push('group', op.group);
      if (op.multiQueue) add.push('multi_queue');
      if (op.vnetHdr) add.push('vnet_hdr');
      const steps = [s(add, `Unable to create tap device ${name}`, [del(name)], 'tun')];
      if (op.mac !== undefined) {
        steps.push(s(['link', 'set', 'dev', name, 'address', mac(op.mac)], `Cannot set interface MAC on '${name}'`, []));
      }
      if (op.mtu !== undefined) {
        steps.push(s(['link', 'set', 'dev', name, 'mtu', uint(op.mtu, 'MTU')], `Cannot set interface MTU on '${name}'`, []));
      }
      return steps;
    }
    case 'createMacvlan': {
      const name = ifname(op.name);
      const parent = ifname(op.parent);
      const add = ['link', 'add', 'link', parent, 'name', name];
      if (op.mac !== undefined) add.push('address', mac(op.mac));
      add.push('type', op.kind, 'mode', op.mode);
      const what = `error creating ${op.kind} interface ${name}@${parent}${op.mac !== undefined ? ` (${mac(op.mac)})` : ''}`;
      return [s(add, what, [del(name)], op.kind)];
    }
    case 'deleteLink': {
      const name = ifname(op.name);
      return [s(['link', 'del', 'dev', name], `error destroying network device ${name}`, [])];
    }
    case 'setUp': {
      const name = ifname(op.name);
      return [
        s(['link', 'set', 'dev', name, op.up ? 'up' : 'down'], `Cannot set interface flags on '${name}'`, [
          here('link', 'set', 'dev', name, op.up ? 'down' : 'up'),
        ]),
      ];
    }
    case 'setMtu': {
      const name = ifname(op.name);
      const undo = op.previous !== undefined ? [here('link', 'set', 'dev', name, 'mtu', uint(op.previous, 'MTU'))] : [];
      return [s(['link', 'set', 'dev', name, 'mtu', uint(op.mtu, 'MTU')], `Cannot set interface MTU on '${name}'`, undo)];
    }
    case 'setMac': {
      const name = ifname(op.name);
      const undo = op.previous !== undefined ? [here('link', 'set', 'dev', name, 'address', mac(op.previous))] : [];
      return [s(['link', 'set', 'dev', name, 'address', mac(op.mac)], `Cannot set interface MAC on '${name}'`, undo)];
    }
    case 'setMaster': {
      const name = ifname(op.name);
      const restore = (m: string | null | undefined): UndoLine[] =>
        m === undefined ? [] : m === null ? [here('link', 'set', 'dev', name, 'nomaster')] : [here('link', 'set', 'dev', name, 'master', ifname(m))];
      if (op.master === null) {
        const from = op.previous ? `bridge ${op.previous}` : 'its bridge';
        return [s(['link', 'set', 'dev', name, 'nomaster'], `Unable to remove ${from} port ${name}`, restore(op.previous))];
      }
      const master = ifname(op.master);
      const undo = op.previous === undefined ? restore(null) : restore(op.previous);
      return [s(['link', 'set', 'dev', name, 'master', master], `Unable to add bridge ${master} port ${name}`, undo)];
    }
    case 'moveToNetns': {
      const name = ifname(op.name);
      const target = validateNetnsName(op.netns);
      const args = ['link', 'set', 'dev', name, 'netns', target];
      const there = op.newName !== undefined ? ifname(op.newName) : name;
      if (op.newName !== undefined) args.push('name', there);
      const back = ['link', 'set', 'dev', there, 'netns', SELF_NETNS];
      if (there !== name) back.push('name', name);
      return [s(args, `Unable to move interface ${name} to network namespace ${target}`, [{ netns: target, args: back }])];
    }
    case 'addAddress': {
      const dev = ifname(op.dev);
      const a = cidr(op.address, op.prefix);
      const args = addAddressArgs(a, dev);
      const what = `Failed to add IP address ${a.text}${a.broadcast !== undefined ? ` bcast ${a.broadcast}` : ''} to ${dev}`;
      return [s(args, what, [here('addr', 'del', a.text, 'dev', dev)])];
    }
    case 'removeAddress': {
      const dev = ifname(op.dev);
      const a = cidr(op.address, op.prefix);
      return [s(['addr', 'del', a.text, 'dev', dev], `Error removing IP address from ${dev}`, [here(...addAddressArgs(a, dev))])];
    }
    case 'addRoute': {
      const args = routeArgs(op);
      return [s(['route', 'add', ...args], `Error adding route to ${op.dev}`, [here('route', 'del', ...args)])];
    }
    case 'removeRoute': {
      const args = routeArgs(op);
      return [s(['route', 'del', ...args], `Error removing route from ${op.dev}`, [here('route', 'add', ...args)])];
    }
  }
}

/** All steps of a list of operations, in order. */
export function stepsForAll(ops: readonly LinkOp[], netns: NetnsBinding): BatchStep[] {
  return ops.flatMap((op, i) => stepsFor(op, i, netns));
}

/** One batch line as ip reads it; every word is checked here, whichever code built the line. */
export function batchLine(args: readonly string[]): string {
  return args.map(token).join(' ');
}
