/**
 * <metadata> as libvirt writes it: virXMLFormatMetadata hands the whole
 * element to libxml2's xmlNodeDump with format on, at the indentation level
 * of the surrounding output. The model keeps one libxml2 dump per child,
 * made at level 0, so this module turns a level-0 dump into the dump libxml2
 * would have made at another level.
 *
 * That is more than "indent every line": libxml2 only indents where it adds
 * formatting itself. Inside an element with text or CDATA children it
 * writes the content untouched (so a multi-line text keeps its own line
 * starts), and its indentation stops growing at 30 levels (60 spaces).
 */

/** libxml2's indentation for a depth: two spaces a level, capped at 60 (xmlTreeIndentString). */
function libxmlIndent(depth: number): string {
  return '  '.repeat(Math.min(Math.max(depth, 0), 30));
}

interface Span {
  start: number;
  end: number;
}

type Node =
  | ({ kind: 'element'; children: Node[] } & Span)
  | ({ kind: 'text' } & Span)
  | ({ kind: 'cdata' } & Span)
  /** Comments and processing instructions: indented like elements in formatted content. */
  | ({ kind: 'misc' } & Span);

type Token =
  | ({ kind: 'open' | 'empty'; name: string } & Span)
  | ({ kind: 'close'; name: string } & Span)
  | ({ kind: 'text' | 'cdata' | 'misc' } & Span);

/** Where `needle` ends after `from`, or -1. */
function endOf(s: string, needle: string, from: number): number {
  const i = s.indexOf(needle, from);
  return i < 0 ? -1 : i + needle.length;
}

/** Markup that runs from an opening to a closing delimiter: comments, CDATA sections, processing instructions. */
const DELIMITED: readonly { open: string; close: string; kind: 'misc' | 'cdata' }[] = [
  { open: '<!--', close: '-->', kind: 'misc' },
  { open: '<![CDATA[', close: ']]>', kind: 'cdata' },
  { open: '<?', close: '?>', kind: 'misc' },
];

/** Split libxml2's serialization into tokens; undefined if it does not look like one. */
function tokenize(s: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] !== '<') {
      const next = s.indexOf('<', i);
      const end = next < 0 ? s.length : next;
      tokens.push({ kind: 'text', start: i, end });
      i = end;
      continue;
    }
    let end: number;
    const delimited = DELIMITED.find((d) => s.startsWith(d.open, i));
    if (delimited) {
      end = endOf(s, delimited.close, i + delimited.open.length);
      if (end < 0) return undefined;
      tokens.push({ kind: delimited.kind, start: i, end });
    } else if (s.startsWith('</', i)) {
      end = endOf(s, '>', i + 2);
      if (end < 0) return undefined;
      tokens.push({ kind: 'close', name: s.slice(i + 2, end - 1).trim(), start: i, end });
    } else {
      // A start tag; attribute values are quoted and may hold '>' in theory.
      let j = i + 1;
      let quote = '';
      for (; j < s.length; j++) {
        const c = s[j];
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (j >= s.length) return undefined;
      end = j + 1;
      const selfClosing = s[j - 1] === '/';
      const name = /^<([^\s/>]+)/.exec(s.slice(i, end))?.[1];
      if (name === undefined) return undefined;
      tokens.push({ kind: selfClosing ? 'empty' : 'open', name, start: i, end });
    }
    i = end;
  }
  return tokens;
}

/** Build the element tree of a single-root dump; undefined if it is not one. */
function parseDump(s: string): Node | undefined {
  const tokens = tokenize(s);
  if (!tokens) return undefined;
  const stack: { name: string; node: Extract<Node, { kind: 'element' }> }[] = [];
  let root: Node | undefined;
  for (const t of tokens) {
    const parent = stack[stack.length - 1];
    if (root && !parent) return undefined; // something after the root element
    switch (t.kind) {
      case 'open': {
        const node: Node = { kind: 'element', children: [], start: t.start, end: t.end };
        if (parent) parent.node.children.push(node);
        else root = node;
        stack.push({ name: t.name, node });
        break;
      }
      case 'empty': {
        const node: Node = { kind: 'element', children: [], start: t.start, end: t.end };
        if (parent) parent.node.children.push(node);
        else root = node;
        break;
      }
      case 'close':
        if (!parent || parent.name !== t.name) return undefined;
        parent.node.end = t.end;
        stack.pop();
        break;
      default:
        if (!parent) return undefined; // text or comments around the root
        parent.node.children.push({ kind: t.kind, start: t.start, end: t.end });
    }
  }
  return stack.length === 0 ? root : undefined;
}

/**
 * Whether libxml2 formatted this element's content in the level-0 dump: no
 * text or CDATA children of its own, i.e. every text run between its
 * children is exactly the newline and indentation libxml2 adds.
 */
function isFormatted(s: string, el: Extract<Node, { kind: 'element' }>, depth: number): boolean {
  const kids = el.children;
  // Only text (even a lone newline) means libxml2 wrote the content as is.
  if (!kids.some((k) => k.kind === 'element' || k.kind === 'misc')) return false;
  const inner = `\n${libxmlIndent(depth + 1)}`;
  const last = `\n${libxmlIndent(depth)}`;
  let expectRun = true;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!;
    const isLast = i === kids.length - 1;
    if (k.kind === 'cdata') return false;
    if (k.kind === 'text') {
      if (!expectRun) return false;
      if (s.slice(k.start, k.end) !== (isLast ? last : inner)) return false;
      expectRun = false;
    } else {
      if (expectRun) return false;
      expectRun = true;
    }
  }
  // The content must end with the run before the end tag.
  return !expectRun && kids[kids.length - 1]!.kind === 'text';
}

function render(s: string, node: Node, depth: number, base: number): string {
  if (node.kind !== 'element' || !isFormatted(s, node, depth)) return s.slice(node.start, node.end);
  const kids = node.children;
  // A formatted element's content starts and ends with a formatting run.
  let out = s.slice(node.start, kids[0]!.start);
  for (const child of kids) {
    if (child.kind !== 'text') out += `\n${libxmlIndent(base + depth + 1)}${render(s, child, depth + 1, base)}`;
  }
  return `${out}\n${libxmlIndent(base + depth)}${s.slice(kids[kids.length - 1]!.end, node.end)}`;
}

/**
 * A libxml2 level-0 formatted dump, re-indented as libxml2 would dump it at
 * `level`. The first line stays unindented (libvirt strips it anyway).
 * Text that is not a libxml2 dump of one element is indented line by line.
 */
export function reindentDump(dump: string, level: number): string {
  if (level === 0) return dump;
  const root = parseDump(dump);
  if (!root) return dump.split('\n').join(`\n${libxmlIndent(level)}`);
  return render(dump, root, 0, level);
}

/**
 * The <metadata> element at indentation `level`, each child dump placed one
 * level deeper; `<metadata/>` when it has no children. `openTag` is the
 * start tag when libvirt's copy carries namespace declarations or
 * attributes (MetadataDef.openTag). Ends with a newline.
 */
export function formatMetadataBlock(elements: readonly string[], level: number, openTag = '<metadata>'): string {
  const pad = libxmlIndent(level);
  if (elements.length === 0) return `${pad}${openTag.replace(/>$/, '/>')}\n`;
  let out = `${pad}${openTag}\n`;
  for (const dump of elements) out += `${libxmlIndent(level + 1)}${reindentDump(dump, level + 1)}\n`;
  return `${out}${pad}</metadata>\n`;
}
