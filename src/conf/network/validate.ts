/**
 * Driver-time validation of a network definition: the checks libvirt's
 * network driver applies on net-define and net-create (networkValidate in
 * src/network/bridge_driver.c, libvirt 11.3), after the parser's own checks
 * (parse.ts) and never duplicating them. Texts and error classes are
 * libvirt's.
 *
 * libvirt interleaves one non-check step into networkValidate: right after the
 * name check it picks the bridge name and MAC of a none/nat/route/open
 * network (whose errors therefore come before every check below). That step
 * needs host facts and lives in defaults.ts; `prepareNetworkForDefine` there
 * runs the three in libvirt's order. This module is pure apart from the
 * SR-IOV fact, which is injectable.
 */
import { checkObjectNameChars } from '../common/object-name.js';
import { existsSync } from 'node:fs';
import { type VirError, configUnsupported } from '../../util/errors.js';
import { parseIp } from '../../util/ip.js';
import type { BandwidthDef, NetworkDef, PciAddress, PortGroupDef, VlanDef } from './types.js';
import { VIRTUAL_FORWARD_MODES } from './types.js';
import { checkOvnNetwork } from './validate-ovn.js';
import { checkDhcpEntries, checkIpSubnets } from './validate-served.js';

/** Host facts the validation reads. */
export interface ValidateFacts {
  /**
   * Whether the PCI device is an SR-IOV virtual function. libvirt asks sysfs:
   * the device directory has a `physfn` link. A device that does not exist is
   * not one.
   */
  isSriovVirtualFunction(address: PciAddress): boolean;
}

/** The sysfs directory libvirt names in its SR-IOV error: /sys/bus/pci/devices/DDDD:BB:SS.F. */
export function pciSysfsPath(a: PciAddress): string {
  const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
  return `/sys/bus/pci/devices/${hex(a.domain, 4)}:${hex(a.bus, 2)}:${hex(a.slot, 2)}.${a.function}`;
}

/** The real host: reads sysfs, as libvirt does. */
export const sysfsValidateFacts: ValidateFacts = {
  isSriovVirtualFunction: (address) => existsSync(`${pciSysfsPath(address)}/physfn`),
};

/** libvirt keeps a <bandwidth> only when it has <inbound> or <outbound>. */
function hasBandwidth(bw: BandwidthDef | undefined): boolean {
  return bw !== undefined && (bw.inbound !== undefined || bw.outbound !== undefined);
}

function hasVlanTags(vlan: VlanDef | undefined): boolean {
  return vlan !== undefined && vlan.tags.length > 0;
}

/** The network's name may not hold a newline or a carriage return (checked at define/create only, not at parse). */
export function checkNetworkName(def: NetworkDef): void {
  checkObjectNameChars(def.name);
}

/**
 * Every networkValidate check after the name check and the bridge-name/MAC
 * step, in libvirt's order. Throws the first failure.
 */
export function checkNetworkConfig(def: NetworkDef, facts: ValidateFacts = sysfsValidateFacts): void {
  const mode = def.forward.mode;
  const modeAttr = `forward mode='${mode}'`;
  const virtual = VIRTUAL_FORWARD_MODES.includes(mode);
  const bridgeName = def.bridge.name !== undefined && def.bridge.name !== '';

  // Only the modes libvirt builds itself (and a bridge network naming its
  // bridge) may carry network-wide bandwidth; only the former may set a host
  // side MAC, addresses, DNS records or a domain.
  const bandwidthAllowed = virtual || (mode === 'bridge' && bridgeName);
  if (!virtual) {
    const unsupported = (element: string): VirError => configUnsupported(`Unsupported ${element} element in network ${def.name} with ${modeAttr}`);
    if (def.mac !== undefined) throw unsupported('<mac>');
    if (def.ips.length > 0) throw unsupported('<ip>');
    if (def.dns.txts.length > 0 || def.dns.hosts.length > 0 || def.dns.srvs.length > 0) throw unsupported('<dns>');
    if (def.domain !== undefined && def.domain.name !== '') throw unsupported('<domain>');
  }
  if (hasBandwidth(def.bandwidth) && !bandwidthAllowed) {
    throw configUnsupported(`Unsupported network-wide <bandwidth> element in network ${def.name} with ${modeAttr}`);
  }

  checkForwardPool(def, facts);
  checkDhcpSections(def);
  // virtnet's own: what the network serves must be able to work (validate-served.ts).
  checkIpSubnets(def);
  checkDhcpEntries(def);
  checkPortGroupsAndVlans(def, bandwidthAllowed);
  checkOvnNetwork(def);
  // libvirt 11.3 then rejects portgroup bandwidth once more for hostdev
  // networks ("unsupported <bandwidth> element in <portgroup name=...>"), but
  // hostdev never allows bandwidth, so the portgroup loop above has already
  // failed for such a network: that check cannot be reached and is left out.
}

