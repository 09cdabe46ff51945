/**
 * The dnsmasq planner: from a NetworkDef to the exact text of dnsmasq's conf
 * file, its static DHCP hosts file and its DNS hosts file, as libvirt's
 * networkDnsmasqConfContents writes them (byte for byte). Pure: every host
 * path comes from options,
 * nothing is read or written here.
 */
import type { DhcpHost, IpDef, NetworkDef } from '../conf/network/types.js';
import { VIRTUAL_FORWARD_MODES } from '../conf/network/types.js';
import { dnsmasqField, isOneDnsmasqLine, tftpRootLine } from '../conf/network/dnsmasq-syntax.js';
import { configUnsupported, internalError } from '../util/errors.js';
import { escapeXml } from '../xml/escape.js';
import { forwarderLines, srvLine, txtLines } from './dnsmasq-dns.js';
import { addnhostsText, hostsfileText, leaseTimeText } from './dnsmasq-hosts.js';
import { addressFamily, dhcpRangeSize, formatAddress, ipv4Netmask, ptrDomain } from './dnsmasq-ip.js';
import { effectivePrefix } from '../util/ip.js';

export interface DnsmasqPlanOptions {
  /** Directory holding NAME.hostsfile and NAME.addnhosts (libvirt: /var/lib/libvirt/dnsmasq). */
  stateDir: string;
  /** pid-file= line; omitted when undefined. */
  pidFile?: string;
  /** The stem of the hostsfile and addnhosts names in stateDir; default libvirt's, the XML-escaped network name. */
  fileStem?: string;
  /** The command named in the header ("virsh net-edit NAME"); default 'virtnet'. */
  editTool?: string;
  /** The product named in the header ("dnsmasq conf file created by libvirt"); default 'virtnet'. */
  product?: string;
  /**
   * virtnet's runtime only (libvirt writes neither): `dhcp-leasefile=PATH`
   * after dhcp-hostsfile= when the network serves DHCP, so dnsmasq keeps its
   * own lease file there instead of the shared default.
   */
  leaseFile?: string;
  /**
   * virtnet's runtime only: where dnsmasq would read the host's resolv.conf
   * (DNS on, not isolated, no catch-all forwarder), write `no-resolv` and
   * `servers-file=PATH` instead, right after the forwarder lines. dnsmasq
   * then opens no inotify instance (it watches resolv.conf with one) and
   * re-reads PATH on SIGHUP. See docs/network-runtime.md.
   */
  serversFile?: string;
  /**
   * virtnet's runtime only: `bind-interfaces` instead of libvirt's
   * `bind-dynamic`. A bind-dynamic dnsmasq re-reads every interface of the
   * namespace on each address change anywhere in it, so N of them make
   * starting one more network cost O(N) (measured: 1 ms of CPU per dnsmasq
   * per new bridge). bind-interfaces binds once, at start, to the addresses
   * the bridge has then; the caller must start dnsmasq after adding them.
   */
  bindInterfaces?: boolean;
  /** virtnet's runtime only: `log-facility=PATH`, dnsmasq's own log, which the runtime carries into virtnet's. */
  logFile?: string;
  /** virtnet's runtime only: `user=NAME`, when dnsmasq must not drop to its default user (src/driver/runtime/dnsmasq-user.ts). */
  user?: string;
}

export interface DnsmasqPlan {
  /** The conf file text. */
  conf: string;
  /** Static DHCP hosts, one line per host, each ending in \n ('' when none). */
  hostsfile: string;
  /** DNS hosts: IP<TAB>name<TAB>name... lines. */
  addnhosts: string;
  /**
   * Where the conf expects the hostsfile (dhcp-hostsfile=). The network name
   * is XML-escaped in it, as libvirt does, so a name with quotes gives
   * `default&quot;...`. Write the file here so that conf and disk agree.
   */
  hostsfilePath: string;
  /** Where the conf expects the DNS hosts file (addn-hosts=), escaped the same way. */
  addnhostsPath: string;
  /** libvirt's log warnings (e.g. DHCPv6 on one <ip> while another relies on SLAAC). */
  warnings: string[];
}

const SLAAC_WITH_DHCP6_WARNING =
  'For IPv6, when DHCP is specified for one address, then state-full Router Advertising will occur.  ' +
  'The additional IPv6 addresses specified require manually configured guest network to work properly ' +
  'since both state-full (DHCP) and state-less (SLAAC) addressing are not supported on the same network interface.';

/** Whether an <ip> serves DHCP (ranges or static hosts; an empty <dhcp/> does not count). */
export function servesDhcp(ip: IpDef): boolean {
  return ip.ranges.length > 0 || ip.hosts.length > 0;
}

