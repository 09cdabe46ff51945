/**
 * Shared pieces of net-update (libvirt's virNetworkDefUpdate* family): the
 * element-name check every section makes, list insertion for add-first /
 * add-last, and the address and MAC comparisons libvirt uses to match
 * entries. Section handlers live in the update-*.ts modules beside this one.
 */
import type { AddressFamily, NetworkDef } from './types.js';
import type { XmlElementNode } from '../../xml/reader.js';
import { VirError, xmlError } from '../../util/errors.js';
import { formatIp, parseIp } from '../../util/ip.js';

/** net-update commands (virsh's `add` is a synonym of `add-last`). */
export type UpdateCommand = 'add-first' | 'add-last' | 'delete' | 'modify';

/** net-update sections, as virsh names them. */
export type UpdateSection =
  | 'bridge'
  | 'domain'
  | 'ip'
  | 'ip-dhcp-host'
  | 'ip-dhcp-range'
  | 'forward'
  | 'forward-interface'
  | 'forward-pf'
  | 'portgroup'
  | 'dns-host'
  | 'dns-txt'
  | 'dns-srv';

/** One section handler's inputs: the copy to change, the command, the <ip> selector and the snippet's element. */
export interface SectionUpdate {
  def: NetworkDef;
  command: UpdateCommand;
  parentIndex: number;
  el: XmlElementNode;
}

export function isAddCommand(command: UpdateCommand): boolean {
  return command === 'add-first' || command === 'add-last';
}

/** Put `item` at the front (add-first) or the back (add-last) of `list`. */
export function insertForCommand<T>(list: T[], item: T, command: UpdateCommand): void {
  if (command === 'add-first') list.unshift(item);
  else list.push(item);
}

/** The snippet must be the element the section expects (virNetworkDefUpdateCheckElementName). */
export function checkElementName(def: NetworkDef, el: XmlElementNode, expected: string): void {
  if (el.name !== expected) {
    throw xmlError(`unexpected element <${el.name}>, expecting <${expected}>, while updating network '${def.name}'`);
  }
}

/** The error for sections libvirt does not update (virNetworkDefUpdateNoSupport). */
export function noSupport(def: NetworkDef, sectionLabel: string): VirError {
  return new VirError('OPERATION_UNSUPPORTED', `can't update '${sectionLabel}' section of network '${def.name}'`);
}

/** The family of an address string, from the address itself (libvirt: VIR_SOCKET_ADDR_FAMILY). */
export function addressFamily(address: string | undefined): AddressFamily | undefined {
  return address === undefined ? undefined : parseIp(address)?.family;
}

/**
 * libvirt's virSocketAddrEqual: same family and same address. An absent or
 * unparsable address never equals anything, not even another absent one.
 */
export function sameAddress(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const pa = parseIp(a);
  const pb = parseIp(b);
  return pa !== undefined && pb !== undefined && pa.family === pb.family && pa.value === pb.value;
}

/** An address as libvirt prints it in messages (virSocketAddrFormat), or 'unknown'. */
export function addressText(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const parsed = parseIp(address);
  return parsed ? formatIp(parsed) : address;
}

/**
 * libvirt's virMacAddrCompare: case-insensitive, and leading zeros of each
 * group do not count ("0a:1:..." equals "0A:01:...").
 */
export function sameMac(a: string, b: string): boolean {
  const norm = (mac: string): string =>
    mac
      .split(':')
      .map((g) => g.replace(/^0+(?=[0-9a-fA-F])/, '').toUpperCase())
      .join(':');
  return norm(a) === norm(b);
}

/** glibc prints a NULL string argument as "(null)"; libvirt's messages show it that way. */
export function orNull(value: string | undefined): string {
  return value ?? '(null)';
}
