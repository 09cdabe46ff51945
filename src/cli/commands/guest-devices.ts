/**
 * The client-side halves of attach-interface and detach-interface, kept
 * off the CLI's start-up path: the rules themselves (virsh's device
 * element, virsh's detach pick, virsh's own messages) are
 * src/conf/guest/virsh-interface.ts, shared with the driver side and free
 * of any XML library, so a bundled CLI does not load libxml2 at start.
 * Here, under the names the CLI commands use:
 *
 * - `attachInterfaceXml` builds virsh's device element
 *   (formatAttachInterfaceXml);
 * - `domainInterfaces` reads a guest's XML with libxml2, imported when it
 *   is called, the way virsh reads it (blanks kept): each
 *   /domain/devices/interface with its type, first MAC and its xmlNodeDump
 *   (double quotes, the document's indentation, no final newline) — the
 *   text virsh prints for --print-xml and hands to the driver;
 * - `pickDetachInterface` is virsh's choice among them, with its four
 *   messages;
 * - `VirshMessage` is the error of a message virsh prints itself, e.g.
 *   "No support for foo in command 'attach-interface'" (VirshError).
 */
import { VirError } from '../../util/errors.js';
import { formatAttachInterfaceXml, VirshError, type AttachInterfaceOptions } from '../../conf/guest/virsh-interface.js';

export { pickDetachInterface } from '../../conf/guest/virsh-interface.js';

/** A message virsh prints itself (no library error class). */
export const VirshMessage = VirshError;

/** What attach-interface takes from its command line. */
type AttachOptions = AttachInterfaceOptions;

/**
 * virsh's element, ending with a newline: `<interface type='T'>`, source,
 * target, mac, model, alias. Throws VirshMessage for a type virsh does not
 * know, and libvirt's "Unsupported net type" for the ones virtnet does not
 * connect (direct, hostdev, vhostuser).
 */
export const attachInterfaceXml: (o: AttachOptions) => string = formatAttachInterfaceXml;

/** One <interface> of a guest's XML as detach-interface sees it. */
interface DomainInterface {
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
        const macEl = el
          .find('*')
          .find((c): c is InstanceType<typeof XmlElement> => c instanceof XmlElement && c.name === 'mac' && c.namespaceUri === '');
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