/**
 * Whether dnsmasq must run for this network (libvirt's networkStartDhcpDaemon):
 * it has at least one <ip>, and some <ip> serves DHCP or TFTP, or DNS is not
 * disabled. libvirt only starts dnsmasq for the virtual modes (none, nat,
 * route, open), so other modes never need it.
 */
export function needsDnsmasq(def: NetworkDef): boolean {
  if (!VIRTUAL_FORWARD_MODES.includes(def.forward.mode)) return false;
  if (def.ips.length === 0) return false;
  if (def.ips.some((ip) => servesDhcp(ip) || ip.tftpRoot !== undefined)) return true;
  return def.dns.enable !== false;
}

function headerLines(name: string, editTool: string, product: string): string[] {
  // The two double spaces are libvirt's.
  return [
    '##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE',
    '##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:',
    `##    ${editTool} net-edit ${name}`,
    `## or other application using the ${product} API.`,
    '##',
    `## dnsmasq conf file created by ${product}`,
  ];
}

/**
 * The DHCP lines of one <ip> (libvirt's networkDnsmasqConfDHCP): a
 * dhcp-range per range (IPv4 with a netmask, IPv6 with a prefix, plus a
 * lease suffix), or `ADDR,static[,PREFIX]` for hosts without ranges; then,
 * IPv4 only, dhcp-no-override, dhcp-authoritative and dhcp-boot. Returns the
 * number of addresses its ranges hold.
 */
function dhcpLines(lines: string[], ip: IpDef, bridge: string): number {
  const ipv6 = addressFamily(ip) === 'ipv6';
  const prefix = effectivePrefix(ip);
  if (prefix < 0) throw internalError(`bridge '${bridge}' has an invalid prefix`);
  let leases = 0;
  for (const range of ip.ranges) {
    let line: string;
    const span = `${formatAddress(range.start)},${formatAddress(range.end)}`;
    if (ipv6) {
      line = `dhcp-range=${span},${prefix}`;
    } else {
      const netmask = ipv4Netmask(prefix);
      if (netmask === undefined) throw internalError(`Failed to translate bridge '${bridge}' prefix ${prefix} to netmask`);
      line = `dhcp-range=${span},${netmask}`;
    }
    const lease = leaseTimeText(range.lease);
    if (lease !== undefined) line += `,${lease}`;
    lines.push(line);
    leases += dhcpRangeSize(range.start, range.end, ip.address ?? '', prefix);
  }
  if (ip.ranges.length === 0 && ip.hosts.length > 0) {
    const address = formatAddress(ip.address ?? '');
    lines.push(ipv6 ? `dhcp-range=${address},static,${prefix}` : `dhcp-range=${address},static`);
  }
  if (addressFamily(ip) === 'ipv4') {
    if (servesDhcp(ip)) lines.push('dhcp-no-override', 'dhcp-authoritative');
    if (ip.bootp) {
      const server = ip.bootp.server;
      const file = dnsmasqField(ip.bootp.file, { separators: ',', beforeSplit: server !== undefined, tagPrefix: true });
      lines.push(server !== undefined ? `dhcp-boot=${file},,${formatAddress(server)}` : `dhcp-boot=${file}`);
    }
  }
  return leases;
}

/** A path or other value that is the whole argument of its option. */
const wholeValue = (text: string): string => dnsmasqField(text, { separators: '' });

/**
 * The conf text. Every line must reach dnsmasq as one line: a newline in it,
 * or more bytes than dnsmasq reads at once, would make the rest a directive
 * of its own. The parser refuses every value that could; this is the last guard.
 */
