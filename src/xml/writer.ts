import { escapeXmlAttr, escapeXmlText } from './escape.js';

/** An attribute value; undefined or null means "leave the attribute out". */
type AttrValue = string | number | undefined | null;
export type Attrs = ReadonlyArray<readonly [name: string, value: AttrValue]>;

/**
 * A small hand-driven XML writer with libvirt's layout: two-space indent,
 * single-quoted attributes in the order given, `/>` for empty elements and
 * one element per line. Output always ends with a newline.
 */
export class XmlWriter {
  private readonly lines: string[] = [];
  private level: number;

  constructor(initialIndent = 0) {
    this.level = initialIndent;
  }

  private pad(): string {
    return '  '.repeat(this.level);
  }

  private static attrText(attrs: Attrs): string {
    let s = '';
    for (const [name, value] of attrs) {
      if (value === undefined || value === null) continue;
      s += ` ${name}='${escapeXmlAttr(String(value))}'`;
    }
    return s;
  }

  /** `<name a='1'/>` */
  empty(name: string, attrs: Attrs = []): this {
    this.lines.push(`${this.pad()}<${name}${XmlWriter.attrText(attrs)}/>`);
    return this;
  }

  /** `<name a='1'>` and indent what follows. */
  start(name: string, attrs: Attrs = []): this {
    this.lines.push(`${this.pad()}<${name}${XmlWriter.attrText(attrs)}>`);
    this.level++;
    return this;
  }

  /** `</name>` one level out. */
  end(name: string): this {
    this.level--;
    this.lines.push(`${this.pad()}</${name}>`);
    return this;
  }

  /** `<name>text</name>` with the text escaped. */
  textElement(name: string, text: string, attrs: Attrs = []): this {
    this.lines.push(`${this.pad()}<${name}${XmlWriter.attrText(attrs)}>${escapeXmlText(text)}</${name}>`);
    return this;
  }

  /**
   * Pre-rendered markup (e.g. libxml2's dump of <metadata> children): each
   * line is indented to the current level, as libvirt's auto-indent does.
   */
  raw(markup: string): this {
    for (const line of markup.split('\n')) this.lines.push(this.pad() + line);
    return this;
  }

  /** The current indent level, for callers that render nested markup themselves. */
  get indentLevel(): number {
    return this.level;
  }

  toString(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}
