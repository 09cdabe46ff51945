/**
 * Reading `<virtnet:forwards>` (port-forward-types.ts) out of `<metadata>`,
 * matched by namespace URI under any prefix, with its parse-time checks.
 * The element is taken out of the metadata the document keeps (MetadataDef)
 * and held typed instead; the formatter puts it back at the same place.
 */
import type { XmlElementNode } from '../../xml/reader.js';
import { formatIp, parseIp } from '../../util/ip.js';
import type { MetadataDef } from '../common/types.js';
import { prop, xmlError } from '../common/parse-helpers.js';
import { forwardLabel, forwardsCollide, ipv4Literal, parsePortRange, rangeLength, targetProblem } from './port-forward.js';
import { FORWARD_PROTOS, FORWARDS_NAMESPACE, type ForwardProto, type PortForwardDef, type PortForwardsDef } from './port-forward-types.js';
import type { NetworkDef } from './types.js';

/** Why a listen address cannot be used, or undefined: it must be a unicast IPv4 address other than loopback. */
export function listenAddressProblem(text: string): string | undefined {
  const a = parseIp(text);
  if (a === undefined || a.family !== 'ipv4') return 'is not an IPv4 address';
  const first = Number(a.value >> 24n);
  if (first === 127) return 'is a loopback address, which is never forwarded';
  if (first === 0 || first >= 224) return 'is not a unicast address';
  return undefined;
}

/** Why a guest name cannot be a target, or undefined. */
function targetNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'holds a control character';
  return undefined;
}

/** The longest range whose ports a forward changes (one kernel map element per port). */
const MAX_TRANSLATED_PORTS = 1024;

const where = (network: string): string => `in a port forward of network '${network}'`;

/**
 * One forward from its attributes' texts (`proto`, `address`, `port`, `to`,
 * `toport`, `toaddress`), with every check that needs nothing else: the
 * XML reader and the API both read forwards through it.
 */
export function readPortForward(attr: (name: string) => string | undefined, network: string): PortForwardDef {
  const protoText = attr('proto') ?? 'tcp';
  if (!(FORWARD_PROTOS as readonly string[]).includes(protoText)) {
    throw xmlError(`invalid proto '${protoText}' ${where(network)}: tcp, udp or both`);
  }
  const portText = attr('port');
  if (portText === undefined) throw xmlError(`missing port ${where(network)}`);
  const port = parsePortRange(portText);
  if (port === undefined) throw xmlError(`invalid port '${portText}' ${where(network)}: a port or range within 1-65535`);
  const to = attr('to');
  if (to === undefined) throw xmlError(`missing to ${where(network)}`);
  const nameProblem = targetNameProblem(to);
  if (nameProblem !== undefined) throw xmlError(`invalid to '${to}' ${where(network)}: it ${nameProblem}`);
  const f: PortForwardDef = { proto: protoText as ForwardProto, port, to: ipv4Literal(to) ?? to };

  const address = attr('address');
  if (address !== undefined) {
    const problem = listenAddressProblem(address);
    if (problem !== undefined) throw xmlError(`invalid address '${address}' ${where(network)}: it ${problem}`);
    f.address = formatIp(parseIp(address)!);
  }
  const toPortText = attr('toport');
  if (toPortText !== undefined) {
    const toPort = parsePortRange(toPortText);
    if (toPort === undefined) throw xmlError(`invalid toport '${toPortText}' ${where(network)}: a port or range within 1-65535`);
    if (rangeLength(toPort) !== rangeLength(port)) {
      throw xmlError(`toport '${toPortText}' ${where(network)} does not have as many ports as port '${portText}'`);
    }
    if (toPort.start !== port.start || toPort.end !== port.end) {
      // Each port of a range that changes its ports is an element of its own in the kernel's maps.
      if (rangeLength(port) > MAX_TRANSLATED_PORTS) {
        throw xmlError(`port '${portText}' ${where(network)} goes to other ports: such a range holds at most ${MAX_TRANSLATED_PORTS} ports`);
      }
      f.toPort = toPort;
    }
  }
  const toAddress = attr('toaddress');
  if (toAddress !== undefined && ipv4Literal(f.to) === undefined) {
    const a = ipv4Literal(toAddress);
    if (a === undefined) throw xmlError(`invalid toaddress '${toAddress}' ${where(network)}`);
    f.toAddress = a;
  }
  return f;
}

