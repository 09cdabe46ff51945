/**
 * Escaping as libvirt's virBufferEscapeString does it: the five XML specials
 * become entities, and control characters below 0x20 other than tab, newline
 * and carriage return are dropped silently.
 *
 * libvirt writes tab, newline and carriage return as they are, which an XML
 * reader does not give back: it turns each of them into a space inside an
 * attribute value, and a carriage return into a newline everywhere. So
 * attribute values and element text are written with those as character
 * references (`&#9;`, `&#10;`, `&#13;`), which read back as themselves;
 * every value libvirt can round-trip comes out byte for byte as libvirt's.
 */
const ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 cannot carry are what libvirt drops here
const SPECIAL = /[<>&"'\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: in attributes every control character is escaped or dropped
const SPECIAL_ATTR = /[<>&"'\u0000-\u001f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 cannot carry, and carriage return
const SPECIAL_TEXT = /[<>&"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/** libvirt's escaping exactly (tab, newline and carriage return kept), for text that is not read back as XML. */
export function escapeXml(text: string): string {
  return text.replace(SPECIAL, (ch) => ENTITIES[ch] ?? '');
}

/** An attribute value that reads back as itself. */
export function escapeXmlAttr(text: string): string {
  return text.replace(SPECIAL_ATTR, (ch) => ENTITIES[ch] ?? '');
}

/** Element text that reads back as itself (newlines and tabs stay as they are). */
export function escapeXmlText(text: string): string {
  return text.replace(SPECIAL_TEXT, (ch) => ENTITIES[ch] ?? '');
}
