/**
 * The kept part of a guest document: reading it (libxml2 through
 * src/xml/reader.ts, with each element's namespace declarations and the
 * <metadata> copy libvirt makes) and writing it back in libvirt's layout.
 *
 * The layout (what "untouched" means, see types.ts):
 * - two spaces per level, one element per line;
 * - attributes in document order, single-quoted, escaped like libvirt's
 *   virBufferEscapeString (src/xml/escape.ts); namespace declarations after
 *   the attributes on <domain> (where libvirt writes them), before them
 *   elsewhere (where libxml2 writes them);
 * - `<x/>` for an empty element, `<x>text</x>` for text only (multi-line
 *   text keeps its own line starts, as libvirt prints it);
 * - an element holding both text and elements is written inline, without
 *   added white space, as libxml2's formatter does for mixed content;
 * - the root's <devices> always as a start and an end tag, as libvirt
 *   writes it even when empty.
 */
import type { XmlElement } from 'libxml2-wasm';
import { readXml, type XmlChildNode, type XmlElementNode } from '../../xml/reader.js';
import { escapeXmlAttr, escapeXmlText } from '../../xml/escape.js';
import { metadataCapture } from '../common/parse-metadata.js';
import { formatMetadataBlock } from '../common/format-metadata.js';
import type { MetadataDef } from '../common/types.js';
import type { PreservedElement, PreservedNode } from './types.js';

/** A document read for the guest parser. */
export interface GuestTree {
  /** The root element. */
  root: XmlElementNode;
  /** The <domain> element (the root, or the root's <domain> child for a status document). */
  domain: XmlElementNode | undefined;
  /** The first <metadata> child of the domain element and libvirt's copy of it. */
  metadata?: { node: XmlElementNode; def: MetadataDef };
  /** Convert an element of this tree (and its subtree) into a kept element. */
  preserve(el: XmlElementNode): PreservedElement;
}

/**
 * Read a document. `domainDepth` is the depth of the <domain> element: 0 for
 * domain XML, 1 for a status file (<domstatus><domain>). Malformed XML gives
 * libxml2's text under `label`, as libvirt reports it.
 */
export function readGuestTree(xml: string, label: string, domainDepth = 0): GuestTree {
  const capture = metadataCapture(xml);
  const nsDecls: Array<Array<[string, string]>> = [];
  const root = readXml(xml, {
    label,
    noBlanks: true,
    dump: (el, depth) => {
      nsDecls.push(Object.entries(el.nsDeclarations));
      if (depth <= domainDepth) return false;
      // Only the descendants of the <domain> element take part in the <metadata> copy.
      let top: XmlElement | null = el;
      for (let d = depth; d > domainDepth && top; d--) top = top.parent;
      if (top?.name !== 'domain') return false;
      return capture.dump(el, depth - domainDepth);
    },
  });

  // The hook ran once per element in document order, as the converted tree is laid out.
  const declsOf = new Map<XmlElementNode, Array<[string, string]>>();
  let next = 0;
  const walk = (el: XmlElementNode): void => {
    declsOf.set(el, nsDecls[next++] ?? []);
    for (const c of el.children) if (c.kind === 'element') walk(c);
  };
  walk(root);

  let domain: XmlElementNode | undefined = root;
  if (domainDepth === 1) domain = root.children.find((c): c is XmlElementNode => c.kind === 'element' && c.name === 'domain');

  const tree: GuestTree = {
    root,
    domain,
    preserve: (el) => preserveElement(el, declsOf),
  };
  if (domain) {
    const def = capture.finish(domain);
    const node = domain.children.find((c): c is XmlElementNode => c.kind === 'element' && c.name === 'metadata' && c.namespaceUri === '');
    if (def && node) tree.metadata = { node, def };
  }
  return tree;
}

function preserveChild(c: XmlChildNode, declsOf: Map<XmlElementNode, Array<[string, string]>>): PreservedNode {
  return c.kind === 'text' ? { kind: 'text', text: c.text } : preserveElement(c, declsOf);
}

function preserveElement(el: XmlElementNode, declsOf: Map<XmlElementNode, Array<[string, string]>>): PreservedElement {
  return {
    kind: 'element',
    name: el.name,
    prefix: el.prefix,
    namespaceUri: el.namespaceUri,
    attrs: el.attrs.map((a) => ({ ...a })),
    nsDecls: (declsOf.get(el) ?? []).map(([p, u]) => [p, u]),
    children: el.children.map((c) => preserveChild(c, declsOf)),
  };
}

