/**
 * The read-only guest commands:
 * - dumpxml [--inactive] [--xpath EXPR [--wrap]]: the guest's XML (the
 *   XPath filter as net-dumpxml's, xml-dump.ts; libxml2 loaded only then);
 * - domiflist [--inactive]: virsh's table of vNICs (Interface, Type,
 *   Source, Model, MAC; `-` for what is not set);
 * - domifaddr [--interface NAME] [--full] [--source lease]: the addresses
 *   the networks leased to the guest's vNICs, in virsh's printf layout
 *   (not a vsh table): an interface's name and MAC are printed on its first
 *   address only, unless --full. The header goes with -q, as virsh's.
 */
import type { GuestInterfaceAddress } from '../../contract/guest-api.js';
import { VirError } from '../../util/errors.js';
import type { CommandDef } from '../command.js';
import { optRequired, optString } from '../options.js';
import type { InterfaceStats } from '../../contract/traffic-api.js';
import { printTable } from '../table.js';
import type { Translator } from '../i18n/translate.js';
import { DOMAIN_OPT, lookupGuest } from './guest-client.js';
import { attempt } from './net-lifecycle.js';
import { printXmlDump, XML_DUMP_OPTS } from './xml-dump.js';

export const dumpxmlCmd: CommandDef = {
  name: 'dumpxml',
  help: 'domain information in XML',
  desc: 'Output the domain information as an XML dump to stdout.',
  opts: [DOMAIN_OPT, ...XML_DUMP_OPTS],
  async run(sh, cmd) {
    const dom = await lookupGuest(sh, cmd);
    if (!dom) return false;
    return printXmlDump(sh, cmd, (options) => sh.client().guestGetXml(dom.info.name, options));
  },
};

/** domifstat's eight lines, DEVICE as given. */
function statLines(iface: string, stats: InterfaceStats): string {
  const lines: string[] = [];
  for (const d of ['rx', 'tx'] as const) {
    const c = stats[d];
    lines.push(
      `${iface} ${d}_bytes ${c.bytes}`,
      `${iface} ${d}_packets ${c.packets}`,
      `${iface} ${d}_errs ${c.errors}`,
      `${iface} ${d}_drop ${c.dropped}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** virsh's domifstat: eight lines, DEVICE as given, the guest's view (rx is what it received). */
export const domifstatCmd: CommandDef = {
  name: 'domifstat',
  help: 'get network interface stats for a domain',
  desc: 'Get network interface stats for a running domain.',
  opts: [DOMAIN_OPT, { name: 'interface', kind: 'data', required: true, help: 'interface device specified by name or MAC Address' }],
  async run(sh, cmd) {
    const dom = await lookupGuest(sh, cmd);
    if (!dom) return false;
    const iface = optRequired(sh, cmd, 'interface');
    return attempt(
      sh,
      sh.t('Failed to get interface stats {domain} {interface}', { domain: dom.arg, interface: iface }),
      () => sh.client().guestInterfaceStats(dom.info.name, iface),
      (stats) => sh.print(statLines(iface, stats)),
    );
  },
};

const IFLIST_HEADER = ['Interface', 'Type', 'Source', 'Model', 'MAC'] as const;

export const domiflistCmd: CommandDef = {
  name: 'domiflist',
  help: 'list all domain virtual interfaces',
  desc: 'Get the summary of virtual interfaces for a domain.',
  opts: [DOMAIN_OPT, { name: 'inactive', kind: 'bool', help: 'get inactive rather than running configuration' }],
  async run(sh, cmd) {
    const dom = await lookupGuest(sh, cmd);
    if (!dom) return false;
    const ifaces = await sh.client().guestInterfaces(dom.info.name, { inactive: cmd.has('inactive') });
    printTable(
      sh,
      IFLIST_HEADER,
      ifaces.map((i) => [i.target || '-', i.type, i.source || '-', i.model || '-', i.mac || '-']),
    );
    return true;
  },
};

/** The address sources virsh knows; virtnet's guests have leases only. */
const ADDRESS_SOURCES = ['lease', 'agent', 'arp'];

/** printf's "%-Ns". */
const left = (text: string, width: number): string => text.padEnd(width);

/** The lines of domifaddr's body. */
export function formatAddresses(addrs: readonly GuestInterfaceAddress[], options: { full?: boolean; iface?: string } = {}): string {
  let out = '';
  let previous: string | undefined;
  for (const a of addrs) {
    if (options.iface !== undefined && a.name !== options.iface) continue;
    const key = `${a.name}\n${a.mac}`;
    const address = `${left(a.protocol, 12)} ${a.address}/${a.prefix}`;
    if (options.full || key !== previous) out += ` ${left(a.name, 10)} ${left(a.mac, 17)}    ${address}\n`;
    else out += ` ${left('-', 10)} ${left('-', 17)}    ${address}\n`;
    previous = key;
  }
  return out;
}

/** domifaddr's header, in the user's language. */
function domifaddrHeader(tr: Translator): string {
  return ` ${left(tr.t('Name'), 10)} ${left(tr.t('MAC address'), 20)} ${left(tr.t('Protocol'), 8)}     ${tr.t('Address')}\n${'-'.repeat(49)}${'-'.repeat(30)}\n`;
}

export const domifaddrCmd: CommandDef = {
  name: 'domifaddr',
  help: "Get network interfaces' addresses for a running domain",
  desc: "Get network interfaces' addresses for a running domain",
  opts: [
    DOMAIN_OPT,
    { name: 'interface', kind: 'string', help: 'network interface name' },
    { name: 'full', kind: 'bool', help: 'always display names and MACs of interfaces' },
    { name: 'source', kind: 'string', help: "address source: 'lease', 'agent', or 'arp'" },
  ],
  async run(sh, cmd) {
    const iface = optString(sh, cmd, 'interface');
    const source = optString(sh, cmd, 'source') ?? 'lease';
    if (!ADDRESS_SOURCES.includes(source)) {
      sh.error(sh.t("Unknown data source '{source}'", { source }));
      return false;
    }
    const dom = await lookupGuest(sh, cmd);
    if (!dom) return false;
    const opts: { full?: boolean; iface?: string } = { full: cmd.has('full') };
    if (iface !== undefined) opts.iface = iface;
    return attempt(
      sh,
      sh.t('Failed to query for interfaces addresses'),
      async () => {
        if (source !== 'lease') throw new VirError('OPERATION_UNSUPPORTED', `address source '${source}' is not supported; use 'lease'`);
        return sh.client().guestInterfaceAddresses(dom.info.name);
      },
      (addrs) => {
        sh.printExtra(domifaddrHeader(sh.tr));
        sh.print(formatAddresses(addrs, opts));
      },
    );
  },
};
