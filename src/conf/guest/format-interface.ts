/**
 * Writing one `<interface>` as libvirt's virDomainNetDefFormat writes it:
 * `<mac>` first, then `<source>`, ..., `<target>`, `<model>`, ...,
 * `<alias>`, with the kept children merged in at libvirt's positions
 * (INTERFACE_CHILD_ORDER). Values are escaped (libvirt prints an alias
 * unescaped; the two agree for every alias libvirt can read back).
 *
 * Inactive output leaves out what libvirt does not keep in a persistent
 * definition: `portid`, the actual bridge, a generated target name and an
 * alias that is not user-defined.
 */
import type { GuestInterface, PreservedNode } from './types.js';
import { isGeneratedTarget, isUserAlias } from './parse-interface.js';
import { attrText, mergeByRank, pad, renderNode, type RenderHooks } from './preserved.js';

/** virDomainNetDefFormat's order of <interface> children (then virDomainDeviceInfoFormat's). */
const INTERFACE_CHILD_ORDER = [
  'mac',
  'source',
  'vlan',
  'virtualport',
  'bandwidth',
  'port',
  'actual',
  'ip',
  'route',
  'portForward',
  'script',
  'downscript',
  'backenddomain',
  'target',
  'guest',
  'model',
  'driver',
  'backend',
  'filterref',
  'tune',
  'teaming',
  'link',
  'mtu',
  'coalesce',
  'boot',
  'alias',
  'master',
  'rom',
  'acpi',
  'address',
  'privateData',
] as const;

function childRank(node: PreservedNode): number {
  if (node.kind !== 'element' || node.namespaceUri !== '') return Infinity;
  const i = (INTERFACE_CHILD_ORDER as readonly string[]).indexOf(node.name);
  return i < 0 ? Infinity : i;
}

const rankOf = (name: (typeof INTERFACE_CHILD_ORDER)[number]): number => INTERFACE_CHILD_ORDER.indexOf(name);

const yesNo = (v: boolean | undefined): string | undefined => (v === undefined ? undefined : v ? 'yes' : 'no');

/** The typed children that have something to write, as single lines without indentation. */
function typedLines(iface: GuestInterface, inactive: boolean): Array<{ rank: number; item: string }> {
  const lines: Array<{ rank: number; item: string }> = [];
  const add = (name: (typeof INTERFACE_CHILD_ORDER)[number], attrs: string): void => {
    if (attrs !== '') lines.push({ rank: rankOf(name), item: `<${name}${attrs}/>` });
  };
  add('mac', attrText('address', iface.mac) + attrText('type', iface.macType) + attrText('check', yesNo(iface.macCheck)));
  if (iface.type === 'network') {
    add(
      'source',
      attrText('network', iface.source) +
        attrText('portgroup', iface.portgroup) +
        (inactive ? '' : attrText('portid', iface.portid) + attrText('bridge', iface.actualBridge)),
    );
  } else {
    add('source', attrText('bridge', iface.source));
  }
  const dropTarget = inactive && iface.target !== undefined && iface.targetManaged !== false && isGeneratedTarget(iface.target);
  add('target', attrText('dev', dropTarget ? undefined : iface.target) + attrText('managed', yesNo(iface.targetManaged)));
  add('model', attrText('type', iface.model));
  const alias = iface.alias !== undefined && (!inactive || isUserAlias(iface.alias)) ? iface.alias : undefined;
  add('alias', attrText('name', alias));
  return lines;
}

const NO_HOOKS: RenderHooks = { interfaces: () => '' };

/** One interface at indentation `level`, ending with a newline. */
export function formatInterface(iface: GuestInterface, options: { inactive?: boolean; level?: number } = {}): string {
  const inactive = options.inactive === true;
  const level = options.level ?? 0;
  let out = `${pad(level)}<interface${attrText('type', iface.type)}${attrText('trustGuestRxFilters', yesNo(iface.trustGuestRxFilters))}>\n`;
  for (const entry of mergeByRank(typedLines(iface, inactive), iface.extra, childRank)) {
    out += 'typed' in entry ? `${pad(level + 1)}${entry.typed}\n` : renderNode(entry.kept, level + 1, NO_HOOKS, 3);
  }
  return `${out}${pad(level)}</interface>\n`;
}
