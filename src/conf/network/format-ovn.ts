/**
 * Writing `<virtnet:ovn>` (ovn-types.ts) in the layout of the rest of the
 * network XML; the namespace is declared on <network> (format.ts).
 */
import type { NetworkXmlOutput } from './format-output.js';
import { OVN_PREFIX, type OvnDef } from './ovn-types.js';

const el = (name: string): string => `${OVN_PREFIX}:${name}`;

export function formatOvn(out: NetworkXmlOutput, ovn: OvnDef | undefined): void {
  if (ovn === undefined) return;
  const empty = ovn.uplink === undefined && ovn.gateways.length === 0 && ovn.addressSets.length === 0 && ovn.acls.length === 0;
  const attrs: [string, string | undefined][] = [['northbound', ovn.northbound]];
  if (empty) {
    out.empty(el('ovn'), attrs);
    return;
  }
  out.start(el('ovn'), attrs);
  const u = ovn.uplink;
  if (u) {
    out.empty(el('uplink'), [
      ['network', u.network],
      ['address', u.address],
      ['prefix', String(u.prefix)],
      ['gateway', u.gateway],
    ]);
  }
  for (const g of ovn.gateways) {
    out.empty(el('gateway'), [
      ['chassis', g.chassis],
      ['priority', String(g.priority)],
    ]);
  }
  for (const s of ovn.addressSets) {
    if (s.addresses.length === 0) {
      out.empty(el('addressSet'), [['name', s.name]]);
      continue;
    }
    out.start(el('addressSet'), [['name', s.name]]);
    for (const a of s.addresses) out.textElement(el('address'), a);
    out.end(el('addressSet'));
  }
  for (const a of ovn.acls) {
    out.empty(el('acl'), [
      ['direction', a.direction],
      ['priority', String(a.priority)],
      ['action', a.action],
      ['match', a.match],
    ]);
  }
  out.end(el('ovn'));
}
