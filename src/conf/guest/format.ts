/**
 * Writing a GuestDef as libvirt's virDomainDefFormat writes a domain, for
 * the typed parts, with the kept document around them (types.ts describes
 * the representation and what "untouched" means).
 *
 * - `<domain type='T'[ id='N']` (id live only), then the kept attributes and
 *   namespace declarations;
 * - `<name>`, `<uuid>`, `<title>` at libvirt's places among the kept
 *   children (name, uuid, genid, title, description, metadata, the rest);
 * - the interfaces at the marker in <devices>. A guest read without
 *   interfaces gets them where libvirt's device order puts them (after
 *   emulator, disks, controllers, leases and filesystems), in a <devices>
 *   created before the elements libvirt writes after it if there is none.
 */
import type { GuestDef, GuestFormatOptions, PreservedElement, PreservedNode } from './types.js';
import { formatInterface } from './format-interface.js';
import { attrText, mergeByRank, nsDeclText, pad, qualifiedName, renderNode, type RenderHooks } from './preserved.js';
import { escapeXmlText } from '../../xml/escape.js';

/** virDomainDefFormat's order of the first <domain> children; everything else comes after. */
const ROOT_ORDER = ['name', 'uuid', 'genid', 'title', 'description', 'metadata'] as const;
const LATER = ROOT_ORDER.length;

function rootRank(node: PreservedNode): number {
  if (node.kind === 'metadata') return ROOT_ORDER.indexOf('metadata');
  if (node.kind !== 'element' || node.namespaceUri !== '') return LATER;
  const i = (ROOT_ORDER as readonly string[]).indexOf(node.name);
  return i < 0 ? LATER : i;
}

/** Devices libvirt writes before interfaces. */
const DEVICES_BEFORE_INTERFACES = new Set(['emulator', 'disk', 'controller', 'lease', 'filesystem']);
/** Top-level elements libvirt writes after <devices>. */
const AFTER_DEVICES = new Set(['seclabel', 'keywrap', 'launchSecurity', 'throttlegroups']);

const isElement = (n: PreservedNode, name: string): n is PreservedElement => n.kind === 'element' && n.name === name && n.namespaceUri === '';

function hasMarker(children: readonly PreservedNode[]): boolean {
  return children.some(
    (c) => c.kind === 'interfaces' || (c.kind === 'element' && isElement(c, 'devices') && c.children.some((d) => d.kind === 'interfaces')),
  );
}

/** The domain's children with an interface marker where libvirt would write the interfaces. */
function withMarker(children: readonly PreservedNode[]): PreservedNode[] {
  const out = [...children];
  const di = out.findIndex((c) => isElement(c, 'devices'));
  if (di >= 0) {
    const devices = out[di] as PreservedElement;
    let at = 0;
    devices.children.forEach((d, i) => {
      if (d.kind === 'element' && d.namespaceUri === '' && DEVICES_BEFORE_INTERFACES.has(d.name)) at = i + 1;
    });
    const kids = [...devices.children];
    kids.splice(at, 0, { kind: 'interfaces' });
    out[di] = { ...devices, children: kids };
    return out;
  }
  let at = out.findIndex((c) => c.kind === 'element' && (c.namespaceUri !== '' || AFTER_DEVICES.has(c.name)));
  if (at < 0) at = out.length;
  out.splice(at, 0, { kind: 'element', name: 'devices', prefix: '', namespaceUri: '', attrs: [], nsDecls: [], children: [{ kind: 'interfaces' }] });
  return out;
}

/** The <domain> element at indentation `level` (status files nest it), ending with a newline. */
export function formatGuestElement(def: GuestDef, options: GuestFormatOptions & { level?: number } = {}): string {
  const inactive = options.inactive === true;
  const level = options.level ?? 0;
  const hooks: RenderHooks = {
    interfaces: (l) => def.interfaces.map((i) => formatInterface(i, { inactive, level: l })).join(''),
  };

  let start = `<domain${attrText('type', def.type)}${inactive ? '' : attrText('id', def.id)}`;
  for (const a of def.document.attrs) start += attrText(qualifiedName(a.prefix, a.name), a.value);
  start += nsDeclText(def.document.nsDecls);
  let out = `${pad(level)}${start}>\n`;

  const typed: Array<{ rank: number; item: string }> = [
    { rank: 0, item: `<name>${escapeXmlText(def.name)}</name>` },
    { rank: 1, item: `<uuid>${def.uuid}</uuid>` },
  ];
  if (def.title !== undefined) typed.push({ rank: 3, item: `<title>${escapeXmlText(def.title)}</title>` });

  const children = def.interfaces.length > 0 && !hasMarker(def.document.children) ? withMarker(def.document.children) : def.document.children;
  for (const entry of mergeByRank(typed, children, rootRank)) {
    out += 'typed' in entry ? `${pad(level + 1)}${entry.typed}\n` : renderNode(entry.kept, level + 1, hooks, 1);
  }
  return `${out}${pad(level)}</domain>\n`;
}

/**
 * Format a guest as libvirt writes a domain: byte for byte the document
 * libvirt would print for a document it wrote (see types.ts).
 */
export function formatGuestXml(def: GuestDef, options: GuestFormatOptions = {}): string {
  return formatGuestElement(def, options);
}
