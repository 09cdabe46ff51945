/**
 * net-update as a pure function (libvirt's virNetworkDefUpdateSection):
 * parse the one-element snippet, hand it to the section's handler, and
 * return a changed copy. The live/config flags, the format/parse
 * re-validation and the effects on a running network belong to the driver.
 */
import type { NetworkDef } from './types.js';
import { readXml } from '../../xml/reader.js';
import { parseUpdateCommand, parseUpdateSection } from './update-names.js';
import { type SectionUpdate, type UpdateCommand, type UpdateSection, noSupport } from './update-common.js';
import { updateDhcpHost, updateDhcpRange } from './update-dhcp.js';
import { updateForwardInterface } from './update-forward.js';
import { updatePortGroup } from './update-portgroup.js';
import { updateDnsHost, updateDnsSrv, updateDnsTxt } from './update-dns.js';
import { checkDhcpEntries, checkDnsRecordsServed } from './validate-served.js';
import { collectRefusedValues } from './refused-values.js';

export type { UpdateCommand, UpdateSection } from './update-common.js';
export { UPDATE_COMMANDS, UPDATE_SECTIONS, parseUpdateCommand, parseUpdateSection } from './update-names.js';
export { selectDhcpIp } from './update-dhcp.js';

/** The document label libvirt gives snippets in XML parse errors. */
const UPDATE_XML_LABEL = 'network_update_xml';

/** Sections libvirt refuses, under the name its message uses for each (virNetworkDefUpdateNoSupport). */
const refuse =
  (label: string) =>
  (u: SectionUpdate): never => {
    throw noSupport(u.def, label);
  };

const HANDLERS: Record<UpdateSection, (u: SectionUpdate) => void> = {
  bridge: refuse('bridge'),
  domain: refuse('domain'),
  ip: refuse('ip'),
  'ip-dhcp-host': updateDhcpHost,
  'ip-dhcp-range': updateDhcpRange,
  forward: refuse('forward'),
  'forward-interface': updateForwardInterface,
  'forward-pf': refuse('forward pf'),
  portgroup: updatePortGroup,
  'dns-host': updateDnsHost,
  'dns-txt': updateDnsTxt,
  'dns-srv': updateDnsSrv,
};

/**
 * Apply one net-update to a copy of `def` and return the copy
 * (libvirt's virNetworkDefUpdateSection). `parentIndex` selects the <ip> for
 * ip-dhcp-* sections; -1 means libvirt's default choice. Throws VirError
 * with libvirt's texts; `def` is never changed.
 *
 * Callers holding plain strings (CLI, REST) are checked here as virsh checks
 * them, so an unknown name fails with virsh's text before anything is parsed.
 */
export function applyUpdate(def: NetworkDef, command: UpdateCommand, section: UpdateSection, parentIndex: number, xml: string): NetworkDef {
  const cmd = parseUpdateCommand(command);
  const sec = parseUpdateSection(section);
  const handler = HANDLERS[sec];
  // libvirt parses the snippet before looking at the section, so malformed XML wins.
  const el = readXml(xml, { label: UPDATE_XML_LABEL });
  const copy = structuredClone(def);
  // A delete only matches: it may name a value define now refuses, to remove it from a config an earlier virtnet saved.
  if (cmd === 'delete') collectRefusedValues(() => handler({ def: copy, command: cmd, parentIndex, el }));
  else handler({ def: copy, command: cmd, parentIndex, el });
  // What net-define refuses, an added or changed entry is refused for too (validate-served.ts).
  if (cmd !== 'delete') {
    if (sec === 'ip-dhcp-host' || sec === 'ip-dhcp-range') checkDhcpEntries(copy);
    if (sec === 'dns-host' || sec === 'dns-txt' || sec === 'dns-srv') checkDnsRecordsServed(copy);
  }
  return copy;
}
