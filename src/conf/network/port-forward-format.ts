/**
 * Writing `<virtnet:forwards>` (port-forward-types.ts) as a child of
 * `<metadata>`: as libxml2 dumps it (double quotes, the namespace declared
 * on the element, non-ASCII attribute text as character references, as
 * libvirt's libxml2 writes it), so that libvirt reading and writing the file
 * gives it back unchanged. The live `toaddress` is left out of inactive
 * formatting.
 */
import type { MetadataDef } from '../common/types.js';
import { formatPortRange } from './port-forward.js';
import { FORWARDS_NAMESPACE, FORWARDS_PREFIX, type PortForwardDef, type PortForwardsDef } from './port-forward-types.js';

const ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };

/** An attribute value as libxml2 2.9 serializes it in double quotes. */
function attrValue(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: \x00-\x7f bounds the ASCII range; anything above it is escaped
  return text.replace(/[<>&"\n\r\t]|[^\x00-\x7f]/gu, (ch) => ESCAPES[ch] ?? `&#x${ch.codePointAt(0)!.toString(16).toUpperCase()};`);
}

function forwardLine(f: PortForwardDef, inactive: boolean): string {
  const attrs: [string, string | undefined][] = [
    ['proto', f.proto],
    ['address', f.address],
    ['port', formatPortRange(f.port)],
    ['to', f.to],
    ['toport', f.toPort ? formatPortRange(f.toPort) : undefined],
    ['toaddress', inactive ? undefined : f.toAddress],
  ];
  const text = attrs
    .filter((a): a is [string, string] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${attrValue(v)}"`)
    .join('');
  return `<${FORWARDS_PREFIX}:forward${text}/>`;
}

/** libxml2's level-0 dump of `<virtnet:forwards>` with these forwards (at least one). */
export function formatPortForwardsDump(forwards: readonly PortForwardDef[], inactive: boolean): string {
  const open = `<${FORWARDS_PREFIX}:forwards xmlns:${FORWARDS_PREFIX}="${FORWARDS_NAMESPACE}">`;
  return [open, ...forwards.map((f) => `  ${forwardLine(f, inactive)}`), `</${FORWARDS_PREFIX}:forwards>`].join('\n');
}

/** The `<metadata>` to write: the document's own, with the forwards' element back at its place; undefined for none. */
export function metadataWithForwards(
  metadata: MetadataDef | undefined,
  forwards: PortForwardsDef | undefined,
  inactive: boolean,
): MetadataDef | undefined {
  if (forwards === undefined || forwards.forwards.length === 0) return metadata;
  const elements = [...(metadata?.elements ?? [])];
  elements.splice(Math.min(forwards.position, elements.length), 0, formatPortForwardsDump(forwards.forwards, inactive));
  return { ...metadata, elements };
}
