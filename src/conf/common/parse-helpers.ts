/**
 * The small vocabulary libvirt's XML parsers are written in, over the plain
 * tree of src/xml/reader.ts. The distinctions matter for compatibility:
 * - `prop` is virXMLPropString: the raw attribute (an empty value is kept);
 * - `xpathAttr` / `xpathText` are virXPathString: an empty result counts as absent;
 * - `xpathChildren` is an XPath step ("./ip"): elements without a namespace;
 * - `subelements` is virXMLNodeGetSubelement(List): any namespace, by local name;
 * - `propUInt`, `propULongLong`, `propTristate`, `propEnum` are the virXMLProp*
 *   helpers with their exact error texts.
 */
import type { XmlElementNode } from '../../xml/reader.js';
import { VirError } from '../../util/errors.js';
import { strToUIntP, strToULongP } from './parse-number.js';

/** Context for element-level parsers shared with net-update. */
export interface ElementContext {
  /** The network's name, for error texts. */
  networkName: string;
  /** Accept an incomplete element (net-update delete). */
  partialOk?: boolean;
}

export const xmlError = (detail: string): VirError => new VirError('XML_ERROR', detail);
export const xmlDetail = (detail: string): VirError => new VirError('XML_DETAIL', detail);
export const configUnsupported = (detail: string): VirError => new VirError('CONFIG_UNSUPPORTED', detail);
export const internalError = (detail: string): VirError => new VirError('INTERNAL_ERROR', detail);

/** virXMLPropString (xmlGetProp): the first attribute with this local name, whatever its namespace. */
export function prop(el: XmlElementNode | undefined, name: string): string | undefined {
  if (!el) return undefined;
  for (const a of el.attrs) if (a.name === name) return a.value;
  return undefined;
}

/** virXPathString("string(./@name)"): an attribute without namespace; empty means absent. */
export function xpathAttr(el: XmlElementNode | undefined, name: string): string | undefined {
  if (!el) return undefined;
  for (const a of el.attrs) if (a.name === name && a.prefix === '') return a.value === '' ? undefined : a.value;
  return undefined;
}

/** The XPath string value of an element: all descendant text. */
export function stringValue(el: XmlElementNode): string {
  let s = '';
  for (const c of el.children) s += c.kind === 'text' ? c.text : stringValue(c);
  return s;
}

/** The XPath step "./name": child elements with that name and no namespace. */
export function xpathChildren(el: XmlElementNode, name: string): XmlElementNode[] {
  return el.children.filter((c): c is XmlElementNode => c.kind === 'element' && c.name === name && c.namespaceUri === '');
}

export function xpathFirst(el: XmlElementNode, name: string): XmlElementNode | undefined {
  return xpathChildren(el, name)[0];
}

/** virXPathString("string(./name[1])"): empty means absent. */
export function xpathText(el: XmlElementNode, name: string): string | undefined {
  const child = xpathFirst(el, name);
  if (!child) return undefined;
  const s = stringValue(child);
  return s === '' ? undefined : s;
}

/** virXMLNodeGetSubelementList: child elements by local name, any namespace. */
export function subelements(el: XmlElementNode, name: string): XmlElementNode[] {
  return el.children.filter((c): c is XmlElementNode => c.kind === 'element' && c.name === name);
}

export function subelement(el: XmlElementNode, name: string): XmlElementNode | undefined {
  return subelements(el, name)[0];
}

interface PropFlags {
  required?: boolean;
  nonzero?: boolean;
}

/** The attribute's text; undefined when absent, an error when absent and `flags.required`. */
function propChecked(el: XmlElementNode, name: string, flags: PropFlags): string | undefined {
  const s = prop(el, name);
  if (s === undefined && flags.required) throw xmlError(`Missing required attribute '${name}' in element '${el.name}'`);
  return s;
}

/** virXMLPropUInt and virXMLPropULongLong: the attribute as `parse` reads a number in `base`, undefined when absent. */
function propUnsigned<T extends number | bigint>(
  el: XmlElementNode,
  name: string,
  base: number,
  flags: PropFlags,
  parse: (s: string, base: number) => T | undefined,
): T | undefined {
  const s = propChecked(el, name, flags);
  if (s === undefined) return undefined;
  const v = parse(s, base);
  if (v === undefined) {
    throw xmlError(`Invalid value for attribute '${name}' in element '${el.name}': '${s}'. Expected non-negative integer value`);
  }
  if (flags.nonzero && (v === 0 || v === 0n)) throw xmlError(`Invalid value for attribute '${name}' in element '${el.name}': Zero is not permitted`);
  return v;
}

/** virXMLPropUInt: undefined when absent. */
export function propUInt(el: XmlElementNode, name: string, base: number, flags: PropFlags = {}): number | undefined {
  return propUnsigned(el, name, base, flags, strToUIntP);
}

/** virXMLPropULongLong: undefined when absent. */
export function propULongLong(el: XmlElementNode, name: string, base: number, flags: PropFlags = {}): bigint | undefined {
  return propUnsigned(el, name, base, flags, strToULongP);
}

/**
 * virXMLPropEnum / virXMLPropEnumDefault over libvirt's enum strings
 * (`values[0]` is the enum's 0 value, rejected with `nonzero`).
 * Returns the matched string, or undefined when absent.
 */
export function propEnum<T extends string>(el: XmlElementNode | undefined, name: string, values: readonly T[], flags: PropFlags = {}): T | undefined {
  if (!el) return undefined;
  const s = propChecked(el, name, flags);
  if (s === undefined) return undefined;
  const idx = values.indexOf(s as T);
  if (idx < 0 || (flags.nonzero && idx === 0)) {
    throw xmlError(`Invalid value for attribute '${name}' in element '${el.name}': '${s}'.`);
  }
  return values[idx];
}

const TRISTATE_BOOL = ['absent', 'yes', 'no'] as const;

/** virXMLPropTristateBool: yes/no, undefined when absent. */
export function propTristate(el: XmlElementNode | undefined, name: string): boolean | undefined {
  const v = propEnum(el, name, TRISTATE_BOOL, { nonzero: true });
  return v === undefined ? undefined : v === 'yes';
}

/** C's STRCASEEQ(value, "yes"), used by the older attributes (managed, default, trunk). */
export function isYesIgnoringCase(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === 'yes';
}
