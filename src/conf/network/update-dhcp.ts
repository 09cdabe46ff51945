/**
 * net-update of the ip-dhcp-host and ip-dhcp-range sections
 * (libvirt's virNetworkDefUpdateIPDHCPHost / ...IPDHCPRange): which <ip>
 * the change goes to, how entries are matched, and libvirt's texts.
 */
import type { IpDef, NetworkDef } from './types.js';
import { parseDhcpHost, parseDhcpRange } from './parse-ip.js';
import { VirError, operationInvalid } from '../../util/errors.js';
import {
  type SectionUpdate,
  addressFamily,
  addressText,
  checkElementName,
  insertForCommand,
  isAddCommand,
  orNull,
  sameAddress,
  sameMac,
} from './update-common.js';

const hasDhcpEntries = (ip: IpDef): boolean => ip.ranges.length > 0 || ip.hosts.length > 0;

/**
 * The <ip> an ip-dhcp-* update works on (virNetworkIPDefByIndex).
 * parentIndex >= 0: that <ip>, counting every family. Negative: the first
 * <ip> that has DHCP ranges or hosts, else the first IPv4 one, else the
 * first IPv6 one. Returns the error instead of throwing it because libvirt
 * reports a wrong snippet element in preference to a missing <ip>.
 */
export function selectDhcpIp(def: NetworkDef, parentIndex: number): IpDef | VirError {
  if (parentIndex >= 0) {
    return (
      def.ips[parentIndex] ??
      operationInvalid(`couldn't update dhcp host entry - no <ip> element found at index ${parentIndex} in network '${def.name}'`)
    );
  }
  const chosen =
    def.ips.find(hasDhcpEntries) ??
    def.ips.find((ip) => addressFamily(ip.address) === 'ipv4') ??
    def.ips.find((ip) => addressFamily(ip.address) === 'ipv6');
  return chosen ?? operationInvalid(`couldn't update dhcp host entry - no <ip> element found in network '${def.name}'`);
}

/** Only one <ip> per address family may carry DHCP (virNetworkDefUpdateCheckMultiDHCP). */
function checkSingleDhcpPerFamily(def: NetworkDef, target: IpDef): void {
  const family = addressFamily(target.address);
  for (const ip of def.ips) {
    if (ip === target || addressFamily(ip.address) !== family) continue;
    if (hasDhcpEntries(ip)) {
      throw operationInvalid(`dhcp is supported only for a single ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address on each network`);
    }
  }
}

/** Resolve the target <ip> after the element-name check, as libvirt orders its errors. */
function targetIp(u: SectionUpdate, element: string): IpDef {
  const selected = selectDhcpIp(u.def, u.parentIndex);
  checkElementName(u.def, u.el, element);
  if (selected instanceof VirError) throw selected;
  return selected;
}

/** A <dhcp> is written only while it holds ranges or hosts; keep the flag in step with the lists. */
function syncDhcpFlag(ip: IpDef): void {
  ip.dhcp = hasDhcpEntries(ip);
}

export function updateDhcpHost(u: SectionUpdate): void {
  const { def, command } = u;
  const ip = targetIp(u, 'host');
  const partialOk = command === 'delete';
  const host = parseDhcpHost(u.el, ip, { networkName: def.name, partialOk });

  if (!partialOk && addressFamily(ip.address) !== addressFamily(host.ip)) {
    throw operationInvalid("the address family of a host entry IP must match the address family of the dhcp element's parent");
  }

  if (command === 'modify') {
    // Found by any one of mac, ip or name; replaced whole.
    const i = ip.hosts.findIndex(
      (h) =>
        (host.mac !== undefined && h.mac !== undefined && sameMac(host.mac, h.mac)) ||
        sameAddress(host.ip, h.ip) ||
        (host.name !== undefined && host.name === h.name),
    );
    if (i < 0) {
      throw operationInvalid(
        `couldn't locate an existing dhcp host entry with "mac='${host.mac ?? 'unknown'}'" "name='${orNull(host.name)}'" "ip='${addressText(host.ip)}'" in network '${def.name}'`,
      );
    }
    ip.hosts[i] = host;
  } else if (isAddCommand(command)) {
    checkSingleDhcpPerFamily(def, ip);
    const clash = ip.hosts.some(
      (h) =>
        (host.mac !== undefined && h.mac !== undefined && sameMac(host.mac, h.mac)) ||
        (host.name !== undefined && host.name === h.name) ||
        sameAddress(host.ip, h.ip),
    );
    if (clash) {
      throw operationInvalid(
        `there is an existing dhcp host entry in network '${def.name}' that matches "<host mac='${host.mac ?? 'unknown'}' name='${orNull(host.name)}' ip='${addressText(host.ip)}'/>"`,
      );
    }
    insertForCommand(ip.hosts, host, command);
  } else {
    // delete: every attribute given must match (a mac is ignored when the entry has none).
    const i = ip.hosts.findIndex(
      (h) =>
        (host.mac === undefined || h.mac === undefined || sameMac(host.mac, h.mac)) &&
        (host.name === undefined || host.name === h.name) &&
        (host.ip === undefined || sameAddress(host.ip, h.ip)),
    );
    if (i < 0) throw operationInvalid(`couldn't locate a matching dhcp host entry in network '${def.name}'`);
    ip.hosts.splice(i, 1);
  }
  syncDhcpFlag(ip);
}

export function updateDhcpRange(u: SectionUpdate): void {
  const { def, command } = u;
  const ip = targetIp(u, 'range');
  if (command === 'modify') {
    throw new VirError('OPERATION_UNSUPPORTED', 'dhcp ranges cannot be modified, only added or deleted');
  }
  const range = parseDhcpRange(u.el, ip, { networkName: def.name });

  if (addressFamily(ip.address) !== addressFamily(range.start)) {
    throw operationInvalid("the address family of a dhcp range must match the address family of the dhcp element's parent");
  }

  const i = ip.ranges.findIndex((r) => sameAddress(range.start, r.start) && sameAddress(range.end, r.end));
  if (isAddCommand(command)) {
    checkSingleDhcpPerFamily(def, ip);
    if (i >= 0) {
      throw operationInvalid(
        `there is an existing dhcp range entry in network '${def.name}' that matches "<range start='${addressText(range.start)}' end='${addressText(range.end)}'/>"`,
      );
    }
    insertForCommand(ip.ranges, range, command);
  } else {
    if (i < 0) throw operationInvalid(`couldn't locate a matching dhcp range entry in network '${def.name}'`);
    ip.ranges.splice(i, 1);
  }
  syncDhcpFlag(ip);
}
