/**
 * The creation wizard's logic, pure so it is easy to follow and test:
 *
 * - defaults as virt-manager has them: a unique name ("network",
 *   "network1"…), IPv4 as a network in CIDR form (192.168.100.0/24, or the
 *   next /24 that is free), the gateway at its first address and the DHCP
 *   range from the middle to the second-last address, IPv6 off (gateway
 *   ::1, range ::100–::1ff of the prefix), NAT to any device, the DNS domain
 *   named after the network; the gateway and range follow the network field;
 * - the checks before submit: name characters and uniqueness, and a DNS
 *   domain made from the name that the daemon would take (checked on the
 *   first step: src/conf/network/dnsmasq-syntax.ts, the parser's rule),
 *   CIDR syntax, the range inside the subnet and in order, the gateway
 *   outside it, and no overlap with another network or a host route (the
 *   runtime's own rule, imported: src/plan/plan-collision.ts: IPv4 only,
 *   any overlap, default routes excepted; an inactive network only warns,
 *   as only one of two may run);
 * - the network XML it makes, and the equivalent virtnet commands;
 * - where the network lives: on this host (a Linux bridge), or across
 *   hosts in OVN (`<virtnet:ovn>`: its northbound database, and for nat or
 *   route the uplink and the gateway chassis, highest priority first);
 *   OVN networks take nat, route or isolated, IPv4 only.
 */
import {
  broadcastOf,
  compareIp,
  effectivePrefix,
  formatIp,
  inSubnet,
  networkOf,
  parseIp,
  subnetsOverlap,
  type IpAddress,
} from '../../../src/util/ip.js';
import type { HostInfoBody } from '../../../src/contract/console-api.js';
import type { NetworkDef } from '../../../src/conf/network/types.js';
import { ipv4SubnetOf, occupiedSubnets } from '../../../src/plan/plan-collision.js';
import { isDnsmasqDomain } from '../../../src/conf/network/dnsmasq-syntax.js';
import { specialSubnet, type SpecialSubnet } from '../../../src/conf/network/validate-served.js';
import { escapeText, element } from './xml.js';

export type ForwardMode = 'nat' | 'route' | 'open' | 'isolated' | 'bridge';
export const FORWARD_MODES: readonly ForwardMode[] = ['nat', 'route', 'open', 'isolated', 'bridge'];

export interface IpSettings {
  enabled: boolean;
  /** The network in CIDR form; host bits are accepted and ignored. */
  network: string;
  gateway: string;
  dhcp: boolean;
  start: string;
  end: string;
}

/** Where the network lives. */
export interface WhereSettings {
  kind: 'host' | 'ovn';
  /** OVN: the northbound database (tcp:HOST:PORT or unix:PATH). */
  northbound: string;
  /** OVN nat/route: the physical network the router's uplink port is on (ovn-bridge-mappings). */
  uplinkNetwork: string;
  /** OVN nat/route: the router's address there, in CIDR form. */
  uplinkAddress: string;
  uplinkGateway: string;
  /** OVN nat/route: the gateway chassis, highest priority first, comma-separated. */
  gateways: string;
}

export const OVN_NAMESPACE = 'https://virtnet.dev/schemas/network/ovn/1';
/** The forward modes an OVN network takes. */
export const OVN_MODES: readonly ForwardMode[] = ['nat', 'route', 'isolated'];

export interface WizardState {
  name: string;
  where: WhereSettings;
  ipv4: IpSettings;
  ipv6: IpSettings;
  forward: { mode: ForwardMode /** '' = any device */; dev: string /** bridge mode: the existing host bridge */; bridge: string };
  domain: { mode: 'network' | 'custom' | 'none'; custom: string };
  start: boolean;
  autostart: boolean;
}

/** Another network, as the checks see it: its model as the daemon sent it (live when it runs). */
export interface OtherNetwork {
  name: string;
  active: boolean;
  bridge?: string;
  def?: NetworkDef;
}

export type Step = 'name' | 'ipv4' | 'ipv6' | 'forward';

/** One check's finding: a message key of the `check` catalog section and its values. */
export interface Finding {
  step: Step;
  field: string;
  key: CheckKey;
  values?: Record<string, string>;
  /** Warnings do not block the wizard. */
  warning?: boolean;
}

