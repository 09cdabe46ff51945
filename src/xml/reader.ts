/**
 * Reading XML with real libxml2 (libxml2-wasm), so that parse errors carry
 * libxml2's own text. The wasm DOM is converted at once into plain objects
 * (`XmlElementNode`) and disposed, so callers never manage wasm memory.
 *
 * Errors are reported the way libvirt's catchXMLError reports them:
 *
 *   (network_definition):2: Opening and ending tag mismatch: name line 2 and nam
 *     <name>foo</nam>
 *   -----------------^
 */
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { VirError } from '../util/errors.js';
import { libxml2 } from './libxml2.js';

export interface XmlAttributeNode {
  /** Local name. */
  name: string;
  /** Namespace prefix, '' if none. */
  prefix: string;
  value: string;
}

export interface XmlElementNode {
  kind: 'element';
  /** Local name. */
  name: string;
  /** Namespace prefix, '' if none. */
  prefix: string;
  /** Namespace URI, '' if none. */
  namespaceUri: string;
  /** Attributes in document order. */
  attrs: XmlAttributeNode[];
  children: XmlChildNode[];
  /** 1-based source line. */
  line: number;
  /**
   * libxml2's formatted dump of this element (double quotes, its namespace
   * handling), present only for elements selected by `ReadOptions.dump`.
   */
  dump?: string;
}

interface XmlTextNode {
  kind: 'text';
  text: string;
}

export type XmlChildNode = XmlElementNode | XmlTextNode;

interface ReadOptions {
  /**
   * The document label used in error messages, as libvirt passes it:
   * "(network_definition)", "(domain_definition)", or a file name.
   */
  label: string;
  /** Elements for which libxml2's formatted dump is kept (see `XmlElementNode.dump`). */
  dump?: (element: XmlElement, depth: number) => boolean;
  /** Drop whitespace-only text nodes while parsing (libxml2's NOBLANKS). */
  noBlanks?: boolean;
}

/**
 * Build libvirt's two extra lines the way its catchXMLError does: from the
 * parser's position, step back over line ends, take the whole line around
 * it as context and put a `---^` pointer (tabs kept) under the position.
 * An empty context line prints as "(null)", as libvirt's does.
 */
function contextLines(source: string, line: number, col: number): string {
  // The parser position as an offset into the source, from libxml2's line/col.
  let offset = 0;
  for (let l = 1; l < line && offset <= source.length; l++) {
    const nl = source.indexOf('\n', offset);
    if (nl < 0) {
      offset = source.length;
      break;
    }
    offset = nl + 1;
  }
  const pos = Math.min(source.length, offset + Math.max(0, col - 1));
  const isEol = (i: number) => source[i] === '\n' || source[i] === '\r';
  let cur = pos;
  while (cur > 0 && isEol(cur)) cur--;
  while (cur > 0 && cur < source.length && !isEol(cur)) cur--;
  if (cur === source.length && cur > 0) {
    // At the very end: libvirt reads the terminating NUL, which is not a line end.
    cur--;
    while (cur > 0 && !isEol(cur)) cur--;
  }
  if (isEol(cur)) cur++;
  const lineStart = cur;
  let lineEnd = lineStart;
  while (lineEnd < source.length && !isEol(lineEnd)) lineEnd++;
  const text = source.slice(lineStart, lineEnd);
  const column = pos - lineStart;
  let pointer = '';
  for (let i = 0; i < column && i < text.length; i++) pointer += text[i] === '\t' ? '\t' : '-';
  return `${text === '' ? '(null)' : text}\n${pointer}^`;
}

