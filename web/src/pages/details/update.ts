/**
 * net-update from the console: the flags a change gets (a running
 * persistent network: live and config; a running transient one: live; a
 * stopped one: config), based on the version the page shows.
 */
import type { NetworkInfo, UpdateFlags } from '../../../../src/contract/network-api.js';
import type { UpdateCommand, UpdateSection } from '../../../../src/conf/network/update.js';
import { client, basedOn } from '../../api/client.js';

export function updateFlags(info: NetworkInfo): UpdateFlags {
  if (info.active && info.persistent) return { live: true, config: true };
  if (info.active) return { live: true };
  return { config: true };
}

/** One net-update, to be run with the version it is based on (useNetworkChange). */
export function netUpdate(info: NetworkInfo, command: UpdateCommand, section: UpdateSection, parentIndex: number, xml: string) {
  return (ifMatch: string | undefined) =>
    client.update(info.name, { command, section, parentIndex, xml, flags: updateFlags(info) }, basedOn(ifMatch));
}
