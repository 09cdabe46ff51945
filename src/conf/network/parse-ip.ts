/**
 * <ip> and everything inside it: <dhcp> ranges, static hosts, leases, <bootp>
 * and <tftp> (libvirt's virNetworkIPDefParseXML and the DHCP parsers it calls).
 * The range and host parsers are also net-update's (ip-dhcp-range, ip-dhcp-host).
 */
import type { XmlElementNode } from '../../xml/reader.js';
import type { AddressFamily, BootpDef, DhcpHost, DhcpRange, IpDef, LeaseDef, LeaseUnit } from './types.js';
import { formatIp, ipPrefixOf, type IpAddress } from '../../util/ip.js';
import { BOOT_FILE_MAX, isDhcpHostName, isOneDnsmasqLine, tftpRootLine } from './dnsmasq-syntax.js';
import { checkRange, parseSocketAddr, parseSocketAddrOrThrow } from './parse-addr.js';
import { refuseValue } from './refused-values.js';
import { isMulticastMac, parseMac } from '../common/mac-uuid.js';
import {
  configUnsupported,
  internalError,
  prop,
  propEnum,
  propTristate,
  propUInt,
  propULongLong,
  subelement,
  subelements,
  xmlError,
  xpathAttr,
  xpathFirst,
  type ElementContext,
} from '../common/parse-helpers.js';

const LEASE_UNITS: readonly LeaseUnit[] = ['seconds', 'minutes', 'hours'];

/**
 * <lease expiry='N' unit='...'/> (virNetworkDHCPLeaseTimeDefParseXML).
 * Undefined when expiry is absent (libvirt then keeps no lease). The unit is
 * set (defaulting to minutes) only for a finite lease: libvirt writes
 * `<lease expiry='0'/>` without a unit and `unit=` always otherwise.
 */
function parseLease(el: XmlElementNode): LeaseDef | undefined {
  const expiry = propULongLong(el, 'expiry', 0);
  if (expiry === undefined) return undefined;
  const unit = propEnum(el, 'unit', LEASE_UNITS) ?? 'minutes';
  if (expiry > 0n) {
    if ((unit === 'seconds' && expiry < 120n) || (unit === 'minutes' && expiry < 2n)) {
      throw configUnsupported('The minimum lease time should be greater than 2 minutes');
    }
    return { expiry: Number(expiry), unit };
  }
  return { expiry: 0 };
}

/** The parts of an IpDef the DHCP checks need, as addresses. */
interface IpSubnet {
  address: IpAddress | undefined;
  prefix: number;
}

function subnetOf(ip: IpDef): IpSubnet {
  const address = ip.address !== undefined ? parseSocketAddr(ip.address) : undefined;
  const netmask = ip.netmask !== undefined ? parseSocketAddr(ip.netmask) : undefined;
  return { address, prefix: ipPrefixOf(address, netmask, ip.prefix) };
}

/** <range> inside <ip><dhcp>, with the subnet checks (virNetworkDHCPRangeDefParseXML). */
export function parseDhcpRange(el: XmlElementNode, ip: IpDef, ctx: ElementContext): DhcpRange {
  const name = ctx.networkName;
  const startText = prop(el, 'start');
  if (startText === undefined) throw xmlError(`Missing 'start' attribute in dhcp range for network '${name}'`);
  const start = parseSocketAddrOrThrow(startText);
  const endText = prop(el, 'end');
  if (endText === undefined) throw xmlError(`Missing 'end' attribute in dhcp range for network '${name}'`);
  const end = parseSocketAddrOrThrow(endText);

  const subnet = subnetOf(ip);
  if (subnet.address === undefined) {
    // Not reachable from a parsed network: every <ip> has an address.
    throw internalError(`mismatch of address family in range ${formatIp(start)} - ${formatIp(end)}`);
  }
  checkRange(start, end, { address: subnet.address, prefix: subnet.prefix });

  const range: DhcpRange = { start: formatIp(start), end: formatIp(end) };
  const leaseEl = subelement(el, 'lease');
  const lease = leaseEl ? parseLease(leaseEl) : undefined;
  if (lease) range.lease = lease;
  return range;
}