/** The libvirt-style detail text for a libxml2 parse failure. */
export function formatParseError(source: string, label: string, err: unknown): string {
  if (err instanceof libxml2().XmlLibError && err.details.length > 0) {
    const first = err.details[0]!;
    const message = first.message.replace(/\n$/, '');
    return `${first.file ?? label}:${first.line}: ${message}\n${contextLines(source, first.line, first.col)}`;
  }
  const message = err instanceof Error ? err.message.replace(/\n$/, '') : String(err);
  if (/^\s*$/.test(source)) {
    const lineCount = source.split(/\r\n|\n|\r/).length;
    return `${label}:${lineCount}: Document is empty\n(null)\n^`;
  }
  return `${label}:1: ${message}`;
}

function convert(el: XmlElement, depth: number, options: ReadOptions): XmlElementNode {
  const { XmlElement, XmlText, XmlCData } = libxml2();
  const node: XmlElementNode = {
    kind: 'element',
    name: el.name,
    prefix: el.prefix,
    namespaceUri: el.namespaceUri,
    attrs: el.attrs.map((a) => ({ name: a.name, prefix: a.prefix, value: a.value })),
    children: [],
    line: el.line,
  };
  if (options.dump?.(el, depth)) node.dump = el.toString({ format: true });
  // Walk with XPath: libxml2-wasm's `next` stops at node kinds it does not
  // wrap (processing instructions), and libvirt ignores those anyway.
  for (const child of el.find('*|text()')) {
    if (child instanceof XmlElement) node.children.push(convert(child, depth + 1, options));
    else if (child instanceof XmlText || child instanceof XmlCData) node.children.push({ kind: 'text', text: child.content });
  }
  return node;
}

/**
 * Whether the document's prolog holds a DOCTYPE with an internal subset
 * (`<!DOCTYPE x [ ... ]>`): the only place entities and default attributes
 * can be declared. Looks only at what may come before the root element:
 * white space, the XML declaration, comments and processing instructions.
 */
function hasInternalSubset(source: string): boolean {
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (i < source.length && /\s/.test(source[i]!)) i++;
    if (source.startsWith('<?', i)) {
      const end = source.indexOf('?>', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i + 4);
      if (end < 0) return false;
      i = end + 3;
    } else break;
  }
  if (!source.startsWith('<!DOCTYPE', i)) return false;
  let quote = '';
  for (let j = i + 9; j < source.length; j++) {
    const c = source[j]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') return true;
    else if (c === '>') return false;
  }
  return false;
}

/**
 * Parse `source` and return its root element as plain data.
 * Throws a VirError (class XML_DETAIL) with libvirt's message on malformed XML.
 * A document with an internal DTD subset is refused: its entities would be
 * written out expanded or not at all, so what is saved would not read back
 * as what was given.
 */
export function readXml(source: string, options: ReadOptions): XmlElementNode {
  if (hasInternalSubset(source)) {
    throw new VirError(
      'XML_ERROR',
      `${options.label}: document type declarations with an internal subset (entities, attribute defaults) are not supported`,
    );
  }
  const { ParseOption, XmlDocument } = libxml2();
  let doc: XmlDocument;
  try {
    let option = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NOWARNING;
    if (options.noBlanks) option |= ParseOption.XML_PARSE_NOBLANKS;
    doc = XmlDocument.fromString(source, { url: options.label, option });
  } catch (err) {
    throw new VirError('XML_DETAIL', formatParseError(source, options.label, err));
  }
  try {
    return convert(doc.root, 0, options);
  } finally {
    doc.dispose();
  }
}

/* ---- small helpers for walking the plain tree ---- */

/** The value of an attribute without a namespace prefix, or undefined. */
export function attr(el: XmlElementNode, name: string): string | undefined {
  for (const a of el.attrs) if (a.name === name && a.prefix === '') return a.value;
  return undefined;
}

/** Child elements, optionally only those with a given local name (and no foreign namespace). */
export function childElements(el: XmlElementNode, name?: string): XmlElementNode[] {
  const out: XmlElementNode[] = [];
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    if (name === undefined || (c.name === name && c.namespaceUri === '')) out.push(c);
  }
  return out;
}
