/**
 * Writing the small XML texts the console sends (a net-update entry typed
 * into a form, the wizard's network): elements with escaped attribute
 * values. The console reads no XML: the daemon sends its model as JSON.
 */

export function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

export function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An element with attributes (undefined ones left out), empty or with inner XML. */
export function element(tag: string, attrs: Record<string, string | number | undefined>, inner?: string): string {
  const a = Object.entries(attrs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}='${escapeAttr(String(v))}'`)
    .join('');
  return inner === undefined || inner === '' ? `<${tag}${a}/>` : `<${tag}${a}>${inner}</${tag}>`;
}
