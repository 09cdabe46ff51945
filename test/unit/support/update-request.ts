/** The net-update request the driver tests send for a DHCP host entry. */
import type { UpdateCommand } from '../../../src/conf/network/update-common.js';
import type { UpdateRequest } from '../../../src/contract/network-api.js';

/** net-update `command` of the <host> element `xml` in the first fitting <ip>'s <dhcp> (parentIndex -1, libvirt's default). */
export function dhcpHostUpdate(xml: string, flags: UpdateRequest['flags'], command: UpdateCommand = 'add-last'): UpdateRequest {
  return { command, section: 'ip-dhcp-host', parentIndex: -1, xml, flags };
}
