/**
 * The pure building blocks of attach-interface and detach-interface.
 *
 * attach-interface, as virsh and libvirt do it:
 * 1. `formatAttachInterfaceXml` builds virsh's device element
 *    (`<interface type='T'>`, then source, target, mac, model, alias, in
 *    virsh's order; what `--print-xml` prints);
 * 2. `parseInterfaceXml` reads it as libvirt reads device XML for an attach
 *    (PARSE_INACTIVE: a generated target name and a non-`ua-` alias are
 *    dropped);
 * 3. the driver gives it a MAC if it has none (mac.ts), then `addInterface`
 *    appends it to the live and/or persistent definition.
 *
 * detach-interface: `matchDetachInterface` picks the interface the way virsh
 * does over the domain XML (by type, then by --mac), with virsh's four
 * messages; `removeInterface` takes it out.
 *
 * All functions return new definitions and leave their arguments alone.
 */
import { VirError } from '../../util/errors.js';
import { xmlError } from '../network/parse-common.js';
import { macTextsEqual } from './mac.js';
import { parseInterfaceElement, unsupportedNetType } from './parse-interface.js';
import { attrText, readGuestTree } from './preserved.js';
import { INTERFACE_TYPES, type GuestDef, type GuestInterface, type GuestParseOptions } from './types.js';
import { checkAliasesUnique, deviceAliases } from './validate.js';

/** libvirt's label for device XML in parse errors. */
export const DEVICE_LABEL = '(device_definition)';

/**
 * An error virsh reports itself, before its "Failed to attach/detach
 * interface" line: virsh's own text, with no library error class and no
 * prefix (hence the class XML_DETAIL, whose prefix is empty).
 */
export class VirshError extends VirError {
  readonly virsh = true;

  constructor(text: string) {
    super('XML_DETAIL', text);
    this.name = 'VirshError';
  }
}

/** What attach-interface takes from its command line. */
export interface AttachInterfaceOptions {
  /** The interface type, as typed (virsh's TYPE argument). */
  type: string;
  /** Network or bridge name (SOURCE). */
  source: string;
  target?: string;
  mac?: string;
  model?: string;
  alias?: string;
}

/**
 * virsh's device element for attach-interface, ending with a newline (virsh
 * prints it as is for --print-xml). Types outside virsh's list give virsh's
 * "No support" error; the ones virsh knows but virtnet does not connect
 * (direct, hostdev, vhostuser) give libvirt's "Unsupported net type".
 * Values are escaped (virsh pastes them raw, so a quote in a name makes XML
 * libvirt cannot read; for every other value the two agree).
 */
export function formatAttachInterfaceXml(options: AttachInterfaceOptions): string {
  const { type } = options;
  if (!['network', 'bridge', 'direct', 'hostdev', 'vhostuser'].includes(type)) {
    throw new VirshError(`No support for ${type} in command 'attach-interface'`);
  }
  if (!(INTERFACE_TYPES as readonly string[]).includes(type)) throw unsupportedNetType(type);
  let out = `<interface type='${type}'>\n`;
  out += `  <source${attrText(type, options.source)}/>\n`;
  if (options.target !== undefined) out += `  <target${attrText('dev', options.target)}/>\n`;
  if (options.mac !== undefined) out += `  <mac${attrText('address', options.mac)}/>\n`;
  if (options.model !== undefined) out += `  <model${attrText('type', options.model)}/>\n`;
  if (options.alias !== undefined) out += `  <alias${attrText('name', options.alias)}/>\n`;
  return out + '</interface>\n';
}

/**
 * Read a device element that must be an <interface> (attach-device,
 * attach-interface). Pass `{ inactive: true }` for what users hand in, as
 * libvirt does for both live and config attach.
 */
export function parseInterfaceXml(xml: string, options: GuestParseOptions = {}): GuestInterface {
  const tree = readGuestTree(xml, DEVICE_LABEL);
  if (tree.root.name !== 'interface') throw xmlError(`unknown device type '${tree.root.name}'`);
  return parseInterfaceElement(tree.root, options, tree.preserve);
}

/**
 * The guest with `iface` appended (libvirt appends attached interfaces).
 * Its alias must not be in use: libvirt's "non unique alias detected".
 */
export function addInterface(def: GuestDef, iface: GuestInterface): GuestDef {
  const next: GuestDef = { ...def, interfaces: [...def.interfaces, iface] };
  checkAliasesUnique(deviceAliases(next));
  return next;
}

/** The guest without its interface at `index`. */
export function removeInterface(def: GuestDef, index: number): GuestDef {
  if (!Number.isInteger(index) || index < 0 || index >= def.interfaces.length) {
    throw new VirError('INTERNAL_ERROR', `no interface at index ${index}`);
  }
  return { ...def, interfaces: def.interfaces.filter((_, i) => i !== index) };
}

/** The interface detach-interface would remove. */
export interface DetachMatch {
  index: number;
  iface: GuestInterface;
}

/**
 * virsh's choice for `detach-interface DOMAIN TYPE [--mac MAC]`: the
 * interfaces of that type, narrowed by MAC (compared as virsh compares
 * them). Throws virsh's messages:
 * - no interface of the type: `No interface found whose type is T`;
 * - several and no --mac: `Domain has N interfaces. Please specify which one to detach using --mac`;
 * - --mac matching none: `No interface with MAC address M was found`;
 * - --mac matching several: `Domain has multiple interfaces matching MAC address M. You must use detach-device and specify the device pci address to remove it.`
 */
export function matchDetachInterface(def: GuestDef, type: string, mac?: string): DetachMatch {
  const ofType: DetachMatch[] = [];
  def.interfaces.forEach((iface, index) => {
    if (iface.type === type) ofType.push({ index, iface });
  });
  if (ofType.length === 0) throw new VirshError(`No interface found whose type is ${type}`);
  if (mac === undefined) {
    if (ofType.length > 1) {
      throw new VirshError(`Domain has ${ofType.length} interfaces. Please specify which one to detach using --mac`);
    }
    return ofType[0]!;
  }
  const matches = ofType.filter((m) => m.iface.mac !== undefined && macTextsEqual(m.iface.mac, mac));
  if (matches.length === 0) throw new VirshError(`No interface with MAC address ${mac} was found`);
  if (matches.length > 1) {
    throw new VirshError(
      `Domain has multiple interfaces matching MAC address ${mac}. You must use detach-device and specify the device pci address to remove it.`,
    );
  }
  return matches[0]!;
}
