/**
 * Writing a <networkport> document in libvirt's layout
 * (virNetworkPortDefFormatBuf): uuid, owner, group, mac, then the plug.
 */
import { escapeXml } from '../../xml/escape.js';
import type { NetworkPortDef } from './port-types.js';

export function formatNetworkPortXml(def: NetworkPortDef): string {
  const lines = [
    '<networkport>',
    `  <uuid>${def.uuid}</uuid>`,
    '  <owner>',
    `    <name>${escapeXml(def.owner.name)}</name>`,
    `    <uuid>${def.owner.uuid}</uuid>`,
    '  </owner>',
  ];
  if (def.group !== undefined) lines.push(`  <group>${escapeXml(def.group)}</group>`);
  lines.push(`  <mac address='${def.mac}'/>`);
  const plug = def.plug;
  if (plug?.type === 'network' || plug?.type === 'bridge') {
    const manager = plug.macTableManager ? ` macTableManager='${plug.macTableManager}'` : '';
    lines.push(`  <plug type='${plug.type}' bridge='${escapeXml(plug.bridge)}'${manager}/>`);
  } else if (plug?.type === 'direct') {
    lines.push(`  <plug type='direct' dev='${escapeXml(plug.dev)}' mode='${plug.mode}'/>`);
  }
  lines.push('</networkport>', '');
  return lines.join('\n');
}