function confText(lines: readonly string[]): string {
  for (const line of lines) {
    if (!isOneDnsmasqLine(line))
      throw internalError(`dnsmasq would not read this as one line of its configuration: ${JSON.stringify(line.slice(0, 80))}`);
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** Plan dnsmasq's conf, hostsfile and addnhosts for a network (libvirt's networkDnsmasqConfContents). */
export function planDnsmasq(def: NetworkDef, options: DnsmasqPlanOptions): DnsmasqPlan {
  const bridge = def.bridge.name;
  if (bridge === undefined) throw internalError(`network '${def.name}' has no bridge name`);
  const escapedName = options.fileStem ?? escapeXml(def.name);
  const hostsfilePath = `${options.stateDir}/${escapedName}.hostsfile`;
  const addnhostsPath = `${options.stateDir}/${escapedName}.addnhosts`;
  const wantDns = def.dns.enable !== false;
  const warnings: string[] = [];
  const lines = headerLines(def.name, options.editTool ?? 'virtnet', options.product ?? 'virtnet');

  lines.push('strict-order');
  if (!wantDns) lines.push('port=0');
  if (wantDns) {
    const forwarders = forwarderLines(def.dns.forwarders);
    lines.push(...forwarders);
    if (options.serversFile !== undefined && def.forward.mode !== 'none' && !forwarders.includes('no-resolv')) {
      lines.push('no-resolv', `servers-file=${wholeValue(options.serversFile)}`);
    }
  }

  if (def.domain) {
    if (def.domain.localOnly === true) lines.push(`local=/${dnsmasqField(def.domain.name, { separators: '' })}/`);
    lines.push(`domain=${dnsmasqField(def.domain.name, { separators: ',' })}`, 'expand-hosts');
  }
  if (wantDns) {
    for (const ip of def.ips) if (ip.localPtr === true) lines.push(`local=/${ptrDomain(ip)}/`);
    // Unless plain names may be forwarded, answer them locally (local=// whether or not a domain is set).
    if (def.dns.forwardPlainNames === false) lines.push('domain-needed', 'local=//');
  }
  if (options.pidFile !== undefined) lines.push(`pid-file=${wholeValue(options.pidFile)}`);
  if (options.logFile !== undefined) lines.push(`log-facility=${wholeValue(options.logFile)}`);
  if (options.user !== undefined) lines.push(`user=${wholeValue(options.user)}`);

  // dnsmasq always listens on loopback unless told otherwise; bind-dynamic with
  // only interface= keeps it from answering anything but the bridge (CVE-2012-3411).
  lines.push(
    'except-interface=lo',
    options.bindInterfaces === true ? 'bind-interfaces' : 'bind-dynamic',
    `interface=${dnsmasqField(bridge, { separators: ',' })}`,
  );

  if (def.forward.mode === 'none') {
    // No default route (DHCP option 3 empty), no upstream DNS, and a zero
    // lifetime for the default route IPv6 RAs imply.
    lines.push('dhcp-option=3', 'no-resolv', 'ra-param=*,0,0');
  }

  if (wantDns) {
    lines.push(...txtLines(def.dns.txts));
    for (const srv of def.dns.srvs) lines.push(srvLine(srv, def.name));
  }

  // The first DHCP-serving <ip> of each family (a second is an error); TFTP
  // lines for every IPv4 <ip> as they come; SLAAC for IPv6 <ip>s without DHCP.
  let ipv4Dhcp: IpDef | undefined;
  let ipv6Dhcp: IpDef | undefined;
  let ipv6Slaac = false;
  let tftpEnabled = false;
  for (const ip of def.ips) {
    const family = addressFamily(ip);
    if (family === 'ipv4') {
      if (servesDhcp(ip)) {
        if (ipv4Dhcp) throw configUnsupported('For IPv4, multiple DHCP definitions cannot be specified.');
        ipv4Dhcp = ip;
      }
      if (ip.tftpRoot !== undefined) {
        if (!tftpEnabled) lines.push('enable-tftp');
        tftpEnabled = true;
        lines.push(tftpRootLine(ip.tftpRoot));
      }
    } else if (family === 'ipv6') {
      if (servesDhcp(ip)) {
        if (ipv6Dhcp) throw configUnsupported('For IPv6, multiple DHCP definitions cannot be specified.');
        ipv6Dhcp = ip;
      } else {
        ipv6Slaac = true;
      }
    }
  }
  if (ipv6Dhcp && ipv6Slaac) warnings.push(SLAAC_WITH_DHCP6_WARNING);

  let leases = 0;
  const dhcpHosts: { host: DhcpHost; ipv6: boolean }[] = [];
  for (const [ip, ipv6] of [
    [ipv4Dhcp, false],
    [ipv6Dhcp, true],
  ] as const) {
    if (!ip) continue;
    leases += dhcpLines(lines, ip, bridge);
    for (const host of ip.hosts) dhcpHosts.push({ host, ipv6 });
  }
  if (leases > 0) lines.push(`dhcp-lease-max=${leases}`);

  // Written even when empty, so hosts can be added at run time (SIGHUP).
  if (ipv4Dhcp || ipv6Dhcp) lines.push(`dhcp-hostsfile=${wholeValue(hostsfilePath)}`);
  if ((ipv4Dhcp || ipv6Dhcp) && options.leaseFile !== undefined) lines.push(`dhcp-leasefile=${wholeValue(options.leaseFile)}`);
  if (wantDns) lines.push(`addn-hosts=${wholeValue(addnhostsPath)}`);
  if (def.mtu > 0) lines.push(`dhcp-option=option:mtu,${def.mtu}`);

  if (ipv6Dhcp) {
    lines.push('enable-ra');
  } else {
    for (const ip of def.ips) {
      if (addressFamily(ip) === 'ipv6' && !servesDhcp(ip)) lines.push(`dhcp-range=${formatAddress(ip.address ?? '')},ra-only`);
    }
  }

  lines.push(...def.dnsmasqOptions);

  return {
    conf: confText(lines),
    hostsfile: hostsfileText(dhcpHosts),
    addnhosts: addnhostsText(def.dns.hosts),
    hostsfilePath,
    addnhostsPath,
    warnings,
  };
}