export type CheckKey =
  | 'nameRequired'
  | 'nameSlash'
  | 'nameNewline'
  | 'nameTaken'
  | 'cidrRequired'
  | 'cidrSyntax'
  | 'cidrFamily4'
  | 'cidrFamily6'
  | 'cidrTooSmall'
  | 'addressSyntax'
  | 'outsideSubnet'
  | 'networkAddress'
  | 'broadcastAddress'
  | 'rangeOrder'
  | 'gatewayInRange'
  | 'overlapActive'
  | 'overlapInactive'
  | 'overlapRoute'
  | 'bridgeRequired'
  | 'domainRequired'
  | 'domainSyntax'
  | 'domainFromName'
  | 'nameNotDomain'
  | 'loopbackSubnet'
  | 'multicastSubnet'
  | 'linkLocalSubnet'
  | 'northboundSyntax'
  | 'ovnMode'
  | 'ovnIpv6'
  | 'uplinkCidr'
  | 'uplinkGateway'
  | 'gatewaysRequired';

const SPECIAL_KEY: Record<SpecialSubnet, CheckKey> = { loopback: 'loopbackSubnet', multicast: 'multicastSubnet', 'link-local': 'linkLocalSubnet' };

export function suggestName(taken: readonly string[]): string {
  const names = new Set(taken);
  if (!names.has('network')) return 'network';
  for (let i = 1; ; i++) if (!names.has(`network${i}`)) return `network${i}`;
}

export interface Cidr {
  network: IpAddress;
  prefix: number;
  /** The address as typed, before masking. */
  address: IpAddress;
}

/** Parse "A/N" of the given family; undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^\s*([0-9a-fA-F:.]+)\/(\d{1,3})\s*$/.exec(text);
  if (!m) return undefined;
  const address = parseIp(m[1] ?? '');
  const prefix = Number(m[2]);
  if (!address || prefix > (address.family === 'ipv4' ? 32 : 128)) return undefined;
  return { network: networkOf(address, prefix), prefix, address };
}

const add = (a: IpAddress, n: bigint): IpAddress => ({ family: a.family, value: a.value + n });

/** virt-manager's computed fields for a network: gateway .1, DHCP from the middle to the second-last address. */
export function ipv4Computed(cidr: string): Pick<IpSettings, 'gateway' | 'start' | 'end'> | undefined {
  const c = parseCidr(cidr);
  if (c?.network.family !== 'ipv4' || c.prefix > 30) return undefined;
  const size = 1n << BigInt(32 - c.prefix);
  return { gateway: formatIp(add(c.network, 1n)), start: formatIp(add(c.network, size / 2n)), end: formatIp(add(c.network, size - 2n)) };
}

/** IPv6: gateway ::1, DHCPv6 range ::100–::1ff of the prefix. */
export function ipv6Computed(cidr: string): Pick<IpSettings, 'gateway' | 'start' | 'end'> | undefined {
  const c = parseCidr(cidr);
  if (c?.network.family !== 'ipv6' || c.prefix > 119) return undefined;
  return { gateway: formatIp(add(c.network, 1n)), start: formatIp(add(c.network, 0x100n)), end: formatIp(add(c.network, 0x1ffn)) };
}

/** IPv4 subnets in use: other networks' (with whether they run) and the host's routes, per the runtime's rule. */
interface Occupied {
  network: IpAddress;
  prefix: number;
  kind: 'active' | 'inactive' | 'route';
  /** Network name, or route device. */
  who: string;
  cidr: string;
}

/** The subnet of a network or route, in CIDR text. */
const cidrOf = (s: { network: IpAddress; prefix: number }): string => `${formatIp(s.network)}/${s.prefix}`;

/**
 * What a new IPv4 subnet must not overlap, by the runtime's own rule
 * (occupiedSubnets: running networks, then the host's routes), named for
 * the user: a running network by its name rather than its bridge; then
 * the stopped networks, which only warn.
 */
