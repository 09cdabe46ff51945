/**
 * net-dumpxml --xpath/--wrap, as virsh's virshDumpXML: the XML is parsed
 * without ignorable blanks, the expression must select a node set
 * ("internal error: Incorrect xpath 'EXPR'" otherwise), and each node is
 * printed as libxml2's xmlNodeDump writes it (formatted; an attribute as
 * ` name="value"`, a text node escaped), one per line, or all of them
 * inside a `<nodes>` element with --wrap.
 *
 * This is the only CLI path that loads libxml2 (wasm): the module is
 * imported here, at call time, so the bundle keeps it out of start-up.
 */
import type { XmlAttribute, XmlNode } from 'libxml2-wasm';
import { VirError } from '../util/errors.js';

/** libxml2's escaping of text content (xmlEscapeContent). */
function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** libxml2's escaping of attribute values (xmlBufAttrSerializeTxtContent). */
function escapeAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attrName(a: XmlAttribute): string {
  return a.prefix ? `${a.prefix}:${a.name}` : a.name;
}

/** The text virsh prints for `net-dumpxml --xpath EXPR [--wrap]` (without the trailing blank line). */
export async function dumpXPath(xml: string, expr: string, wrap: boolean): Promise<string> {
  const { ParseOption, XmlAttribute, XmlDocument, XmlElement, XmlXPathError } = await import('libxml2-wasm');
  const isAttr = (n: XmlNode): n is XmlAttribute => n instanceof XmlAttribute;
  /** xmlNodeDump(node, level 0, format 1). */
  const dumpNode = (node: XmlNode, format: boolean): string => {
    if (node instanceof XmlElement) return node.toString({ format, noDeclaration: true });
    if (isAttr(node)) return ` ${attrName(node)}="${escapeAttr(node.value)}"`;
    return escapeText(node.content);
  };
  const doc = XmlDocument.fromString(xml, { option: ParseOption.XML_PARSE_NOBLANKS, url: 'network' });
  try {
    let result: XmlNode[] | string | boolean | number;
    try {
      result = doc.eval(expr);
    } catch (err) {
      // libxml2 has printed its own "XPath error : ..." lines; virsh then shows nothing more.
      if (err instanceof XmlXPathError) return '';
      throw err;
    }
    if (!Array.isArray(result)) throw new VirError('INTERNAL_ERROR', `Incorrect xpath '${expr}'`);
    if (!wrap) return result.map((n) => `${dumpNode(n, true)}\n`).join('');
    if (result.length === 0) return '<nodes/>\n';
    // Build <nodes> from the unformatted copies and let libxml2 lay it out, as virsh does.
    const attrs = result.filter(isAttr).map((a) => dumpNode(a, false));
    const children = result.filter((n) => !isAttr(n)).map((n) => dumpNode(n, false));
    const wrapped = XmlDocument.fromString(`<nodes${attrs.join('')}>${children.join('')}</nodes>`, {
      option: ParseOption.XML_PARSE_NOBLANKS,
    });
    try {
      return `${wrapped.root.toString({ format: true, noDeclaration: true })}\n`;
    } finally {
      wrapped.dispose();
    }
  } finally {
    doc.dispose();
  }
}
