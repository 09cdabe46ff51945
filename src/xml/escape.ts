/**
 * Escaping exactly as libvirt's virBufferEscapeString does it: the five XML
 * specials become entities, and control characters below 0x20 other than
 * tab, newline and carriage return are dropped silently.
 */
const ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};

// eslint-disable-next-line no-control-regex
const SPECIAL = /[<>&"'\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

export function escapeXml(text: string): string {
  return text.replace(SPECIAL, (ch) => ENTITIES[ch] ?? '');
}
