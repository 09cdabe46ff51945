/**
 * The guest (domain) definition: a typed subset of libvirt's domain XML that
 * still holds the whole document.
 *
 * ## Representation
 *
 * A guest is read from a libvirt-style `<domain>` document. The parts virtnet
 * acts on are typed fields of `GuestDef`: the domain `type` (netns|tap), the
 * live `id`, `name`, `uuid`, `title`, and every `<devices><interface>` as a
 * `GuestInterface`. Everything else stays in `GuestDef.document`, the element
 * tree of the document as libxml2 read it (blank text dropped, as libvirt
 * reads it), with three substitutions:
 *
 * - the `<name>`, `<uuid>` and `<title>` elements are taken out: the typed
 *   fields replace them;
 * - the `<interface>` elements are taken out of `<devices>`, and a single
 *   `{ kind: 'interfaces' }` marker stands where the first of them was. The
 *   formatter writes `GuestDef.interfaces`, in order, at the marker (libvirt
 *   too writes all of a domain's interfaces as one group). Without a marker
 *   (a guest defined without interfaces) it puts them where libvirt's device
 *   order puts them, creating `<devices>` if needed;
 * - the first `<metadata>` becomes `{ kind: 'metadata' }` holding libvirt's
 *   libxml2 copy of it (see src/conf/common/parse-metadata.ts), so it is
 *   written back exactly as libvirt writes it.
 *
 * Inside an interface the same split applies: `mac`, `source`, `target`,
 * `model` and `alias` are typed; every other child element (`<address>`,
 * `<driver>`, `<boot>`, `<link>`, `<bandwidth>`, `<vlan>`, elements of other
 * namespaces...) is kept in `GuestInterface.extra`, in document order.
 *
 * ## Writing it back
 *
 * The typed parts are written the way libvirt's virDomainDefFormat and
 * virDomainNetDefFormat write them, and merged with the kept elements by
 * libvirt's element order: a typed element is written before the first kept
 * sibling that libvirt writes after it (unknown names count as "after
 * everything"), so kept elements never change their relative order.
 * Interface children follow virDomainNetDefFormat: `<mac>` first, then
 * `<source>`, vlan, virtualport, bandwidth, ..., `<target>`, `<model>`,
 * driver, ..., boot, `<alias>`, rom, address.
 *
 * "Untouched" means: the kept tree is re-serialized in libvirt's layout —
 * two spaces of indentation per level, one element per line, attributes in
 * document order with single quotes, `<x/>` for empty elements, text and
 * attribute values escaped as libvirt's virBufferEscapeString does,
 * namespace prefixes and declarations kept, and `<metadata>` as libxml2
 * dumps it. Comments, processing instructions and text directly inside
 * <domain> or <devices> are dropped (libvirt drops them too). Consequently a document as libvirt writes it (`virsh dumpxml`)
 * comes out byte for byte identical; any other layout comes out in this
 * canonical form, which is a fixed point.
 *
 * Parsed values are canonical: MAC addresses in lower case, the uuid in
 * libvirt's text form, known NIC model names in libvirt's spelling.
 */
import type { XmlAttributeNode } from '../../xml/reader.js';
import type { MetadataDef } from '../common/types.js';

/** The guest backends: a network namespace with veth vNICs, or persistent taps for a hypervisor. */
export const GUEST_TYPES = ['netns', 'tap'] as const;
export type GuestType = (typeof GUEST_TYPES)[number];

/** The interface types virtnet connects. */
export const INTERFACE_TYPES = ['network', 'bridge'] as const;
export type InterfaceType = (typeof INTERFACE_TYPES)[number];

/** A kept element: libxml2's view of it, plus the namespace declarations it carries. */
export interface PreservedElement {
  kind: 'element';
  /** Local name. */
  name: string;
  /** Namespace prefix, '' if none. */
  prefix: string;
  /** Namespace URI, '' if none. */
  namespaceUri: string;
  /** Attributes in document order (namespace declarations excluded). */
  attrs: XmlAttributeNode[];
  /** `xmlns[:prefix]` declarations on this element, in document order ('' is the default namespace). */
  nsDecls: Array<[prefix: string, uri: string]>;
  children: PreservedNode[];
}

interface PreservedText {
  kind: 'text';
  text: string;
}

/** The domain's <metadata>, as libvirt's libxml2 copy of it. */
interface PreservedMetadata {
  kind: 'metadata';
  metadata: MetadataDef;
}

/** Where the guest's interfaces are written inside <devices>. */
interface InterfacesMarker {
  kind: 'interfaces';
}

export type PreservedNode = PreservedElement | PreservedText | PreservedMetadata | InterfacesMarker;

/** One vNIC: `<interface type='network'|'bridge'>`. */
export interface GuestInterface {
  type: InterfaceType;
  /** trustGuestRxFilters='yes|no' on <interface>. */
  trustGuestRxFilters?: boolean;
  /** <mac address>, lower case. Undefined until allocated (see mac.ts). */
  mac?: string;
  /** <mac type='generated|static'>. */
  macType?: 'generated' | 'static';
  /** <mac check='yes|no'>. */
  macCheck?: boolean;
  /** The network name (type network) or the bridge name (type bridge). */
  source: string;
  /** <source portgroup> (type network). */
  portgroup?: string;
  /** <source portid> (type network), live only. */
  portid?: string;
  /**
   * The bridge a type='network' interface is plugged into while the guest
   * runs, written as <source network=... bridge=...> in live XML the way
   * libvirt reports it; never written in inactive XML.
   */
  actualBridge?: string;
  /** <target dev>: the host-side device name. */
  target?: string;
  /** <target managed='yes|no'>. */
  targetManaged?: boolean;
  /** <model type>, in libvirt's spelling for the models it knows. */
  model?: string;
  /** <alias name>. */
  alias?: string;
  /** Every other child element of <interface>, in document order. */
  extra: PreservedElement[];
}

/** The rest of the <domain> document (see the module comment). */
interface GuestDocument {
  /** Attributes of <domain> other than type and id. */
  attrs: XmlAttributeNode[];
  /** Namespace declarations on <domain>. */
  nsDecls: Array<[prefix: string, uri: string]>;
  /** Children of <domain> without name, uuid and title. */
  children: PreservedNode[];
}

export interface GuestDef {
  type: GuestType;
  /** The running guest's id (live XML only). */
  id?: number;
  name: string;
  /** Canonical lower-case text. */
  uuid: string;
  /** False when the parser generated the uuid. */
  uuidSpecified: boolean;
  title?: string;
  interfaces: GuestInterface[];
  document: GuestDocument;
}

export interface GuestParseOptions {
  /**
   * libvirt's VIR_DOMAIN_DEF_PARSE_INACTIVE, used for every definition a user
   * hands in (define, attach-device): the live id, `portid` and the actual
   * bridge are ignored, auto-generated target names (vnet*, macvtap*,
   * macvlan*) are blanked, and aliases are kept only when user-defined
   * (`ua-` prefix). Off (the default) reads live XML such as a status file.
   */
  inactive?: boolean;
  /** The uuid for a definition without one (default: a random one). */
  uuid?: () => string;
}

export interface GuestFormatOptions {
  /**
   * Inactive (persistent) XML: leave out the live id, `portid`, the actual
   * bridge, auto-generated target names and aliases that are not
   * user-defined. Formatting inactive and parsing inactive agree:
   * parse(format(def, inactive), inactive) formats back identically.
   */
  inactive?: boolean;
}
