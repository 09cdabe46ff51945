import type { NetworkDef } from './types.js';

/** net-update commands (virsh's `add` is a synonym of `add-last`). */
export type UpdateCommand = 'add-first' | 'add-last' | 'delete' | 'modify';

/** net-update sections, as virsh names them. */
export type UpdateSection =
  | 'bridge'
  | 'domain'
  | 'ip'
  | 'ip-dhcp-host'
  | 'ip-dhcp-range'
  | 'forward'
  | 'forward-interface'
  | 'forward-pf'
  | 'portgroup'
  | 'dns-host'
  | 'dns-txt'
  | 'dns-srv';

/**
 * Apply one net-update to a copy of `def` and return the copy
 * (libvirt's virNetworkDefUpdateSection). `parentIndex` selects the <ip> for
 * ip-dhcp-* sections; -1 means libvirt's default choice. Throws VirError
 * with libvirt's texts.
 */
export function applyUpdate(
  def: NetworkDef,
  command: UpdateCommand,
  section: UpdateSection,
  parentIndex: number,
  xml: string,
): NetworkDef {
  void def;
  void command;
  void section;
  void parentIndex;
  void xml;
  throw new Error('not implemented');
}