/** One `<virtnet:forward>`, checked on its own (parse-time errors name the network). */
function parsePortForward(el: XmlElementNode, network: string): PortForwardDef {
  return readPortForward((name) => prop(el, name), network);
}

/** The kept children of `<metadata>`, as libvirt keeps them: elements in a namespace, the first of each. */
function keptChildren(md: XmlElementNode): XmlElementNode[] {
  const seen = new Set<string>();
  const kept: XmlElementNode[] = [];
  for (const c of md.children) {
    if (c.kind !== 'element' || c.namespaceUri === '' || seen.has(c.namespaceUri)) continue;
    seen.add(c.namespaceUri);
    kept.push(c);
  }
  return kept;
}

/**
 * The port forwards in `<metadata>` (`md`), and the metadata without
 * their element. `metadata` is what the document keeps of `<metadata>`
 * (one dump per kept child, in the same order). A network with no
 * `<virtnet:forwards>` gets undefined and its metadata as it is.
 */
export function takePortForwards(
  md: XmlElementNode | undefined,
  metadata: MetadataDef | undefined,
  network: string,
): { forwards?: PortForwardsDef; metadata?: MetadataDef } {
  const rest = (): { metadata?: MetadataDef } => (metadata ? { metadata } : {});
  if (md === undefined) return rest();
  const kept = keptChildren(md);
  const at = kept.findIndex((c) => c.namespaceUri === FORWARDS_NAMESPACE);
  if (at < 0) return rest();
  const el = kept[at]!;
  if (el.name !== 'forwards')
    throw xmlError(`unexpected element <${el.prefix === '' ? '' : `${el.prefix}:`}${el.name}> in the metadata of network '${network}'`);
  const forwards: PortForwardDef[] = [];
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    if (c.namespaceUri !== FORWARDS_NAMESPACE || c.name !== 'forward') {
      throw xmlError(`unexpected element <${c.name}> in the port forwards of network '${network}'`);
    }
    forwards.push(parsePortForward(c, network));
  }
  let left: MetadataDef | undefined;
  if (metadata) {
    const elements = metadata.elements.filter((_, i) => i !== at);
    // <metadata> that held only the forwards goes with them, unless it carries declarations of its own.
    if (elements.length > 0 || metadata.openTag !== undefined) left = { ...metadata, elements };
  }
  return { forwards: { forwards, position: at }, ...(left ? { metadata: left } : {}) };
}

/**
 * The checks of a network's forwards against the rest of it: only NAT
 * networks of a Linux bridge have them, an address `to` lies in one of its
 * IPv4 subnets, and no two of them catch the same packets.
 */
export function checkPortForwards(def: NetworkDef): void {
  const list = def.portForwards?.forwards ?? [];
  if (list.length === 0) return;
  if (def.forward.mode !== 'nat' || def.ovn !== undefined) {
    throw xmlError(`network '${def.name}' has port forwards, which only a network with <forward mode='nat'/> on a bridge of this host can have`);
  }
  list.forEach((f, i) => {
    const problem = targetProblem(f.to, def.ips);
    if (problem !== undefined) throw xmlError(`port forward ${forwardLabel(f)} of network '${def.name}' goes to ${f.to}, which ${problem}`);
    const other = list.slice(0, i).find((g) => forwardsCollide(f, g));
    if (other !== undefined) throw xmlError(`port forward ${forwardLabel(f)} of network '${def.name}' overlaps ${forwardLabel(other)}`);
  });
}
