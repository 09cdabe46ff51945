/**
 * Small helpers over the browser's DOMParser for reading libvirt XML in the
 * console (the daemon has the exact parser; the console only needs to read
 * what it shows), and for writing XML text with escaped attribute values.
 */

export function parseXml(text: string): { doc?: Document; error?: string } {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  const err = doc.getElementsByTagName('parsererror')[0];
  if (err) return { error: (err.textContent ?? 'XML error').trim() };
  return { doc };
}

/** Direct children with that tag name. */
export function children(el: Element | null | undefined, tag: string): Element[] {
  if (!el) return [];
  return Array.from(el.children).filter((c) => c.tagName === tag);
}

export function child(el: Element | null | undefined, tag: string): Element | undefined {
  return children(el, tag)[0];
}

export function attr(el: Element | null | undefined, name: string): string | undefined {
  const v = el?.getAttribute(name);
  return v === null || v === undefined ? undefined : v;
}

export function text(el: Element | null | undefined): string | undefined {
  const v = el?.textContent;
  return v === null || v === undefined ? undefined : v.trim();
}

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

/** An element's text as serialized XML (for matching devices and diffing). */
export function serialize(el: Element): string {
  return new XMLSerializer().serializeToString(el);
}