const DUID_CHARS = /[^0-9a-fA-F:]/;
/** A DUID is at most 130 bytes; as hex with colons that is 389 characters. Longer ids would not fit dnsmasq's line. */
const DUID_TEXT_MAX = 389;

/** Control characters: dnsmasq cannot be given them in a file name (they are refused, not quoted). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f]/;

/** <host> inside <ip><dhcp> (virNetworkDHCPHostDefParseXML). */
export function parseDhcpHost(el: XmlElementNode, ip: IpDef, ctx: ElementContext): DhcpHost {
  const name = ctx.networkName;
  const ipv6 = subnetOf(ip).address?.family === 'ipv6';
  const host: DhcpHost = {};

  const mac = prop(el, 'mac');
  if (mac !== undefined) {
    if (ipv6) throw xmlError(`Invalid to specify MAC address '${mac}' in network '${name}' IPv6 static host definition`);
    const bytes = parseMac(mac);
    if (!bytes) throw xmlError(`Cannot parse MAC address '${mac}' in network '${name}'`);
    if (isMulticastMac(bytes)) throw xmlError(`expected unicast mac address, found multicast '${mac}' in network '${name}'`);
  }

  const id = prop(el, 'id');
  if (id !== undefined) {
    const bad = DUID_CHARS.exec(id);
    if (bad) throw xmlError(`Invalid character '${bad[0]}' in id '${id}' of network '${name}'`);
    if (id.length > DUID_TEXT_MAX) refuseValue('ip/dhcp/host@id', xmlError(`id '${id}' of network '${name}' is too long for a DUID`));
  }

  // libvirt only wants a letter or digit first; dnsmasq must also read it as a host name.
  const hostName = prop(el, 'name');
  if (hostName !== undefined && !isDhcpHostName(hostName)) {
    const refused = xmlError(`Cannot use host name '${hostName}' in network '${name}'`);
    if (!/^[A-Za-z0-9]/.test(hostName)) throw refused;
    refuseValue('ip/dhcp/host@name', refused);
  }

  const ipText = prop(el, 'ip');
  let addr: IpAddress | undefined;
  if (ipText !== undefined) {
    addr = parseSocketAddr(ipText);
    if (!addr) throw xmlError(`Invalid IP address in static host definition for network '${name}'`);
  }

  if (ctx.partialOk) {
    if (mac === undefined && hostName === undefined && ipText === undefined) {
      throw xmlError(`At least one of name, mac, or ip attribute must be specified for static host definition in network '${name}'`);
    }
  } else {
    if (ipv6) {
      if (id === undefined && hostName === undefined) {
        throw xmlError(`Static host definition in IPv6 network '${name}' must have id or name attribute`);
      }
    } else if (mac === undefined && hostName === undefined) {
      throw xmlError(`Static host definition in IPv4 network '${name}' must have mac or name attribute`);
    }
    if (ipText === undefined) throw xmlError(`Missing IP address in static host definition for network '${name}'`);
  }

  const leaseEl = subelement(el, 'lease');
  const lease = leaseEl ? parseLease(leaseEl) : undefined;

  if (mac !== undefined) host.mac = mac;
  if (id !== undefined) host.id = id;
  if (hostName !== undefined) host.name = hostName;
  if (addr) host.ip = formatIp(addr);
  if (lease) host.lease = lease;
  return host;
}

/** <dhcp>: every range, then every host, then <bootp> (IPv4 only) (virNetworkDHCPDefParseXML). */
function parseDhcp(el: XmlElementNode, ip: IpDef, ctx: ElementContext): void {
  for (const r of subelements(el, 'range')) ip.ranges.push(parseDhcpRange(r, ip, ctx));
  for (const h of subelements(el, 'host')) ip.hosts.push(parseDhcpHost(h, ip, { networkName: ctx.networkName }));
  const bootp = subelement(el, 'bootp');
  if (bootp && subnetOf(ip).address?.family === 'ipv4') {
    const server = prop(bootp, 'server');
    const file = prop(bootp, 'file');
    if (file === undefined) throw xmlError(`Missing required attribute 'file' in element 'bootp'`);
    if (CONTROL.test(file)) refuseValue('ip/dhcp/bootp@file', xmlError(`Invalid bootp file '${file}' in network '${ctx.networkName}'`));
    else if (Buffer.byteLength(file) > BOOT_FILE_MAX) {
      refuseValue(
        'ip/dhcp/bootp@file',
        xmlError(`bootp file '${file}' in network '${ctx.networkName}' is too long, limit is ${BOOT_FILE_MAX} bytes`),
      );
    }
    const def: BootpDef = { file };
    if (server !== undefined) def.server = formatIp(parseSocketAddrOrThrow(server));
    ip.bootp = def;
  }
}

