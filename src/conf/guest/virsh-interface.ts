/**
 * virsh's own halves of attach-interface and detach-interface, as pure text
 * and list rules: the device element attach-interface builds, and the
 * interface detach-interface picks, with virsh's messages.
 *
 * One module serves both the driver side (src/conf/guest/devices.ts) and
 * the CLI (src/cli/commands/guest-devices.ts). It must stay reader-free:
 * nothing in its import graph may load src/xml/reader.ts or libxml2-wasm,
 * because the bundled CLI imports it on its start-up path
 * (test/e2e/cli-daemon.test.ts checks the bundle).
 */
import { VirError } from '../../util/errors.js';
import { escapeXmlAttr } from '../../xml/escape.js';
import { macTextsEqual } from './mac.js';
import { unsupportedNetType } from './parse-interface.js';
import { INTERFACE_TYPES } from './types.js';

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

/** The interface types virsh's attach-interface knows. */
const VIRSH_ATTACH_TYPES = ['network', 'bridge', 'direct', 'hostdev', 'vhostuser'];

/** ` name='value'`, escaped as libvirt escapes attribute values; nothing for no value. */
const attr = (name: string, value: string | undefined): string => (value === undefined ? '' : ` ${name}='${escapeXmlAttr(value)}'`);

/**
 * virsh's device element for attach-interface, ending with a newline (virsh
 * prints it as is for --print-xml): `<interface type='T'>`, then source,
 * target, mac, model, alias, in virsh's order. Types outside virsh's list
 * give virsh's "No support" error; the ones virsh knows but virtnet does not
 * connect (direct, hostdev, vhostuser) give libvirt's "Unsupported net
 * type". Values are escaped (virsh pastes them raw, so a quote in a name
 * makes XML libvirt cannot read; for every other value the two agree).
 */
export function formatAttachInterfaceXml(options: AttachInterfaceOptions): string {
  const { type } = options;
  if (!VIRSH_ATTACH_TYPES.includes(type)) throw new VirshError(`No support for ${type} in command 'attach-interface'`);
  if (!(INTERFACE_TYPES as readonly string[]).includes(type)) throw unsupportedNetType(type);
  let out = `<interface type='${type}'>\n`;
  out += `  <source${attr(type, options.source)}/>\n`;
  if (options.target !== undefined) out += `  <target${attr('dev', options.target)}/>\n`;
  if (options.mac !== undefined) out += `  <mac${attr('address', options.mac)}/>\n`;
  if (options.model !== undefined) out += `  <model${attr('type', options.model)}/>\n`;
  if (options.alias !== undefined) out += `  <alias${attr('name', options.alias)}/>\n`;
  return `${out}</interface>\n`;
}

/**
 * virsh's choice for `detach-interface DOMAIN TYPE [--mac MAC]` among a
 * guest's interfaces (in document order): the index of the one of that
 * type, narrowed by MAC (compared as virsh compares them). Throws
 * VirshError with virsh's messages:
 * - no interface of the type: `No interface found whose type is T`;
 * - several and no --mac: `Domain has N interfaces. Please specify which one to detach using --mac`;
 * - --mac matching none: `No interface with MAC address M was found`;
 * - --mac matching several: `Domain has multiple interfaces matching MAC address M. You must use detach-device and specify the device pci address to remove it.`
 */
export function pickDetachInterface(ifaces: ReadonlyArray<{ type: string; mac?: string | undefined }>, type: string, mac?: string): number {
  const ofType = ifaces.flatMap((iface, index) => (iface.type === type ? [index] : []));
  if (ofType.length === 0) throw new VirshError(`No interface found whose type is ${type}`);
  if (mac === undefined) {
    if (ofType.length > 1) throw new VirshError(`Domain has ${ofType.length} interfaces. Please specify which one to detach using --mac`);
    return ofType[0]!;
  }
  const matches = ofType.filter((index) => {
    const m = ifaces[index]!.mac;
    return m !== undefined && macTextsEqual(m, mac);
  });
  if (matches.length === 0) throw new VirshError(`No interface with MAC address ${mac} was found`);
  if (matches.length > 1) {
    throw new VirshError(
      `Domain has multiple interfaces matching MAC address ${mac}. You must use detach-device and specify the device pci address to remove it.`,
    );
  }
  return matches[0]!;
}