/** <pf>, <interface> and <address> pools are exclusive; PCI addresses belong to hostdev, which needs them. */
function checkForwardPool(def: NetworkDef, facts: ValidateFacts): void {
  const mode = def.forward.mode;
  let usesInterface = false;
  let usesAddress = false;
  for (const entry of def.forward.interfaces) {
    if (entry.type === 'netdev') {
      usesInterface = true;
      if (mode === 'hostdev') {
        throw configUnsupported(
          `hostdev network '${def.name}' lists '${entry.dev}' in the device pool, but hostdev networks require all devices to be listed by PCI address, not network device name`,
        );
      }
    } else {
      usesAddress = true;
      if (mode !== 'hostdev') {
        throw configUnsupported(
          `network '${def.name}' has forward mode '${mode}' but lists a device by PCI address in the device pool. This is only supported for networks with forward mode 'hostdev'`,
        );
      }
      if (!facts.isSriovVirtualFunction(entry.address)) {
        throw configUnsupported(`device '${pciSysfsPath(entry.address)}' in network '${def.name}' is not an SR-IOV Virtual Function`);
      }
    }
  }
  const kinds = Number(def.forward.pf !== undefined) + Number(usesInterface) + Number(usesAddress);
  if (kinds > 1) {
    throw configUnsupported(`<address>, <interface>, and <pf> elements of <forward> in network ${def.name} are mutually exclusive`);
  }
}

/** At most one IPv4 and one IPv6 <ip> may serve DHCP (ranges or static hosts; an empty <dhcp/> does not count). */
function checkDhcpSections(def: NetworkDef): void {
  const seen = { ipv4: false, ipv6: false };
  for (const ip of def.ips) {
    if (ip.ranges.length === 0 && ip.hosts.length === 0) continue;
    const family = ip.address !== undefined ? parseIp(ip.address)?.family : undefined;
    if (family === undefined) continue;
    if (seen[family]) {
      const v = family === 'ipv4' ? 'IPv4' : 'IPv6';
      throw configUnsupported(`Multiple ${v} dhcp sections found -- dhcp is supported only for a single ${v} address on each network`);
    }
    seen[family] = true;
  }
}

/**
 * Where a vlan tag may apply: hostdev and passthrough pools, and bridge mode
 * (libvirt 11.0+: a plain Linux bridge, or one with an Open vSwitch
 * virtualport). libvirt 9.0 allowed bridge mode only with Open vSwitch.
 */
function vlanAllowedFor(def: NetworkDef): boolean {
  const mode = def.forward.mode;
  if (mode === 'hostdev' || mode === 'passthrough') return true;
  return mode === 'bridge' && (def.virtualPort === undefined || def.virtualPort.type === 'openvswitch');
}

/**
 * Portgroups: one default at most, unique names, bandwidth only where the
 * network allows it; and vlan tags (network-wide or per portgroup) only where
 * the connection can carry them. A portgroup with its own virtualport needs
 * an Open vSwitch bridge for its tags; one without inherits the network's
 * rule. With a default portgroup every guest goes through a portgroup, so
 * the network-wide rule alone is not applied.
 */
function checkPortGroupsAndVlans(def: NetworkDef, bandwidthAllowed: boolean): void {
  const vlanAllowed = vlanAllowedFor(def);
  const vlanUsed = hasVlanTags(def.vlan);
  let badVlanUse = false;
  let defaultGroup: PortGroupDef | undefined;
  const groups = def.portGroups;
  for (let i = 0; i < groups.length; i++) {
    const pg = groups[i]!;
    if (vlanUsed || hasVlanTags(pg.vlan)) {
      if (pg.virtualPort !== undefined) {
        if (def.forward.mode !== 'bridge' || pg.virtualPort.type !== 'openvswitch') badVlanUse = true;
      } else if (!vlanAllowed) {
        badVlanUse = true;
      }
    }
    if (pg.isDefault === true) {
      if (defaultGroup !== undefined) {
        throw configUnsupported(
          `network '${def.name}' has multiple default <portgroup> elements (${defaultGroup.name} and ${pg.name}), but only one default is allowed`,
        );
      }
      defaultGroup = pg;
    }
    for (let j = i + 1; j < groups.length; j++) {
      if (groups[j]!.name === pg.name) {
        throw configUnsupported(`multiple <portgroup> elements with the same name (${pg.name}) in network '${def.name}'`);
      }
    }
    if (hasBandwidth(pg.bandwidth) && !bandwidthAllowed) {
      throw configUnsupported(
        `Unsupported <bandwidth> element in network '${def.name}' in portgroup '${pg.name}' with forward mode='${def.forward.mode}'`,
      );
    }
  }
  if (badVlanUse || (vlanUsed && !vlanAllowed && defaultGroup === undefined)) {
    throw configUnsupported(`<vlan> element specified for network ${def.name}, whose type doesn't support vlan configuration`);
  }
}

/**
 * All driver-time checks that need no allocation: the name check, then
 * checkNetworkConfig. For libvirt's exact error order when a bridge name or
 * MAC has to be picked as well, use prepareNetworkForDefine (defaults.ts).
 */
export function validateNetworkForDefine(def: NetworkDef, facts: ValidateFacts = sysfsValidateFacts): void {
  checkNetworkName(def);
  checkNetworkConfig(def, facts);
}