/** <ip> (virNetworkIPDefParseXML). */
export function parseIpElement(el: XmlElementNode, networkName: string): IpDef {
  const familyText = xpathAttr(el, 'family');
  const addressText = xpathAttr(el, 'address');
  if (addressText === undefined) throw xmlError(`Missing required address attribute in network '${networkName}'`);
  const address = parseSocketAddr(addressText);
  if (!address) throw xmlError(`Invalid address '${addressText}' in network '${networkName}'`);

  const netmaskText = xpathAttr(el, 'netmask');
  let netmask: IpAddress | undefined;
  if (netmaskText !== undefined) {
    netmask = parseSocketAddr(netmaskText);
    if (!netmask) throw xmlError(`Invalid netmask '${netmaskText}' in network '${networkName}'`);
  }
  const prefix = propUInt(el, 'prefix', 10) ?? 0;
  const localPtr = propTristate(el, 'localPtr');

  if (familyText === undefined || familyText === 'ipv4') {
    if (address.family !== 'ipv4') {
      throw configUnsupported(
        `${familyText === undefined ? 'no' : 'ipv4'} family specified for non-IPv4 address '${addressText}' in network '${networkName}'`,
      );
    }
    if (netmask) {
      if (netmask.family !== 'ipv4') {
        throw configUnsupported(`Invalid netmask '${netmaskText}' for address '${addressText}' in network '${networkName}' (both must be IPv4)`);
      }
      if (prefix > 0) throw configUnsupported(`Network '${networkName}' IP address cannot have both a prefix and a netmask`);
    } else if (prefix > 32) {
      throw configUnsupported(`Invalid IPv4 prefix '${prefix}' in network '${networkName}'`);
    }
  } else if (familyText === 'ipv6') {
    if (address.family !== 'ipv6') {
      throw configUnsupported(`Family 'ipv6' specified for non-IPv6 address '${addressText}' in network '${networkName}'`);
    }
    if (netmask) throw configUnsupported(`netmask not allowed for IPv6 address '${addressText}' in network '${networkName}'`);
    if (prefix > 128) throw configUnsupported(`Invalid IPv6 prefix '${prefix}' in network '${networkName}'`);
  } else {
    throw xmlError(`Unrecognized family '${familyText}' in network '${networkName}'`);
  }

  const ip: IpDef = { address: formatIp(address), dhcp: false, ranges: [], hosts: [] };
  if (familyText !== undefined) ip.family = familyText as AddressFamily;
  if (netmask) ip.netmask = formatIp(netmask);
  if (prefix > 0) ip.prefix = prefix;
  if (localPtr !== undefined) ip.localPtr = localPtr;

  const dhcp = xpathFirst(el, 'dhcp');
  if (dhcp) {
    ip.dhcp = true;
    parseDhcp(dhcp, ip, { networkName });
  }

  if (xpathFirst(el, 'tftp')) {
    if (address.family !== 'ipv4') {
      throw configUnsupported(`Unsupported <tftp> element in an IPv6 element in network '${networkName}'`);
    }
    const root = xpathAttr(xpathFirst(el, 'tftp'), 'root');
    if (root !== undefined && CONTROL.test(root)) refuseValue('ip/tftp@root', xmlError(`Invalid tftp root '${root}' in network '${networkName}'`));
    else if (root !== undefined && !isOneDnsmasqLine(tftpRootLine(root))) {
      refuseValue('ip/tftp@root', xmlError(`tftp root '${root}' in network '${networkName}' is too long for a line of dnsmasq's configuration`));
    }
    if (root !== undefined) ip.tftpRoot = root;
  }
  return ip;
}
