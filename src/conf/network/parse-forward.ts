/**
 * <forward> (libvirt's virNetworkForwardDefParseXML): the mode, the <nat>
 * address and port ranges, the interface / PCI address pool, <pf> and the
 * hostdev <driver>. The checks that depend on the rest of the network
 * (IP present, bridge name, ...) are in parse.ts.
 */
import { isValidIfname } from '../../util/ifname.js';
import { refuseValue } from './refused-values.js';
import type { XmlElementNode } from '../../xml/reader.js';
import type { ForwardDef, ForwardInterface, ForwardMode, ForwardNat, PciAddress } from './types.js';
import { formatIp } from '../../util/ip.js';
import { checkRange, parseSocketAddr } from './parse-addr.js';
import { strToUIntP } from '../common/parse-number.js';
import {
  configUnsupported,
  isYesIgnoringCase,
  prop,
  propEnum,
  propTristate,
  propUInt,
  xmlDetail,
  xmlError,
  xpathAttr,
  xpathChildren,
  xpathFirst,
} from '../common/parse-helpers.js';

/** libvirt's virNetworkForwardType strings, in enum order ('none' is a valid, if odd, mode). */
const FORWARD_MODES: readonly ForwardMode[] = ['none', 'nat', 'route', 'open', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev'];

/** The <address> or <port> of <nat>, when it has one: libvirt allows no more. */
function onlyNatChild(nat: XmlElementNode, name: 'address' | 'port', networkName: string): XmlElementNode | undefined {
  const els = xpathChildren(nat, name);
  if (els.length > 1) throw xmlError(`Only one <${name}> element is allowed in <nat> in <forward> in network ${networkName}`);
  return els[0];
}

/** <nat> inside <forward mode='nat'> (virNetworkForwardNatDefParseXML). Undefined when it sets nothing. */
function parseNat(el: XmlElementNode, mode: ForwardMode, networkName: string): ForwardNat | undefined {
  if (mode !== 'nat') {
    throw xmlError(`The <nat> element can only be used when <forward> 'mode' is 'nat' in network ${networkName}`);
  }
  const nat: ForwardNat = { portStart: 0, portEnd: 0 };
  const ipv6 = propTristate(el, 'ipv6');
  if (ipv6 !== undefined) nat.ipv6 = ipv6;

  const a = onlyNatChild(el, 'address', networkName);
  if (a) {
    const startText = prop(a, 'start');
    if (startText === undefined) {
      throw xmlError(`missing 'start' attribute in <address> element in <nat> in <forward> in network ${networkName}`);
    }
    const endText = prop(a, 'end');
    if (endText === undefined) {
      throw xmlError(`missing 'end' attribute in <address> element in <nat> in <forward> in network ${networkName}`);
    }
    const start = parseSocketAddr(startText, 'ipv4');
    if (!start) throw xmlError(`Bad ipv4 start address '${startText}' in <nat> in <forward> in network '${networkName}'`);
    const end = parseSocketAddr(endText, 'ipv4');
    if (!end) throw xmlError(`Bad ipv4 end address '${endText}' in <nat> in <forward> in network '${networkName}'`);
    checkRange(start, end);
    nat.addressStart = formatIp(start);
    nat.addressEnd = formatIp(end);
  }

  const p = onlyNatChild(el, 'port', networkName);
  if (p) {
    const startText = xpathAttr(p, 'start');
    const start = startText === undefined ? undefined : strToUIntP(startText, 10);
    if (start === undefined || start > 65535) {
      throw xmlDetail(`Missing or invalid 'start' attribute in <port> in <nat> in <forward> in network ${networkName}`);
    }
    const endText = xpathAttr(p, 'end');
    const end = endText === undefined ? undefined : strToUIntP(endText, 10);
    if (end === undefined || end > 65535 || end < start) {
      throw xmlDetail(`Missing or invalid 'end' attribute in <port> in <nat> in <forward> in network ${networkName}`);
    }
    nat.portStart = start;
    nat.portEnd = end;
  }
  const meaningful = nat.ipv6 !== undefined || nat.addressStart !== undefined || nat.portStart !== 0 || nat.portEnd !== 0;
  return meaningful ? nat : undefined;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** <address type='pci' .../> in the pool (virPCIDeviceAddressParseXML). */
function parsePciAddress(el: XmlElementNode): PciAddress {
  const addr: PciAddress = {
    domain: propUInt(el, 'domain', 0) ?? 0,
    bus: propUInt(el, 'bus', 0) ?? 0,
    slot: propUInt(el, 'slot', 0) ?? 0,
    function: propUInt(el, 'function', 0) ?? 0,
  };
  propEnum(el, 'multifunction', ['absent', 'on', 'off'] as const, { nonzero: true });
  const empty = addr.domain === 0 && addr.bus === 0 && addr.slot === 0;
  if (!empty) {
    if (addr.domain > 0xffff) throw xmlError(`Invalid PCI address domain='0x${addr.domain.toString(16)}', must be <= 0xFFFF`);
    if (addr.bus > 0xff) throw xmlError(`Invalid PCI address bus='0x${addr.bus.toString(16)}', must be <= 0xFF`);
    if (addr.slot > 0x1f) throw xmlError(`Invalid PCI address slot='0x${addr.slot.toString(16)}', must be <= 0x1F`);
    if (addr.function > 7) throw xmlError(`Invalid PCI address function=0x${addr.function.toString(16)}, must be <= 7`);
  }
  return addr;
}

const DRIVER_NAMES = ['default', 'kvm', 'vfio', 'xen'] as const;
/** A host device named in <forward>: the kernel, ip's batches and nftables must take the name as it is. */
function checkDevName(dev: string, networkName: string, element: string): void {
  if (!isValidIfname(dev)) refuseValue(element, xmlError(`Invalid forward device name '${dev}' in network ${networkName}`));
}

const ADDRESS_TYPES = ['none', 'pci', 'netdev'] as const;

/** <forward> (virNetworkForwardDefParseXML). */
export function parseForward(el: XmlElementNode, networkName: string): ForwardDef {
  const modeText = xpathAttr(el, 'mode');
  let mode: ForwardMode = 'nat';
  if (modeText !== undefined) {
    if (!FORWARD_MODES.includes(modeText as ForwardMode)) throw configUnsupported(`unknown forwarding type '${modeText}'`);
    mode = modeText as ForwardMode;
  }
  const fwd: ForwardDef = { mode, interfaces: [] };
  const managedText = xpathAttr(el, 'managed');
  if (managedText !== undefined) fwd.managed = isYesIgnoringCase(managedText);

  // libvirt 11: <driver name='kvm|vfio|xen' model='...'/> (virDeviceHostdevPCIDriverInfoParseXML).
  const driver = xpathFirst(el, 'driver');
  if (driver) {
    const name = propEnum(driver, 'name', DRIVER_NAMES, { nonzero: true });
    if (name !== undefined) fwd.driverName = name as NonNullable<ForwardDef['driverName']>;
    const model = prop(driver, 'model');
    if (model !== undefined) fwd.driverModel = model;
  }

  const ifaceEls = xpathChildren(el, 'interface');
  const addrEls = xpathChildren(el, 'address');
  const pfEls = xpathChildren(el, 'pf');
  const natEls = xpathChildren(el, 'nat');
  if (natEls.length > 1) throw xmlError(`Only one <nat> element is allowed in <forward> of network ${networkName}`);
  if (natEls.length === 1) {
    const nat = parseNat(natEls[0]!, mode, networkName);
    if (nat) fwd.nat = nat;
  }

  const dev = xpathAttr(el, 'dev');
  if (dev !== undefined && (addrEls.length > 0 || pfEls.length > 0)) {
    // libvirt passes this text through "%s", so its own placeholder is printed as is.
    throw xmlError("the <forward> 'dev' attribute cannot be used when <address> or <pf> sub-elements are present in network %1$s");
  }

  if (dev !== undefined) checkDevName(dev, networkName, 'forward@dev');

  if (ifaceEls.length > 0 || dev !== undefined) {
    const pool: ForwardInterface[] = [];
    if (dev !== undefined) pool.push({ type: 'netdev', dev, connections: 0 });
    ifaceEls.forEach((iface, i) => {
      const devI = prop(iface, 'dev');
      if (devI === undefined) {
        throw xmlError(`Missing required dev attribute in <forward> <interface> element of network ${networkName}`);
      }
      if (i === 0 && dev !== undefined) {
        if (devI !== dev) throw xmlError(`<forward dev='${dev}'> must match first <interface dev='${devI}'/> in network ${networkName}`);
        return;
      }
      for (let j = 0; j < i; j++) {
        const other = pool[j];
        if (other?.type === 'netdev' && other.dev === devI) {
          throw xmlError(`interface '${devI}' can only be listed once in network ${networkName}`);
        }
      }
      checkDevName(devI, networkName, 'forward/interface@dev');
      pool.push({ type: 'netdev', dev: devI, connections: 0 });
    });
    fwd.interfaces = pool;
  } else if (addrEls.length > 0) {
    const pool: ForwardInterface[] = [];
    for (const a of addrEls) {
      const typeText = prop(a, 'type');
      if (typeText === undefined) throw xmlError(`missing address type in network ${networkName}`);
      if (!ADDRESS_TYPES.includes(typeText as (typeof ADDRESS_TYPES)[number])) {
        throw configUnsupported(`unknown address type '${typeText}' in network ${networkName}`);
      }
      if (typeText !== 'pci') throw xmlError(`unsupported address type '${typeText}' in network ${networkName}`);
      const address = parsePciAddress(a);
      for (const other of pool) {
        const o = other.type === 'pci' ? other.address : undefined;
        if (o && o.domain === address.domain && o.bus === address.bus && o.slot === address.slot && o.function === address.function) {
          throw xmlError(
            `PCI device '${hex(address.domain, 4)}:${hex(address.bus, 2)}:${hex(address.slot, 2)}.${address.function.toString(16)}' can only be listed once in network ${networkName}`,
          );
        }
      }
      pool.push({ type: 'pci', address, connections: 0 });
    }
    fwd.interfaces = pool;
  } else if (pfEls.length > 1) {
    throw xmlError(`Only one <pf> element is allowed in <forward> of network ${networkName}`);
  } else if (pfEls.length === 1) {
    const pfDev = prop(pfEls[0]!, 'dev');
    if (pfDev === undefined) throw xmlError(`Missing required dev attribute in <pf> element of network '${networkName}'`);
    checkDevName(pfDev, networkName, 'forward/pf@dev');
    fwd.pf = pfDev;
  }
  return fwd;
}
