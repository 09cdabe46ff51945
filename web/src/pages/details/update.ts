/**
 * net-update from the console: the flags a change gets (a running
 * persistent network: live and config; a running transient one: live; a
 * stopped one: config), and one call with a toast on failure.
 */
import type { NetworkInfo, UpdateFlags } from '../../../../src/contract/network-api.js';
import type { UpdateCommand, UpdateSection } from '../../../../src/conf/network/update.js';
import { networksApi } from '../../api/networks.js';

export function updateFlags(info: NetworkInfo): UpdateFlags {
  if (info.active && info.persistent) return { live: true, config: true };
  if (info.active) return { live: true };
  return { config: true };
}

export function netUpdate(info: NetworkInfo, command: UpdateCommand, section: UpdateSection, parentIndex: number, xml: string) {
  return networksApi.update(info.name, { command, section, parentIndex, xml, flags: updateFlags(info) });
}
