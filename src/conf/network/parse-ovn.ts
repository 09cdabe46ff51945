/**
 * Reading `<virtnet:ovn>` (ovn-types.ts), matched by namespace URI under
 * any prefix, with its parse-time checks: attributes present and well
 * formed. What OVN cannot do with the rest of the network is checked at
 * define time (validate-ovn.ts).
 */
import type { XmlElementNode } from '../../xml/reader.js';
import { parseIp } from '../../util/ip.js';
import { prop, stringValue, xmlError } from '../common/parse-helpers.js';
import { strToUInt } from '../common/parse-number.js';
import {
  OVN_ACL_ACTIONS,
  OVN_ACL_DIRECTIONS,
  OVN_ACL_PRIORITY_MAX,
  OVN_NAMESPACE,
  type OvnAcl,
  type OvnAclAction,
  type OvnAclDirection,
  type OvnAddressSet,
  type OvnDef,
  type OvnGateway,
  type OvnUplink,
} from './ovn-types.js';

/** Names OVN accepts in matches (address sets, port groups): a letter, '_' or '.', then those and digits. */
const OVN_NAME = /^[A-Za-z_.][A-Za-z0-9_.]*$/;

function ovnChildren(el: XmlElementNode): XmlElementNode[] {
  return el.children.filter((c): c is XmlElementNode => c.kind === 'element' && c.namespaceUri === OVN_NAMESPACE);
}

function required(el: XmlElementNode, attr: string, where: string, network: string): string {
  const v = prop(el, attr);
  if (v === undefined || v === '') throw xmlError(`missing ${attr} attribute in <${where}> of OVN network '${network}'`);
  return v;
}

function ipv4(text: string, what: string, network: string): string {
  const ip = parseIp(text);
  if (ip?.family !== 'ipv4') throw xmlError(`invalid ${what} '${text}' in OVN network '${network}': an IPv4 address is needed`);
  return text;
}

function uint(text: string, what: string, network: string, max: number): number {
  const v = strToUInt(text, 10);
  if (v === undefined || v > max) throw xmlError(`invalid ${what} '${text}' in OVN network '${network}'`);
  return v;
}

function parseUplink(el: XmlElementNode, network: string): OvnUplink {
  return {
    network: required(el, 'network', 'virtnet:uplink', network),
    address: ipv4(required(el, 'address', 'virtnet:uplink', network), 'uplink address', network),
    prefix: uint(required(el, 'prefix', 'virtnet:uplink', network), 'uplink prefix', network, 32),
    gateway: ipv4(required(el, 'gateway', 'virtnet:uplink', network), 'uplink gateway', network),
  };
}

function parseGateway(el: XmlElementNode, network: string): OvnGateway {
  return {
    chassis: required(el, 'chassis', 'virtnet:gateway', network),
    priority: uint(required(el, 'priority', 'virtnet:gateway', network), 'gateway priority', network, OVN_ACL_PRIORITY_MAX),
  };
}

function parseAddressSet(el: XmlElementNode, network: string): OvnAddressSet {
  const name = required(el, 'name', 'virtnet:addressSet', network);
  if (!OVN_NAME.test(name))
    throw xmlError(`invalid address set name '${name}' in OVN network '${network}': letters, digits, '_' and '.', not starting with a digit`);
  const addresses: string[] = [];
  for (const a of ovnChildren(el)) {
    if (a.name !== 'address') throw xmlError(`unexpected element <virtnet:${a.name}> in <virtnet:addressSet> of OVN network '${network}'`);
    const text = stringValue(a).trim();
    const [ip, prefix] = text.split('/');
    if (!parseIp(ip ?? '') || (prefix !== undefined && strToUInt(prefix, 10) === undefined)) {
      throw xmlError(`invalid address '${text}' in address set '${name}' of OVN network '${network}'`);
    }
    addresses.push(text);
  }
  return { name, addresses };
}

function parseAcl(el: XmlElementNode, network: string): OvnAcl {
  const direction = required(el, 'direction', 'virtnet:acl', network);
  if (!OVN_ACL_DIRECTIONS.includes(direction as OvnAclDirection)) {
    throw xmlError(`invalid ACL direction '${direction}' in OVN network '${network}': use from-lport or to-lport`);
  }
  const action = required(el, 'action', 'virtnet:acl', network);
  if (!OVN_ACL_ACTIONS.includes(action as OvnAclAction)) {
    throw xmlError(`invalid ACL action '${action}' in OVN network '${network}': use ${OVN_ACL_ACTIONS.join(', ')}`);
  }
  return {
    direction: direction as OvnAclDirection,
    priority: uint(required(el, 'priority', 'virtnet:acl', network), 'ACL priority', network, OVN_ACL_PRIORITY_MAX),
    match: required(el, 'match', 'virtnet:acl', network),
    action: action as OvnAclAction,
  };
}

/** The network's <virtnet:ovn>, or undefined when it has none; more than one is an error. */
export function parseOvn(root: XmlElementNode, network: string): OvnDef | undefined {
  const found = ovnChildren(root);
  if (found.length === 0) return undefined;
  const el = found[0] as XmlElementNode;
  if (found.length > 1 || el.name !== 'ovn') {
    throw xmlError(
      found.length > 1 && el.name === 'ovn'
        ? `more than one <virtnet:ovn> in network '${network}'`
        : `unexpected element <virtnet:${el.name}> in network '${network}'`,
    );
  }
  const def: OvnDef = { northbound: required(el, 'northbound', 'virtnet:ovn', network), gateways: [], addressSets: [], acls: [] };
  for (const c of ovnChildren(el)) {
    switch (c.name) {
      case 'uplink':
        if (def.uplink) throw xmlError(`more than one <virtnet:uplink> in OVN network '${network}'`);
        def.uplink = parseUplink(c, network);
        break;
      case 'gateway':
        def.gateways.push(parseGateway(c, network));
        break;
      case 'addressSet':
        def.addressSets.push(parseAddressSet(c, network));
        break;
      case 'acl':
        def.acls.push(parseAcl(c, network));
        break;
      default:
        throw xmlError(`unexpected element <virtnet:${c.name}> in <virtnet:ovn> of network '${network}'`);
    }
  }
  return def;
}
