/**
 * The output buffer of the network formatter: XmlWriter for ordinary
 * markup, plus the two things libvirt's virBuffer does that XmlWriter does
 * not:
 *
 * - lines with attribute values printed *without* escaping (libvirt formats
 *   some values with plain virBufferAsprintf, e.g. a DHCP host name or a
 *   portgroup name), written verbatim after the indentation, so an embedded
 *   newline is not indented either;
 * - pre-indented text blocks (libxml2's dump of <metadata>), appended as is.
 *
 * Both are done by closing the current XmlWriter segment and starting a new
 * one at the same indentation level.
 */
import { escapeXmlAttr } from '../../xml/escape.js';
import { XmlWriter, type Attrs } from '../../xml/writer.js';

/**
 * One attribute of a verbatim tag: name and value (undefined/null = left out).
 *
 * Every value is escaped. libvirt prints four values unescaped (a DHCP
 * host's mac/id/name, <domain name>, <portgroup name> and profileid), so an
 * `&` or `'` in them gives a file libvirt cannot read back; virtnet escapes
 * them, which is identical for every value libvirt can round-trip.
 */
type TagAttr = readonly [name: string, value: string | number | undefined | null];

/** ` a='v' b='w'` with each value escaped. */
function attrText(attrs: readonly TagAttr[]): string {
  let s = '';
  for (const [name, value] of attrs) {
    if (value === undefined || value === null) continue;
    s += ` ${name}='${escapeXmlAttr(String(value))}'`;
  }
  return s;
}

export class NetworkXmlOutput {
  private readonly parts: string[] = [];
  private writer: XmlWriter;

  constructor(initialIndent = 0) {
    this.writer = new XmlWriter(initialIndent);
  }

  /** The current indentation level (two spaces each). */
  get level(): number {
    return this.writer.indentLevel;
  }

  /** Close the current XmlWriter segment and continue at `level`. */
  private restart(level: number): void {
    this.parts.push(this.writer.toString());
    this.writer = new XmlWriter(level);
  }

  empty(name: string, attrs: Attrs = []): this {
    this.writer.empty(name, attrs);
    return this;
  }

  start(name: string, attrs: Attrs = []): this {
    this.writer.start(name, attrs);
    return this;
  }

  end(name: string): this {
    this.writer.end(name);
    return this;
  }

  textElement(name: string, text: string, attrs: Attrs = []): this {
    this.writer.textElement(name, text, attrs);
    return this;
  }

  /** `<name a='v'/>` where some values may be unescaped, as libvirt prints them. */
  emptyTag(name: string, attrs: readonly TagAttr[]): this {
    return this.verbatimLine(`<${name}${attrText(attrs)}/>`, 0);
  }

  /** `<name a='v'>` (then one level in) where some values may be unescaped. */
  startTag(name: string, attrs: readonly TagAttr[]): this {
    return this.verbatimLine(`<${name}${attrText(attrs)}>`, 1);
  }

  /** One line written as is after the indentation; `indentAfter` moves the level. */
  private verbatimLine(text: string, indentAfter: number): this {
    const level = this.writer.indentLevel;
    this.restart(level + indentAfter);
    this.parts.push(`${'  '.repeat(level)}${text}\n`);
    return this;
  }

  /** Text that already carries its own indentation and newlines. */
  block(text: string): this {
    this.restart(this.writer.indentLevel);
    this.parts.push(text);
    return this;
  }

  toString(): string {
    return this.parts.join('') + this.writer.toString();
  }
}
