/**
 * <metadata>: what libvirt keeps of it and how it writes it back.
 *
 * libvirt copies the first <metadata> element (xmlCopyNode), sanitizes it
 * (virXMLNodeSanitizeNamespaces) and later dumps the copy with libxml2
 * (xmlNodeDump, format=1, at the element's indentation level). We do the same
 * on libxml2's own tree while the document is read (the reader's `dump` hook):
 *
 * 1. Namespaces a copied node or attribute uses but that are declared above
 *    <metadata> (e.g. on <network>) are declared on <metadata> itself, after
 *    its own declarations, in document order (libxml2's copy does this).
 * 2. Children that are not elements in a namespace (text, comments, elements
 *    without namespace) are dropped, and so is every later element whose
 *    namespace URI repeats an earlier kept one.
 * 3. Each kept child is dumped by libxml2 (format, document parsed with
 *    NOBLANKS as libvirt does, so the dumps are re-indented).
 *
 * The model (`MetadataDef`):
 * - `elements[i]`: libxml2's formatted dump of the i-th kept child at level 0:
 *   first line unindented, nested lines indented by two spaces per level.
 * - `openTag`: libxml2's start tag for <metadata> itself when it is not the
 *   plain `<metadata>`, i.e. when it carries namespace declarations (its own
 *   or moved there by step 1) or attributes; written with `/>` when there
 *   are no elements.
 * Writing it back at another level is format-metadata.ts's job: libxml2
 * indents only the lines it formats, not the continuation lines of a
 * multi-line text, comment or CDATA.
 *
 * libvirt 9.0's libxml2 (2.9) writes non-ASCII characters of attribute values
 * as `&#xHEX;` when the document declares no encoding; the wasm libxml2 writes
 * them as they are, so that difference is applied here.
 */
import type { XmlElement } from 'libxml2-wasm';
import { libxml2 } from '../../xml/libxml2.js';
import type { XmlElementNode } from '../../xml/reader.js';
import type { MetadataDef } from './types.js';
import { xpathFirst } from './parse-helpers.js';

/** The reader hook and the step that builds the model once the tree is read. */
interface MetadataCapture {
  /** `ReadOptions.dump`: prepares the first <metadata> child of the root and asks for the dumps. */
  dump(element: XmlElement, depth: number): boolean;
  /** The MetadataDef of the document whose root is given, or undefined without <metadata>. */
  finish(root: XmlElementNode): MetadataDef | undefined;
}

/** Declare on <metadata> the namespaces its subtree uses from outside it (libxml2's xmlStaticCopyNode). */
function reconcileNamespaces(md: XmlElement): void {
  const added = new Map<string, string>();
  const inScope = (node: XmlElement, prefix: string): boolean => {
    for (let n: XmlElement | null = node; n; n = n.parent) {
      if (Object.hasOwn(n.nsDeclarations, prefix)) return true;
      if (n.isSameNode(md)) break;
    }
    return added.has(prefix);
  };
  const need = (node: XmlElement, prefix: string, href: string): void => {
    if (href === '' || prefix === 'xml') return;
    if (!inScope(node, prefix)) added.set(prefix, href);
  };
  const visit = (node: XmlElement): void => {
    need(node, node.prefix, node.namespaceUri);
    for (const a of node.attrs) need(node, a.prefix, a.namespaceUri);
    for (let c = node.firstChild; c; c = c.next) if (c instanceof libxml2().XmlElement) visit(c);
  };
  visit(md);
  for (const [prefix, href] of added) md.addNsDeclaration(href, prefix === '' ? undefined : prefix);
}

/** virXMLNodeSanitizeNamespaces: keep the first element child of each namespace URI, drop everything else. */
function sanitize(md: XmlElement): void {
  const seen = new Set<string>();
  for (let c = md.firstChild; c; ) {
    const next = c.next;
    const keep = c instanceof libxml2().XmlElement && c.namespaceUri !== '' && !seen.has(c.namespaceUri);
    if (keep) seen.add((c as XmlElement).namespaceUri);
    else c.remove();
    c = next;
  }
}

/** Write non-ASCII characters of attribute values (not namespace declarations) as libxml2 2.9 does: `&#xE9;`. */
export function escapeNonAsciiAttributes(markup: string): string {
  let out = '';
  let i = 0;
  const copyUntil = (end: string): void => {
    const j = markup.indexOf(end, i);
    const stop = j < 0 ? markup.length : j + end.length;
    out += markup.slice(i, stop);
    i = stop;
  };
  while (i < markup.length) {
    if (markup.startsWith('<!--', i)) copyUntil('-->');
    else if (markup.startsWith('<![CDATA[', i)) copyUntil(']]>');
    else if (markup.startsWith('<?', i)) copyUntil('?>');
    else if (markup[i] === '<' && markup[i + 1] !== '/') {
      // A start tag: name="value" pairs, values double-quoted (or single-quoted namespace URIs).
      const end = markup.indexOf('>', i);
      const tag = markup.slice(i, end < 0 ? markup.length : end + 1);
      out += tag.replace(/(\s)([^\s=]+)=("[^"]*"|'[^']*')/g, (whole: string, sp: string, name: string, value: string) => {
        if (name === 'xmlns' || name.startsWith('xmlns:')) return whole;
        // biome-ignore lint/suspicious/noControlCharactersInRegex: everything outside ASCII, a range that starts at NUL
        const escaped = value.replace(/[^\x00-\x7f]/gu, (ch) => `&#x${ch.codePointAt(0)!.toString(16).toUpperCase()};`);
        return `${sp}${name}=${escaped}`;
      });
      i += tag.length;
    } else {
      out += markup[i];
      i++;
    }
  }
  return out;
}

export function metadataCapture(source: string): MetadataCapture {
  let metadata: XmlElement | undefined;
  // libvirt's libxml2 only escapes non-ASCII attribute text when the document declares no encoding.
  const declaresEncoding = /^\uFEFF?<\?xml[^>]*\sencoding\s*=/.test(source);
  const fix = (s: string): string => (declaresEncoding ? s : escapeNonAsciiAttributes(s));

  return {
    dump(element: XmlElement, depth: number): boolean {
      if (depth === 1 && !metadata && element.name === 'metadata' && element.namespaceUri === '') {
        metadata = element;
        reconcileNamespaces(element);
        sanitize(element);
        return true;
      }
      if (depth === 2 && metadata && element.parent?.isSameNode(metadata)) {
        return true;
      }
      return false;
    },
    finish(root: XmlElementNode): MetadataDef | undefined {
      const md = xpathFirst(root, 'metadata');
      if (!md || md.dump === undefined) return undefined;
      const children = md.children.filter((c): c is XmlElementNode => c.kind === 'element');
      const firstLine = md.dump.split('\n')[0]!;
      const openTag = fix(children.length > 0 ? firstLine : firstLine.replace(/\/>$/, '>'));
      const def: MetadataDef = { elements: children.map((c) => fix(c.dump ?? '')) };
      if (openTag !== '<metadata>') def.openTag = openTag;
      return def;
    },
  };
}
