/**
 * Writing a <networkport> document in libvirt's layout
 * (virNetworkPortDefFormatBuf): uuid, owner, group, mac, virtualport,
 * bandwidth (with its classID), vlan, port isolated, rxfilters, then the plug.
 */
import { formatBandwidth, formatVirtualPort, formatVlan } from './format-netdev.js';
import { NetworkXmlOutput } from './format-output.js';
import type { NetworkPortDef } from './port-types.js';

const yesNo = (v: boolean): string => (v ? 'yes' : 'no');

export function formatNetworkPortXml(def: NetworkPortDef): string {
  const out = new NetworkXmlOutput();
  out.start('networkport');
  out.textElement('uuid', def.uuid);
  out.start('owner').textElement('name', def.owner.name).textElement('uuid', def.owner.uuid).end('owner');
  if (def.group !== undefined) out.textElement('group', def.group);
  out.empty('mac', [['address', def.mac]]);
  formatVirtualPort(out, def.virtualPort);
  formatBandwidth(out, def.bandwidth, def.bandwidth?.classId);
  formatVlan(out, def.vlan);
  if (def.isolated !== undefined) out.empty('port', [['isolated', yesNo(def.isolated)]]);
  if (def.trustGuestRxFilters !== undefined) out.empty('rxfilters', [['trustGuest', yesNo(def.trustGuestRxFilters)]]);
  const plug = def.plug;
  if (plug?.type === 'network' || plug?.type === 'bridge') {
    out.empty('plug', [
      ['type', plug.type],
      ['bridge', plug.bridge],
      ['macTableManager', plug.macTableManager],
    ]);
  } else if (plug?.type === 'direct') {
    out.empty('plug', [
      ['type', 'direct'],
      ['dev', plug.dev],
      ['mode', plug.mode],
    ]);
  }
  out.end('networkport');
  return out.toString();
}