/* ---- writing ---- */

export const pad = (level: number): string => '  '.repeat(level);

/** ` name='value'` with the value escaped; nothing for undefined. */
export function attrText(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : ` ${name}='${escapeXmlAttr(String(value))}'`;
}

export function qualifiedName(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}:${name}`;
}

export function nsDeclText(decls: ReadonlyArray<readonly [string, string]>): string {
  let s = '';
  for (const [prefix, uri] of decls) s += attrText(prefix === '' ? 'xmlns' : `xmlns:${prefix}`, uri);
  return s;
}

function startTagBody(el: PreservedElement): string {
  let s = qualifiedName(el.prefix, el.name) + nsDeclText(el.nsDecls);
  for (const a of el.attrs) s += attrText(qualifiedName(a.prefix, a.name), a.value);
  return s;
}

/** How the formatter renders the two substituted nodes. */
export interface RenderHooks {
  /** The guest's interfaces at the marker, each line indented to `level`. */
  interfaces(level: number): string;
}

/** The element inline, without added white space (mixed content). */
function inline(node: PreservedNode, hooks: RenderHooks): string {
  switch (node.kind) {
    case 'text':
      return escapeXmlText(node.text);
    case 'metadata':
      return formatMetadataBlock(node.metadata.elements, 0, node.metadata.openTag).replace(/\n$/, '');
    case 'interfaces':
      return hooks.interfaces(0).replace(/\n$/, '');
    case 'element': {
      const tag = startTagBody(node);
      if (node.children.length === 0) return `<${tag}/>`;
      return `<${tag}>${node.children.map((c) => inline(c, hooks)).join('')}</${qualifiedName(node.prefix, node.name)}>`;
    }
  }
}

/**
 * One kept node at `level`, ending with a newline. `depth` is its depth
 * below <domain> (1 for the domain's children), for the <devices> rule.
 */
export function renderNode(node: PreservedNode, level: number, hooks: RenderHooks, depth = 1): string {
  switch (node.kind) {
    case 'text':
      // Text directly between elements (only in mixed content, which is written inline).
      return `${pad(level)}${escapeXmlText(node.text)}\n`;
    case 'metadata':
      return formatMetadataBlock(node.metadata.elements, level, node.metadata.openTag);
    case 'interfaces':
      return hooks.interfaces(level);
    case 'element':
      return renderElement(node, level, hooks, depth);
  }
}

function renderElement(el: PreservedElement, level: number, hooks: RenderHooks, depth: number): string {
  const tag = startTagBody(el);
  const endTag = `</${qualifiedName(el.prefix, el.name)}>`;
  const isDevices = depth === 1 && el.name === 'devices' && el.namespaceUri === '';
  const hasText = el.children.some((c) => c.kind === 'text');
  const hasBlocks = el.children.some((c) => c.kind !== 'text');
  if (!hasBlocks) {
    const text = el.children.map((c) => (c.kind === 'text' ? c.text : '')).join('');
    if (text !== '') return `${pad(level)}<${tag}>${escapeXmlText(text)}${endTag}\n`;
    return isDevices ? `${pad(level)}<${tag}>\n${pad(level)}${endTag}\n` : `${pad(level)}<${tag}/>\n`;
  }
  if (hasText) return `${pad(level)}<${tag}>${el.children.map((c) => inline(c, hooks)).join('')}${endTag}\n`;
  let out = `${pad(level)}<${tag}>\n`;
  for (const c of el.children) out += renderNode(c, level + 1, hooks, depth + 1);
  return `${out}${pad(level)}${endTag}\n`;
}

/**
 * Merge typed elements into kept siblings by libvirt's order: each typed
 * element goes before the first kept sibling that libvirt writes after it,
 * and kept siblings keep their relative order. `rank` gives libvirt's
 * position of a kept node (Infinity when unknown, i.e. "after everything").
 */
export function mergeByRank<T>(
  typed: ReadonlyArray<{ rank: number; item: T }>,
  kept: readonly PreservedNode[],
  rank: (n: PreservedNode) => number,
): Array<{ typed: T } | { kept: PreservedNode }> {
  const pending = [...typed].sort((a, b) => a.rank - b.rank);
  const out: Array<{ typed: T } | { kept: PreservedNode }> = [];
  for (const node of kept) {
    const r = rank(node);
    while (pending.length > 0 && pending[0]!.rank < r) out.push({ typed: pending.shift()!.item });
    out.push({ kept: node });
  }
  for (const p of pending) out.push({ typed: p.item });
  return out;
}