function occupiedIpv4(others: readonly OtherNetwork[], host: HostInfoBody | undefined): Occupied[] {
  const out: Occupied[] = [];
  const running = others.filter((o) => o.active && o.def !== undefined);
  const byBridge = new Map(running.flatMap((o) => (o.def?.bridge.name ? [[o.def.bridge.name, o.name] as const] : [])));
  const seen = new Set<string>();
  for (const s of occupiedSubnets(
    running.map((o) => o.def as NetworkDef),
    host?.routes ?? [],
  )) {
    const net = byBridge.get(s.iface);
    const key = `${net ?? s.iface}|${cidrOf(s)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ network: s.network, prefix: s.prefix, kind: net !== undefined ? 'active' : 'route', who: net ?? s.iface, cidr: cidrOf(s) });
  }
  for (const o of others) {
    if (o.active) continue;
    for (const ip of o.def?.ips ?? []) {
      const s = ipv4SubnetOf(ip);
      if (s) out.push({ ...s, kind: 'inactive', who: o.name, cidr: cidrOf(s) });
    }
  }
  return out;
}

function checkIp(step: 'ipv4' | 'ipv6', s: IpSettings, others: readonly OtherNetwork[], host: HostInfoBody | undefined): Finding[] {
  const out: Finding[] = [];
  if (!s.enabled) return out;
  const family = step;
  if (s.network.trim() === '') return [{ step, field: 'network', key: 'cidrRequired' }];
  const c = parseCidr(s.network);
  if (!c) return [{ step, field: 'network', key: 'cidrSyntax' }];
  if (c.network.family !== family) return [{ step, field: 'network', key: family === 'ipv4' ? 'cidrFamily4' : 'cidrFamily6' }];
  const maxPrefix = family === 'ipv4' ? 30 : 126;
  if (c.prefix > maxPrefix) return [{ step, field: 'network', key: 'cidrTooSmall', values: { max: String(maxPrefix) } }];
  // The daemon's own rule (validate-served.ts): such a subnet cannot carry a network.
  const special = specialSubnet(c.network, c.prefix);
  if (special) return [{ step, field: 'network', key: SPECIAL_KEY[special], values: { subnet: `${formatIp(c.network)}/${c.prefix}` } }];
  const bcast = broadcastOf(c.network, c.prefix);

  const address = (field: string, text: string): IpAddress | undefined => {
    const a = parseIp(text.trim());
    if (!a || a.family !== family) {
      out.push({ step, field, key: 'addressSyntax' });
      return undefined;
    }
    if (!inSubnet(a, c.network, c.prefix)) {
      out.push({ step, field, key: 'outsideSubnet', values: { subnet: `${formatIp(c.network)}/${c.prefix}` } });
      return undefined;
    }
    if (a.value === c.network.value) {
      out.push({ step, field, key: 'networkAddress' });
      return undefined;
    }
    if (family === 'ipv4' && a.value === bcast.value) {
      out.push({ step, field, key: 'broadcastAddress' });
      return undefined;
    }
    return a;
  };

  const gateway = address('gateway', s.gateway);
  if (s.dhcp) {
    const start = address('start', s.start);
    const end = address('end', s.end);
    if (start && end && compareIp(start, end) > 0) out.push({ step, field: 'end', key: 'rangeOrder' });
    else if (start && end && gateway && compareIp(gateway, start) >= 0 && compareIp(gateway, end) <= 0) {
      out.push({ step, field: 'gateway', key: 'gatewayInRange' });
    }
  }

  if (family === 'ipv4') {
    for (const o of occupiedIpv4(others, host)) {
      if (!subnetsOverlap(c.network, c.prefix, o.network, o.prefix)) continue;
      const key: CheckKey = o.kind === 'active' ? 'overlapActive' : o.kind === 'inactive' ? 'overlapInactive' : 'overlapRoute';
      out.push({ step, field: 'network', key, values: { who: o.who, subnet: o.cidr }, ...(o.kind === 'inactive' ? { warning: true } : {}) });
    }
  } else {
    for (const o of others) {
      for (const ip of o.def?.ips ?? []) {
        const a = ip.address === undefined ? undefined : parseIp(ip.address);
        const prefix = effectivePrefix(ip);
        if (a?.family !== 'ipv6' || prefix <= 0) continue;
        if (subnetsOverlap(c.network, c.prefix, a, prefix)) {
          out.push({
            step,
            field: 'network',
            key: o.active ? 'overlapActive' : 'overlapInactive',
            values: { who: o.name, subnet: cidrOf({ network: networkOf(a, prefix), prefix }) },
            warning: true,
          });
        }
      }
    }
  }
  return out;
}

/** Every finding for the state; errors block their step, warnings do not. */
export function checkWizard(state: WizardState, others: readonly OtherNetwork[], host: HostInfoBody | undefined): Finding[] {
  const out: Finding[] = [];
  const name = state.name;
  if (name.trim() === '') out.push({ step: 'name', field: 'name', key: 'nameRequired' });
  else if (name.includes('/')) out.push({ step: 'name', field: 'name', key: 'nameSlash' });
  else if (name.includes('\n')) out.push({ step: 'name', field: 'name', key: 'nameNewline' });
  else if (others.some((o) => o.name === name)) out.push({ step: 'name', field: 'name', key: 'nameTaken', values: { name } });
  else if (state.forward.mode !== 'bridge' && state.domain.mode === 'network' && !isDnsmasqDomain(name)) {
    // The DNS domain is made from the name: the daemon would refuse it at Create, so say it here, on the first step.
    out.push({ step: 'name', field: 'name', key: 'nameNotDomain' });
  }

  const usesIp = state.forward.mode !== 'bridge';
  const ovn = state.where.kind === 'ovn';
  if (usesIp) {
    // An OVN network's subnet is not on this host: the host's routes do not get in its way.
    out.push(...checkIp('ipv4', state.ipv4, others, ovn ? undefined : host));
    out.push(...checkIp('ipv6', state.ipv6, others, ovn ? undefined : host));
  }
  if (ovn) out.push(...checkOvn(state));
  if (state.forward.mode === 'bridge' && state.forward.bridge === '') out.push({ step: 'forward', field: 'bridge', key: 'bridgeRequired' });
  if (usesIp && state.domain.mode === 'custom') {
    if (state.domain.custom.trim() === '') out.push({ step: 'forward', field: 'domain', key: 'domainRequired' });
    else if (!isDnsmasqDomain(state.domain.custom.trim())) out.push({ step: 'forward', field: 'domain', key: 'domainSyntax' });
  }
  return out;
}

const OVN_REMOTE = /^(tcp:[^\s:]+:\d{1,5}|tcp:\[[0-9A-Fa-f:.]+\]:\d{1,5}|unix:\/\S+)$/;

/** The gateway chassis names, in order of priority. */
export function gatewayList(text: string): string[] {
  return text
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
}

function checkOvn(state: WizardState): Finding[] {
  const out: Finding[] = [];
  const w = state.where;
  if (!OVN_REMOTE.test(w.northbound.trim())) out.push({ step: 'name', field: 'northbound', key: 'northboundSyntax' });
  if (!OVN_MODES.includes(state.forward.mode)) out.push({ step: 'forward', field: 'mode', key: 'ovnMode' });
  if (state.ipv6.enabled) out.push({ step: 'ipv6', field: 'network', key: 'ovnIpv6' });
  if (state.forward.mode === 'nat' || state.forward.mode === 'route') {
    const c = parseCidr(w.uplinkAddress);
    if (c?.address.family !== 'ipv4') out.push({ step: 'forward', field: 'uplinkAddress', key: 'uplinkCidr' });
    const g = parseIp(w.uplinkGateway.trim());
    if (g?.family !== 'ipv4') out.push({ step: 'forward', field: 'uplinkGateway', key: 'uplinkGateway' });
    if (w.uplinkNetwork.trim() === '' || gatewayList(w.gateways).length === 0)
      out.push({ step: 'forward', field: 'gateways', key: 'gatewaysRequired' });
  }
  return out;
}

/** The first free /24 from 192.168.100.0 on (virt-manager's default), given what is in use. */
export function suggestIpv4(others: readonly OtherNetwork[], host: HostInfoBody | undefined): string {
  const used = occupiedIpv4(others, host);
  for (let third = 100; third < 256; third++) {
    const cidr = `192.168.${third}.0/24`;
    const c = parseCidr(cidr);
    if (c && !used.some((o) => subnetsOverlap(c.network, c.prefix, o.network, o.prefix))) return cidr;
  }
  return '192.168.100.0/24';
}

export function initialState(others: readonly OtherNetwork[], host: HostInfoBody | undefined): WizardState {
  const v4 = suggestIpv4(others, host);
  const c4 = ipv4Computed(v4);
  return {
    name: suggestName(others.map((o) => o.name)),
    where: { kind: 'host', northbound: '', uplinkNetwork: 'uplink', uplinkAddress: '', uplinkGateway: '', gateways: '' },
    ipv4: { enabled: true, network: v4, gateway: c4?.gateway ?? '', dhcp: true, start: c4?.start ?? '', end: c4?.end ?? '' },
    ipv6: { enabled: false, network: '', gateway: '', dhcp: false, start: '', end: '' },
    forward: { mode: 'nat', dev: '', bridge: '' },
    domain: { mode: 'network', custom: '' },
    start: true,
    autostart: true,
  };
}

/** The state after the IPv4/IPv6 network field changes: gateway and range follow it. */
export function withNetwork(state: WizardState, family: 'ipv4' | 'ipv6', network: string): WizardState {
  const computed = family === 'ipv4' ? ipv4Computed(network) : ipv6Computed(network);
  return { ...state, [family]: { ...state[family], network, ...(computed ?? {}) } };
}

function ipXml(s: IpSettings, family: 'ipv4' | 'ipv6'): string {
  const c = parseCidr(s.network);
  if (!c) return '';
  const range = s.dhcp ? `\n    <dhcp>\n      ${element('range', { start: s.start.trim(), end: s.end.trim() })}\n    </dhcp>\n  ` : '';
  const attrs =
    family === 'ipv4'
      ? { address: s.gateway.trim(), netmask: formatIp({ family: 'ipv4', value: ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - c.prefix)) - 1n) }) }
      : { family: 'ipv6', address: s.gateway.trim(), prefix: c.prefix };
  return `  ${element('ip', attrs, range)}\n`;
}

/** <virtnet:ovn>: the northbound database, and for a router its uplink and gateway chassis (priorities 10 apart, the first highest). */
function ovnXml(state: WizardState): string {
  const w = state.where;
  const routed = state.forward.mode === 'nat' || state.forward.mode === 'route';
  if (!routed) return `  ${element('virtnet:ovn', { northbound: w.northbound.trim() })}\n`;
  const c = parseCidr(w.uplinkAddress);
  const gateways = gatewayList(w.gateways);
  const inner = [
    element('virtnet:uplink', {
      network: w.uplinkNetwork.trim(),
      address: c ? formatIp(c.address) : '',
      prefix: c?.prefix,
      gateway: w.uplinkGateway.trim(),
    }),
    ...gateways.map((g, i) => element('virtnet:gateway', { chassis: g, priority: 10 * (gateways.length - i) })),
  ];
  return `  ${element('virtnet:ovn', { northbound: w.northbound.trim() }, `\n    ${inner.join('\n    ')}\n  `)}\n`;
}

/** The network XML the wizard defines. */
export function buildNetworkXml(state: WizardState): string {
  const mode = state.forward.mode;
  const ovn = state.where.kind === 'ovn';
  let xml = `${ovn ? `<network xmlns:virtnet='${OVN_NAMESPACE}'>` : '<network>'}\n  <name>${escapeText(state.name)}</name>\n`;
  if (mode === 'nat' || mode === 'route') xml += `  ${element('forward', { mode, dev: (!ovn && state.forward.dev) || undefined })}\n`;
  else if (mode === 'open') xml += `  ${element('forward', { mode: 'open' })}\n`;
  else if (mode === 'bridge') {
    xml += `  ${element('forward', { mode: 'bridge' })}\n  ${element('bridge', { name: state.forward.bridge })}\n`;
    return `${xml}</network>\n`;
  }
  const domain = state.domain.mode === 'network' ? state.name : state.domain.mode === 'custom' ? state.domain.custom.trim() : '';
  if (domain !== '') xml += `  ${element('domain', { name: domain })}\n`;
  if (state.ipv4.enabled) xml += ipXml(state.ipv4, 'ipv4');
  if (state.ipv6.enabled) xml += ipXml(state.ipv6, 'ipv6');
  if (ovn) xml += ovnXml(state);
  return `${xml}</network>\n`;
}

/** Quote a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The file the summary's XML is saved as, for the commands. */
export function xmlFileName(state: WizardState): string {
  return `${state.name.replace(/[^A-Za-z0-9_.-]/g, '_') || 'network'}.xml`;
}

/** The virtnet commands that do what Finish does, one per line (the XML is the summary's, saved as xmlFileName). */
export function equivalentCommands(state: WizardState): string[] {
  const name = shellQuote(state.name);
  const lines = [`virtnet net-define ${shellQuote(xmlFileName(state))}`];
  if (state.start) lines.push(`virtnet net-start ${name}`);
  if (state.autostart) lines.push(`virtnet net-autostart ${name}`);
  return lines;
}
