/**
 * The pure building blocks of attach-interface and detach-interface.
 *
 * attach-interface, as virsh and libvirt do it:
 * 1. `formatAttachInterfaceXml` builds virsh's device element
 *    (`<interface type='T'>`, then source, target, mac, model, alias, in
 *    virsh's order; what `--print-xml` prints); it lives, with virsh's
 *    detach-interface pick and `VirshError`, in virsh-interface.ts, which
 *    the CLI shares without loading the XML reader, and is re-exported here;
 * 2. `parseInterfaceXml` reads it as libvirt reads device XML for an attach
 *    (PARSE_INACTIVE: a generated target name and a non-`ua-` alias are
 *    dropped);
 * 3. the driver gives it a MAC if it has none (mac.ts), then `addInterface`
 *    appends it to the live and/or persistent definition.
 *
 * detach-interface: `matchDetachInterface` picks the interface the way virsh
 * does over the domain XML (by type, then by --mac), with virsh's four
 * messages (virsh-interface.ts); `removeInterface` takes it out.
 *
 * All functions return new definitions and leave their arguments alone.
 */
import { VirError } from '../../util/errors.js';
import { xmlError } from '../common/parse-helpers.js';
import { parseInterfaceElement } from './parse-interface.js';
import { readGuestTree } from './preserved.js';
import type { GuestDef, GuestInterface, GuestParseOptions } from './types.js';
import { checkAliasesUnique, deviceAliases } from './validate.js';
import { pickDetachInterface } from './virsh-interface.js';

export { VirshError, formatAttachInterfaceXml, type AttachInterfaceOptions } from './virsh-interface.js';

/** libvirt's label for device XML in parse errors. */
const DEVICE_LABEL = '(device_definition)';

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
interface DetachMatch {
  index: number;
  iface: GuestInterface;
}

/**
 * virsh's choice for `detach-interface DOMAIN TYPE [--mac MAC]` over a
 * definition's interfaces, with virsh's four messages (pickDetachInterface
 * in virsh-interface.ts).
 */
export function matchDetachInterface(def: GuestDef, type: string, mac?: string): DetachMatch {
  const index = pickDetachInterface(def.interfaces, type, mac);
  return { index, iface: def.interfaces[index]! };
}
