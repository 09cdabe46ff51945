/**
 * Reading guest XML into a GuestDef (libvirt's virDomainDefParse for the
 * guest subset; the representation is described in types.ts).
 *
 * The checks, texts and classes are libvirt 9.0's, in its order (checked
 * against `virsh define` of the libvirt 9.0 beside us, whose test driver
 * shares the domain parser):
 *
 *   well-formed XML (label "(domain_definition)") → root element → name →
 *   uuid → domain type → title → each interface (parse-interface.ts) →
 *   the post-parse checks (validate.ts).
 *
 * Domain types are virtnet's own: 'netns' and 'tap'; anything else is
 * libvirt's "invalid domain type".
 */
import { randomUUID } from 'node:crypto';
import type { XmlElementNode } from '../../xml/reader.js';
import { parseUuid } from '../common/mac-uuid.js';
import { configUnsupported, internalError, xmlDetail, xmlError, xpathAttr, xpathChildren, xpathText } from '../common/parse-helpers.js';
import { parseInterfaceElement } from './parse-interface.js';
import { readGuestTree, type GuestTree } from './preserved.js';
import { GUEST_TYPES, type GuestDef, type GuestInterface, type GuestParseOptions, type GuestType, type PreservedNode } from './types.js';
import { validateGuestDef } from './validate.js';

/** libvirt's label for domain XML in parse errors. */
const DOMAIN_LABEL = '(domain_definition)';

/** The root children the typed fields replace. */
const TYPED_ROOT_CHILDREN = new Set(['name', 'uuid', 'title']);

/**
 * Parse guest XML. Throws VirError with libvirt's class and text. Pass
 * `{ inactive: true }` for definitions users hand in (define), as libvirt
 * does; the default reads live XML (status files) without dropping anything.
 */
export function parseGuestXml(xml: string, options: GuestParseOptions = {}): GuestDef {
  const tree = readGuestTree(xml, DOMAIN_LABEL);
  if (tree.root.name !== 'domain') throw xmlError(`expecting root element of 'domain', not '${tree.root.name}'`);
  return parseGuestElement(tree, tree.root, options);
}

/** "string(./@id)" read as libvirt 9.0 does: anything but a non-negative integer means none. */
function parseId(root: XmlElementNode): number | undefined {
  const text = xpathAttr(root, 'id');
  if (text === undefined || !/^\s*[+-]?\d+$/.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** Parse the <domain> element of a tree read by readGuestTree. */
export function parseGuestElement(tree: GuestTree, root: XmlElementNode, options: GuestParseOptions = {}): GuestDef {
  const inactive = options.inactive === true;
  const id = inactive ? undefined : parseId(root);

  const name = xpathText(root, 'name');
  if (name === undefined) throw xmlDetail('missing name information');

  const uuidText = xpathText(root, 'uuid');
  let uuid: string;
  if (uuidText === undefined) uuid = (options.uuid ?? randomUUID)();
  else {
    const parsed = parseUuid(uuidText);
    if (parsed === undefined) throw internalError('malformed uuid element');
    uuid = parsed;
  }

  const type = xpathAttr(root, 'type');
  if (type === undefined) throw internalError('missing domain type attribute');
  if (!(GUEST_TYPES as readonly string[]).includes(type)) throw configUnsupported(`invalid domain type ${type}`);

  const title = xpathText(root, 'title');
  if (title?.includes('\n')) throw xmlError("Domain title can't contain newlines");

  const interfaces: GuestInterface[] = [];
  const interfaceNodes = new Set<XmlElementNode>();
  for (const devices of xpathChildren(root, 'devices')) {
    for (const el of xpathChildren(devices, 'interface')) {
      interfaces.push(parseInterfaceElement(el, options, tree.preserve));
      interfaceNodes.add(el);
    }
  }

  const def: GuestDef = {
    type: type as GuestType,
    name,
    uuid,
    uuidSpecified: uuidText !== undefined,
    interfaces,
    document: { attrs: [], nsDecls: [], children: [] },
  };
  if (id !== undefined) def.id = id;
  if (title !== undefined) def.title = title;

  const preservedRoot = tree.preserve(root);
  def.document.attrs = preservedRoot.attrs.filter((a) => !(a.prefix === '' && (a.name === 'type' || a.name === 'id')));
  def.document.nsDecls = preservedRoot.nsDecls;
  def.document.children = keptRootChildren(tree, root, interfaceNodes);

  validateGuestDef(def);
  return def;
}

/** The domain's children without the typed ones, with the interface marker and the metadata copy in place. */
function keptRootChildren(tree: GuestTree, root: XmlElementNode, interfaceNodes: Set<XmlElementNode>): PreservedNode[] {
  const out: PreservedNode[] = [];
  let markerPlaced = false;
  let metadataSeen = false;
  for (const c of root.children) {
    if (c.kind === 'text') continue; // text directly in <domain> carries nothing libvirt keeps
    if (c.namespaceUri === '' && TYPED_ROOT_CHILDREN.has(c.name)) continue;
    if (c.namespaceUri === '' && c.name === 'metadata') {
      // libvirt keeps the first <metadata> only, as its libxml2 copy.
      if (!metadataSeen && tree.metadata?.node === c) out.push({ kind: 'metadata', metadata: tree.metadata.def });
      metadataSeen = true;
      continue;
    }
    const kept = tree.preserve(c);
    if (c.namespaceUri === '' && c.name === 'devices') {
      const children: PreservedNode[] = [];
      c.children.forEach((d, i) => {
        // Text in <devices> carries nothing (libvirt reads none; its own empty <devices> holds a line break).
        if (d.kind === 'text') return;
        if (interfaceNodes.has(d)) {
          if (!markerPlaced) children.push({ kind: 'interfaces' });
          markerPlaced = true;
        } else children.push(kept.children[i]!);
      });
      kept.children = children;
    }
    out.push(kept);
  }
  return out;
}
