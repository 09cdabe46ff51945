/**
 * The client-side halves of attach-interface and detach-interface, kept
 * off the CLI's start-up path: src/conf/guest/devices.ts holds the same
 * rules (formatAttachInterfaceXml, matchDetachInterface) but reaches
 * libxml2 through the guest XML reader, and a bundled CLI would then load
 * libxml2 at start. Here:
 *
 * - `attachInterfaceXml` builds virsh's device element with no XML library
 *   at all (a test proves it equal to formatAttachInterfaceXml);
 * - `domainInterfaces` reads a guest's XML with libxml2, imported when it
 *   is called, the way virsh reads it (blanks kept): each
 *   /domain/devices/interface with its type, first MAC and its xmlNodeDump
 *   (double quotes, the document's indentation, no final newline) — the
 *   text virsh prints for --print-xml and hands to the driver;
 * - `pickDetachInterface` is virsh's choice among them, with its four
 *   messages (a test proves it equal to matchDetachInterface).
 */
import { unsupportedNetType } from '../../conf/guest/parse-interface.js';
import { macTextsEqual } from '../../conf/guest/mac.js';
import { INTERFACE_TYPES } from '../../conf/guest/types.js';
import { VirError } from '../../util/errors.js';
import { escapeXml } from '../../xml/escape.js';

/** A message virsh prints itself (no library error class), e.g. "No support for foo in command 'attach-interface'". */
export class VirshMessage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirshMessage';
  }
}

/** What attach-interface takes from its command line. */
export interface AttachOptions {
  type: string;
  source: string;
  target?: string;
  mac?: string;
  model?: string;
  alias?: string;
}

/** The interface types virsh's attach-interface knows. */
const VIRSH_ATTACH_TYPES = ['network', 'bridge', 'direct', 'hostdev', 'vhostuser'];

const attr = (name: string, value: string | undefined): string => (value === undefined ? '' : ` ${name}='${escapeXml(value)}'`);

/**
 * virsh's element, ending with a newline: `<interface type='T'>`, source,
 * target, mac, model, alias. Throws VirshMessage for a type virsh does not
 * know, and libvirt's "Unsupported net type" for the ones virtnet does not
 * connect (direct, hostdev, vhostuser).
 */
export function attachInterfaceXml(o: AttachOptions): string {
  if (!VIRSH_ATTACH_TYPES.includes(o.type)) throw new VirshMessage(`No support for ${o.type} in command 'attach-interface'`);
  if (!(INTERFACE_TYPES as readonly string[]).includes(o.type)) throw unsupportedNetType(o.type);
  let out = `<interface type='${o.type}'>\n`;
  out += `  <source${attr(o.type, o.source)}/>\n`;
  if (o.target !== undefined) out += `  <target${attr('dev', o.target)}/>\n`;
  if (o.mac !== undefined) out += `  <mac${attr('address', o.mac)}/>\n`;
  if (o.model !== undefined) out += `  <model${attr('type', o.model)}/>\n`;
  if (o.alias !== undefined) out += `  <alias${attr('name', o.alias)}/>\n`;
  return `${out}</interface>\n`;
}

/** One <interface> of a guest's XML as detach-interface sees it. */
export interface DomainInterface {
  /** Its type attribute ('' when absent). */
  type: string;
  /** The address of its first <mac>, as written. */
  mac?: string;
  /** libxml2's xmlNodeDump of the element. */
  dump: string;
}

/** The guest's interfaces, in document order (libxml2 loaded now). */
export async function domainInterfaces(xml: string): Promise<DomainInterface[]> {
  const { ParseOption, XmlDocument, XmlElement } = await import('libxml2-wasm');
  let doc: InstanceType<typeof XmlDocument>;
  try {
    doc = XmlDocument.fromString(xml, { option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NOWARNING, url: '(domain_definition)' });
  } catch (err) {
    throw new VirError('INTERNAL_ERROR', `cannot read the domain XML: ${err instanceof Error ? err.message.trim() : String(err)}`);
  }
  try {
    const out: DomainInterface[] = [];
    if (doc.root.name !== 'domain') return out;
    const plain = (el: InstanceType<typeof XmlElement>, name: string): string | undefined =>
      el.attrs.find((a) => a.name === name && a.prefix === '')?.value;
    for (const devices of doc.root.find('*')) {
      if (!(devices instanceof XmlElement) || devices.name !== 'devices' || devices.namespaceUri !== '') continue;
      for (const el of devices.find('*')) {
        if (!(el instanceof XmlElement) || el.name !== 'interface' || el.namespaceUri !== '') continue;
        const macEl = el.find('*').find((c): c is InstanceType<typeof XmlElement> => c instanceof XmlElement && c.name === 'mac' && c.namespaceUri === '');
        const entry: DomainInterface = { type: plain(el, 'type') ?? '', dump: el.toString({ format: true, noDeclaration: true }) };
        const mac = macEl ? plain(macEl, 'address') : undefined;
        if (mac !== undefined) entry.mac = mac;
        out.push(entry);
      }
    }
    return out;
  } finally {
    doc.dispose();
  }
}

/**
 * virsh's pick for `detach-interface DOMAIN TYPE [--mac MAC]`: the index in
 * `ifaces`, or throws VirshMessage with virsh's text.
 */
export function pickDetachInterface(ifaces: ReadonlyArray<{ type: string; mac?: string }>, type: string, mac?: string): number {
  const ofType = ifaces.flatMap((i, n) => (i.type === type ? [n] : []));
  if (ofType.length === 0) throw new VirshMessage(`No interface found whose type is ${type}`);
  if (mac === undefined) {
    if (ofType.length > 1) throw new VirshMessage(`Domain has ${ofType.length} interfaces. Please specify which one to detach using --mac`);
    return ofType[0]!;
  }
  const matches = ofType.filter((n) => {
    const m = ifaces[n]!.mac;
    return m !== undefined && macTextsEqual(m, mac);
  });
  if (matches.length === 0) throw new VirshMessage(`No interface with MAC address ${mac} was found`);
  if (matches.length > 1) {
    throw new VirshMessage(
      `Domain has multiple interfaces matching MAC address ${mac}. You must use detach-device and specify the device pci address to remove it.`,
    );
  }
  return matches[0]!;
}
