/**
 * The network XML parser: libvirt's parse-time checks (one case per check,
 * with the exact text and class) and what the model holds for valid input.
 *
 * The texts are those of libvirt's newest sources we could read (the corpus
 * and the formatter target libvirt 11.3). Every case was also run through
 * libvirt 9.0's `virsh net-define` (Debian 12, the oracle beside us): all
 * agree except those with a `libvirt9` note, where 9.0 words it differently
 * or (null) does not have the check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DNSMASQ_NAMESPACE, parseNetworkXml, readNetworkTree } from '../../src/conf/network/parse.js';
import { parseDhcpHost, parseDhcpRange } from '../../src/conf/network/parse-ip.js';
import { parseDnsHost, parseDnsSrv, parseDnsTxt } from '../../src/conf/network/parse-dns.js';
import { parsePortGroup } from '../../src/conf/network/parse-netdev.js';
import type { IpDef } from '../../src/conf/network/types.js';
import { VirError } from '../../src/util/errors.js';
import { escapeNonAsciiAttributes } from '../../src/conf/common/parse-metadata.js';
import { CORPUS_DIR } from '../support/corpus-dir.js';

const UUID = '81ff0d90-c91e-6742-64da-4a736edb9a9b';
const U2 = '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f';

/** A network named net1 with the given body (and <network> attributes). */
function net(body: string, attrs = ''): string {
  return `<network${attrs}><name>net1</name>${body}</network>`;
}

const ip4 = (inner = '', attrs = "address='192.168.122.1' netmask='255.255.255.0'"): string => `<ip ${attrs}>${inner}</ip>`;
const ip6 = (inner = '', attrs = "family='ipv6' address='2001:db8:ca2:2::1' prefix='64'"): string => `<ip ${attrs}>${inner}</ip>`;
const dhcp4 = (inner: string): string => ip4(`<dhcp>${inner}</dhcp>`);
const dhcp6 = (inner: string): string => ip6(`<dhcp>${inner}</dhcp>`);
const srv = (attrs: string): string => net(`<dns><srv ${attrs}/></dns>`);
const dhcp4Net = (inner: string): string => net(dhcp4(inner));
const dhcp6Net = (inner: string): string => net(dhcp6(inner));
const route4Net = (attrs: string): string => net(`${ip4()}<route ${attrs}/>`);
const route6Net = (attrs: string): string => net(`${ip6()}<route ${attrs}/>`);
/** net1 with `forward` and an IPv4 address, as a NAT or routed network wants. */
const forwardingNet = (forward: string): string => net(`${forward}${ip4()}`);
const natNet = (inner: string): string => forwardingNet(`<forward><nat>${inner}</nat></forward>`);

interface ErrorCase {
  check: string;
  xml: string;
  /** VirError.message: class prefix + libvirt's text. */
  message: string;
  /** What libvirt 9.0 prints instead, when it differs; null when 9.0 accepts the definition. */
  libvirt9?: string | null;
}

const PARSE_ERROR_CASES: ErrorCase[] = [
  // document
  { check: 'root element', xml: '<domain><name>x</name></domain>', message: "XML error: expecting root element of 'network', not 'domain'" },
  { check: 'name missing', xml: `<network><uuid>${UUID}</uuid></network>`, message: 'missing name information' },
  { check: 'name empty', xml: '<network><name></name></network>', message: 'missing name information' },
  { check: 'name with slash', xml: '<network><name>a/b</name></network>', message: 'invalid char in name: /' },
  { check: 'malformed uuid', xml: net('<uuid>81ff0d90-c91e</uuid>'), message: 'internal error: malformed uuid element' },
  { check: 'title with newline', xml: net('<title>a\nb</title>'), message: "XML error: Network title can't contain newlines", libvirt9: null },
  { check: 'ipv6 attribute', xml: net('', " ipv6='on'"), message: "XML error: Invalid ipv6 setting 'on' in network 'net1'" },
  {
    check: 'trustGuestRxFilters',
    xml: net('', " trustGuestRxFilters='x'"),
    message: "XML error: Invalid value for attribute 'trustGuestRxFilters' in element 'network': 'x'.",
  },
  {
    check: 'domain localOnly',
    xml: net("<domain name='example.com' localOnly='x'/>"),
    message: "XML error: Invalid value for attribute 'localOnly' in element 'domain': 'x'.",
  },
  {
    check: 'port isolated',
    xml: net("<port isolated='1'/>"),
    message: "XML error: Invalid value for attribute 'isolated' in element 'port': '1'.",
  },
  { check: 'bridge delay', xml: net("<bridge delay='-1'/>"), message: "XML error: Invalid delay value in network 'net1'" },
  {
    check: 'bridge macTableManager',
    xml: net("<bridge macTableManager='default'/>"),
    message: "XML error: Invalid macTableManager setting 'default' in network 'net1'",
  },
  {
    check: 'mac syntax',
    xml: net("<mac address='52:54:00:zz:00:01'/>"),
    message: "XML error: Invalid bridge mac address '52:54:00:zz:00:01' in network 'net1'",
  },
  {
    check: 'mac multicast',
    xml: net("<mac address='01:00:5E:00:00:01'/>"),
    message: "XML error: Invalid multicast bridge mac address '01:00:5E:00:00:01' in network 'net1'",
  },
  { check: 'mtu size', xml: net("<mtu size='big'/>"), message: "XML error: Invalid mtu size 'big' in network 'net1'" },
  {
    check: 'dnsmasq option value',
    xml: net(`<dnsmasq:options xmlns:dnsmasq='${DNSMASQ_NAMESPACE}'><dnsmasq:option/></dnsmasq:options>`),
    message: 'internal error: No dnsmasq options value specified',
  },

  // dns
  { check: 'dns enable', xml: net("<dns enable='true'/>"), message: "XML error: Invalid value for attribute 'enable' in element 'dns': 'true'." },
  {
    check: 'dns forwardPlainNames',
    xml: net("<dns forwardPlainNames='x'/>"),
    message: "XML error: Invalid value for attribute 'forwardPlainNames' in element 'dns': 'x'.",
  },
  {
    check: 'dns forwarder address',
    xml: net("<dns><forwarder addr='8.8.8'/><forwarder addr='dns.example'/></dns>"),
    message: "XML error: Invalid forwarder IP address 'dns.example' in network 'net1'",
  },
  {
    check: 'dns forwarder empty',
    xml: net('<dns><forwarder/></dns>'),
    message: 'XML error: Invalid forwarder element, must contain at least one of addr or domain',
  },
  {
    check: 'dns host ip missing',
    xml: net('<dns><host><hostname>a</hostname></host></dns>'),
    message: "Missing IP address in network 'net1' DNS HOST record",
  },
  {
    check: 'dns host ip invalid',
    xml: net("<dns><host ip='192.168.1.300'><hostname>a</hostname></host></dns>"),
    message: "Invalid IP address in network 'net1' DNS HOST record",
  },
  { check: 'dns host hostname missing', xml: net("<dns><host ip='10.0.0.1'/></dns>"), message: "Missing hostname in network 'net1' DNS HOST record" },
  {
    check: 'dns host hostname empty',
    xml: net("<dns><host ip='10.0.0.1'><hostname>a</hostname><hostname></hostname></host></dns>"),
    message: "Missing hostname in network 'net1' DNS HOST record",
    libvirt9: null,
  },
  { check: 'dns srv service missing', xml: srv("protocol='tcp'"), message: "missing required service attribute in DNS SRV record of network 'net1'" },
  {
    check: 'dns srv service too long',
    xml: srv(`service='${'s'.repeat(483)}' protocol='tcp'`),
    message: `service attribute '${'s'.repeat(483)}' in network 'net1' is too long, limit is 482 bytes`,
  },
  {
    check: 'dns srv service characters',
    xml: srv("service='web.site' protocol='tcp'"),
    message: "invalid character in service attribute 'web.site' in DNS SRV record of network 'net1'",
  },
  {
    check: 'dns srv protocol missing',
    xml: srv("service='ldap'"),
    message: "missing required protocol attribute in DNS SRV record 'ldap' of network 'net1'",
  },
  {
    check: 'dns srv protocol characters',
    xml: srv("service='ldap' protocol='t_p'"),
    message: "invalid character in protocol attribute 't_p' in DNS SRV record of network 'net1'",
  },
  {
    check: 'dns srv port needs target',
    xml: srv("service='ldap' protocol='tcp' port='389'"),
    message: "DNS SRV port attribute not permitted without target for service 'ldap' in network 'net1'",
  },
  {
    check: 'dns srv port range',
    xml: srv("service='ldap' protocol='tcp' target='a' port='0'"),
    message: "invalid DNS SRV port attribute for service 'ldap' in network 'net1'",
  },
  {
    check: 'dns srv port syntax',
    xml: srv("service='ldap' protocol='tcp' port='x'"),
    message: "invalid DNS SRV port attribute for service 'ldap' in network 'net1'",
  },
  {
    check: 'dns srv priority needs target',
    xml: srv("service='ldap' protocol='tcp' priority='0'"),
    message: "DNS SRV priority attribute not permitted without target for service 'ldap' in network 'net1'",
  },
  {
    check: 'dns srv priority range',
    xml: srv("service='ldap' protocol='tcp' target='a' priority='65536'"),
    message: "Invalid DNS SRV priority attribute for service 'ldap' in network 'net1'",
  },
  {
    check: 'dns srv weight needs target',
    xml: srv("service='ldap' protocol='tcp' weight='5'"),
    message: "DNS SRV weight attribute not permitted without target for service 'ldap' in network 'net1'",
  },
  {
    check: 'dns srv weight range',
    xml: srv("service='ldap' protocol='tcp' target='a' weight='-1'"),
    message: "invalid DNS SRV weight attribute for service 'ldap' in network 'net1'",
  },
  {
    check: 'dns txt name missing',
    xml: net("<dns><txt value='v'/></dns>"),
    message: 'missing required name attribute in DNS TXT record of network net1',
  },
  {
    check: 'dns txt name with space',
    xml: net("<dns><txt name='a b' value='v'/></dns>"),
    message: "prohibited character in DNS TXT record name 'a b' of network net1",
  },
  {
    check: 'dns txt name with comma',
    xml: net("<dns><txt name='a,b' value='v'/></dns>"),
    message: "prohibited character in DNS TXT record name 'a,b' of network net1",
  },
  {
    check: 'dns txt value missing',
    xml: net("<dns><txt name='a'/></dns>"),
    message: "missing required value attribute in DNS TXT record named 'a' of network net1",
  },
  {
    check: 'dns disabled with records',
    xml: net("<dns enable='no'><txt name='a' value='b'/></dns>"),
    message: "XML error: Extra data in disabled network 'net1'",
  },

  // vlan
  {
    check: 'vlan without tag',
    xml: net('<vlan/>'),
    message: "XML error: missing tag id - each <vlan> must have at least one <tag id='n'/> subelement",
  },
  { check: 'vlan tag id missing', xml: net('<vlan><tag/></vlan>'), message: "XML error: Missing required attribute 'id' in element 'tag'" },
  {
    check: 'vlan tag id syntax',
    xml: net("<vlan><tag id='0x10'/></vlan>"),
    message: "XML error: Invalid value for attribute 'id' in element 'tag': '0x10'. Expected non-negative integer value",
  },
  { check: 'vlan tag id range', xml: net("<vlan><tag id='4096'/></vlan>"), message: 'XML error: vlan tag id 4096 too large (maximum 4095)' },
  {
    check: 'vlan nativeMode',
    xml: net("<vlan><tag id='1' nativeMode='default'/></vlan>"),
    message: "XML error: Invalid value for attribute 'nativeMode' in element 'tag': 'default'.",
  },
  {
    check: 'vlan two native tags',
    xml: net("<vlan><tag id='1' nativeMode='tagged'/><tag id='2' nativeMode='untagged'/></vlan>"),
    message: 'XML error: duplicate native vlan setting',
  },
  {
    check: 'vlan trunk no with tags',
    xml: net("<vlan trunk='no'><tag id='1'/><tag id='2'/></vlan>"),
    message: `XML error: invalid "trunk='no'" in <vlan> - trunk='yes' is required for more than one vlan tag`,
  },
  {
    check: 'vlan trunk no with native',
    xml: net("<vlan trunk='no'><tag id='1' nativeMode='untagged'/></vlan>"),
    message: `XML error: invalid configuration in <vlan> - "trunk='no'" is not allowed with a native vlan id`,
  },
  {
    check: 'vlan trunk value',
    xml: net("<vlan trunk='maybe'><tag id='1'/></vlan>"),
    message: `XML error: invalid "trunk='maybe'" in <vlan> - must be yes or no`,
  },

  // bandwidth
  {
    check: 'bandwidth classID',
    xml: net("<bandwidth classID='3'><inbound average='1'/></bandwidth>"),
    message: 'classID attribute not supported on <bandwidth> in this usage context',
  },
  {
    check: 'bandwidth average or floor',
    xml: net("<bandwidth><inbound peak='5'/></bandwidth>"),
    message: 'Missing mandatory average or floor attributes',
  },
  {
    check: 'bandwidth average syntax',
    xml: net("<bandwidth><inbound average='-1'/></bandwidth>"),
    message: "XML error: Invalid value for attribute 'average' in element 'inbound': '-1'. Expected non-negative integer value",
    libvirt9: "unsupported configuration: could not convert bandwidth average value '-1'",
  },
  {
    check: 'bandwidth peak needs average',
    xml: net("<bandwidth><inbound floor='1' peak='5'/></bandwidth>"),
    message: "unsupported configuration: 'peak' and 'burst' require 'average' attribute",
  },
  {
    check: 'bandwidth peak syntax',
    xml: net("<bandwidth><inbound average='1' peak='x'/></bandwidth>"),
    message: "XML error: Invalid value for attribute 'peak' in element 'inbound': 'x'. Expected non-negative integer value",
    libvirt9: "unsupported configuration: could not convert bandwidth peak value 'x'",
  },
  {
    check: 'bandwidth burst syntax',
    xml: net("<bandwidth><inbound average='1' burst='1k'/></bandwidth>"),
    message: "XML error: Invalid value for attribute 'burst' in element 'inbound': '1k'. Expected non-negative integer value",
    libvirt9: "unsupported configuration: could not convert bandwidth burst value '1k'",
  },
  {
    check: 'bandwidth floor syntax',
    xml: net("<bandwidth><outbound floor='x'/></bandwidth>"),
    message: "XML error: Invalid value for attribute 'floor' in element 'outbound': 'x'. Expected non-negative integer value",
    libvirt9: "unsupported configuration: could not convert bandwidth floor value 'x'",
  },
  {
    check: 'bandwidth floor on a network',
    xml: net("<bandwidth><inbound average='5' floor='3'/></bandwidth>"),
    message: 'unsupported configuration: floor attribute is not supported for this config',
  },
  {
    check: 'bandwidth floor outbound',
    xml: net("<bandwidth><outbound average='5' floor='3'/></bandwidth>"),
    message: 'unsupported configuration: floor attribute is not supported for this config',
    libvirt9: "unsupported configuration: 'floor' attribute allowed only in <inbound> element",
  },

  // virtualport
  { check: 'virtualport type required', xml: net('<virtualport/>'), message: 'XML error: missing required virtualport type' },
  { check: 'virtualport type', xml: net("<virtualport type='none'/>"), message: 'unsupported configuration: unknown virtualport type none' },
  {
    check: 'virtualport managerid syntax',
    xml: net("<virtualport type='802.1Qbg'><parameters managerid='x'/></virtualport>"),
    message: 'XML error: cannot parse value of managerid parameter',
  },
  {
    check: 'virtualport managerid range',
    xml: net("<virtualport type='802.1Qbg'><parameters managerid='256'/></virtualport>"),
    message: 'XML error: value of managerid out of range',
  },
  {
    check: 'virtualport typeid syntax',
    xml: net("<virtualport type='802.1Qbg'><parameters typeid='1.5'/></virtualport>"),
    message: 'XML error: cannot parse value of typeid parameter',
  },
  {
    check: 'virtualport typeid range',
    xml: net("<virtualport type='802.1Qbg'><parameters typeid='0x1000000'/></virtualport>"),
    message: 'XML error: value for typeid out of range',
  },
  {
    check: 'virtualport typeidversion syntax',
    xml: net("<virtualport type='802.1Qbg'><parameters typeidversion=''/></virtualport>"),
    message: 'XML error: cannot parse value of typeidversion parameter',
  },
  {
    check: 'virtualport typeidversion range',
    xml: net("<virtualport type='802.1Qbg'><parameters typeidversion='300'/></virtualport>"),
    message: 'XML error: value of typeidversion out of range',
  },
  {
    check: 'virtualport instanceid',
    xml: net("<virtualport type='802.1Qbg'><parameters instanceid='x'/></virtualport>"),
    message: 'XML error: cannot parse instanceid parameter as a uuid',
  },
  {
    check: 'virtualport profileid length',
    xml: net(`<virtualport type='802.1Qbh'><parameters profileid='${'p'.repeat(40)}'/></virtualport>`),
    message: 'XML error: profileid parameter too long',
  },
  {
    check: 'virtualport interfaceid',
    xml: net("<virtualport type='openvswitch'><parameters interfaceid='x'/></virtualport>"),
    message: 'XML error: cannot parse interfaceid parameter as a uuid',
  },
  {
    check: 'virtualport 802.1Qbg extras',
    xml: net(`<virtualport type='802.1Qbg'><parameters interfaceid='${U2}'/></virtualport>`),
    message: "XML error: extra interfaceid unsupported in <virtualport type='802.1Qbg'>",
  },
  {
    check: 'virtualport 802.1Qbh extras',
    xml: net(`<virtualport type='802.1Qbh'><parameters instanceid='${U2}' typeidversion='1'/></virtualport>`),
    message: "XML error: extra typeidversion unsupported in <virtualport type='802.1Qbh'>",
  },
  {
    check: 'virtualport openvswitch extras',
    xml: net("<virtualport type='openvswitch'><parameters managerid='1'/></virtualport>"),
    message: "XML error: extra managerid unsupported in <virtualport type='openvswitch'>",
  },

  // portgroup
  { check: 'portgroup name', xml: net('<portgroup/>'), message: 'XML error: Missing required name attribute in portgroup' },
  {
    check: 'portgroup trustGuestRxFilters',
    xml: net("<portgroup name='a' trustGuestRxFilters='on'/>"),
    message: "XML error: Invalid value for attribute 'trustGuestRxFilters' in element 'portgroup': 'on'.",
  },

  // ip
  {
    check: 'ip address missing',
    xml: net("<ip netmask='255.255.255.0'/>"),
    message: "XML error: Missing required address attribute in network 'net1'",
  },
  { check: 'ip address invalid', xml: net("<ip address='192.168.1.256'/>"), message: "XML error: Invalid address '192.168.1.256' in network 'net1'" },
  {
    check: 'ip netmask invalid',
    xml: net("<ip address='192.168.1.1' netmask='255.255.255.x'/>"),
    message: "XML error: Invalid netmask '255.255.255.x' in network 'net1'",
  },
  {
    check: 'ip prefix syntax',
    xml: net("<ip address='192.168.1.1' prefix='/24'/>"),
    message: "XML error: Invalid value for attribute 'prefix' in element 'ip': '/24'. Expected non-negative integer value",
  },
  {
    check: 'ip localPtr',
    xml: net("<ip address='192.168.1.1' prefix='24' localPtr='true'/>"),
    message: "XML error: Invalid value for attribute 'localPtr' in element 'ip': 'true'.",
  },
  {
    check: 'ip IPv6 address without family',
    xml: net("<ip address='fd00::1' prefix='64'/>"),
    message: "unsupported configuration: no family specified for non-IPv4 address 'fd00::1' in network 'net1'",
  },
  {
    check: 'ip ipv4 family with IPv6 address',
    xml: net("<ip family='ipv4' address='fd00::1' prefix='64'/>"),
    message: "unsupported configuration: ipv4 family specified for non-IPv4 address 'fd00::1' in network 'net1'",
  },
  {
    check: 'ip IPv6 netmask on IPv4',
    xml: net("<ip address='192.168.1.1' netmask='ffff::'/>"),
    message: "unsupported configuration: Invalid netmask 'ffff::' for address '192.168.1.1' in network 'net1' (both must be IPv4)",
  },
  {
    check: 'ip netmask and prefix',
    xml: net("<ip address='192.168.1.1' netmask='255.255.255.0' prefix='24'/>"),
    message: "unsupported configuration: Network 'net1' IP address cannot have both a prefix and a netmask",
  },
  {
    check: 'ip IPv4 prefix range',
    xml: net("<ip address='192.168.1.1' prefix='33'/>"),
    message: "unsupported configuration: Invalid IPv4 prefix '33' in network 'net1'",
  },
  {
    check: 'ip ipv6 family with IPv4 address',
    xml: net("<ip family='ipv6' address='192.168.1.1'/>"),
    message: "unsupported configuration: Family 'ipv6' specified for non-IPv6 address '192.168.1.1' in network 'net1'",
  },
  {
    check: 'ip IPv6 netmask',
    xml: net("<ip family='ipv6' address='fd00::1' netmask='ffff::'/>"),
    message: "unsupported configuration: netmask not allowed for IPv6 address 'fd00::1' in network 'net1'",
  },
  {
    check: 'ip IPv6 prefix range',
    xml: net("<ip family='ipv6' address='fd00::1' prefix='129'/>"),
    message: "unsupported configuration: Invalid IPv6 prefix '129' in network 'net1'",
  },
  { check: 'ip family', xml: net("<ip family='inet' address='192.168.1.1'/>"), message: "XML error: Unrecognized family 'inet' in network 'net1'" },
  {
    check: 'tftp on IPv6',
    xml: net(ip6("<tftp root='/srv/tftp'/>")),
    message: "unsupported configuration: Unsupported <tftp> element in an IPv6 element in network 'net1'",
  },

  // dhcp ranges
  {
    check: 'dhcp range start missing',
    xml: dhcp4Net("<range end='192.168.122.9'/>"),
    message: "XML error: Missing 'start' attribute in dhcp range for network 'net1'",
  },
  {
    check: 'dhcp range end missing',
    xml: dhcp4Net("<range start='192.168.122.2'/>"),
    message: "XML error: Missing 'end' attribute in dhcp range for network 'net1'",
  },
  {
    check: 'dhcp range address',
    xml: dhcp4Net("<range start='gateway' end='192.168.122.9'/>"),
    message: "Cannot parse socket address 'gateway': Name or service not known",
  },
  {
    check: 'dhcp range outside the subnet',
    xml: dhcp4Net("<range start='192.168.122.2' end='192.168.123.9'/>"),
    message: 'internal error: range 192.168.122.2 - 192.168.123.9 is not entirely within network 192.168.122.1/24',
  },
  {
    check: 'dhcp range on the network address',
    xml: dhcp4Net("<range start='192.168.122.0' end='192.168.122.9'/>"),
    message: 'internal error: start of range 192.168.122.0 - 192.168.122.9 in network 192.168.122.1/24 is the network address',
  },
  {
    check: 'dhcp range on the broadcast address',
    xml: dhcp4Net("<range start='192.168.122.2' end='192.168.122.255'/>"),
    message: 'internal error: end of range 192.168.122.2 - 192.168.122.255 in network 192.168.122.1/24 is the broadcast address',
  },
  {
    check: 'dhcp range reversed',
    xml: dhcp4Net("<range start='192.168.122.9' end='192.168.122.2'/>"),
    message: 'internal error: range 192.168.122.9 - 192.168.122.2 is reversed ',
  },
  {
    check: 'dhcp range too large',
    xml: net(ip4("<dhcp><range start='10.0.0.2' end='10.1.0.1'/></dhcp>", "address='10.0.0.1' prefix='8'")),
    message: 'internal error: range 10.0.0.2 - 10.1.0.1 is too large (> 65535)',
  },
  {
    check: 'dhcp range family',
    xml: dhcp4Net("<range start='fd00::2' end='fd00::9'/>"),
    message: 'internal error: mismatch of address family in range fd00::2 - fd00::9 for network 192.168.122.1',
  },
  {
    check: 'dhcp range without a prefix',
    xml: net(ip4("<dhcp><range start='224.0.0.2' end='224.0.0.9'/></dhcp>", "address='224.0.0.1'")),
    message: 'internal error: bad prefix -1 for network 224.0.0.1 when checking range 224.0.0.2 - 224.0.0.9',
    libvirt9: 'internal error: bad prefix -1 for network 224.0.0.1 when  checking range 224.0.0.2 - 224.0.0.9',
  },
  {
    check: 'dhcp range IPv6 reversed',
    xml: dhcp6Net("<range start='2001:db8:ca2:2::9' end='2001:db8:ca2:2::2'/>"),
    message: 'internal error: range 2001:db8:ca2:2::9 - 2001:db8:ca2:2::2 start larger than end',
  },
  {
    check: 'dhcp range IPv6 too large',
    xml: dhcp6Net("<range start='2001:db8:ca2:2::1:2' end='2001:db8:ca2:2::2:1'/>"),
    message: 'internal error: range 2001:db8:ca2:2::1:2 - 2001:db8:ca2:2::2:1 is too large (> 65535)',
  },
  {
    check: 'dhcp lease expiry',
    xml: dhcp4Net("<range start='192.168.122.2' end='192.168.122.9'><lease expiry='1h'/></range>"),
    message: "XML error: Invalid value for attribute 'expiry' in element 'lease': '1h'. Expected non-negative integer value",
  },
  {
    check: 'dhcp lease unit',
    xml: dhcp4Net("<range start='192.168.122.2' end='192.168.122.9'><lease expiry='1' unit='days'/></range>"),
    message: "XML error: Invalid value for attribute 'unit' in element 'lease': 'days'.",
  },
  {
    check: 'dhcp lease minimum in seconds',
    xml: dhcp4Net("<range start='192.168.122.2' end='192.168.122.9'><lease expiry='119' unit='seconds'/></range>"),
    message: 'unsupported configuration: The minimum lease time should be greater than 2 minutes',
  },
  {
    check: 'dhcp lease minimum in minutes',
    xml: dhcp4Net("<host mac='52:54:00:00:00:01' ip='192.168.122.5'><lease expiry='1'/></host>"),
    message: 'unsupported configuration: The minimum lease time should be greater than 2 minutes',
  },

  // dhcp hosts
  {
    check: 'dhcp host IPv4 needs mac or name',
    xml: dhcp4Net("<host ip='192.168.122.5'/>"),
    message: "XML error: Static host definition in IPv4 network 'net1' must have mac or name attribute",
  },
  {
    check: 'dhcp host IPv6 needs id or name',
    xml: dhcp6Net("<host ip='2001:db8:ca2:2::5'/>"),
    message: "XML error: Static host definition in IPv6 network 'net1' must have id or name attribute",
  },
  {
    check: 'dhcp host MAC on IPv6',
    xml: dhcp6Net("<host mac='52:54:00:00:00:01' ip='2001:db8:ca2:2::5'/>"),
    message: "XML error: Invalid to specify MAC address '52:54:00:00:00:01' in network 'net1' IPv6 static host definition",
  },
  {
    check: 'dhcp host MAC syntax',
    xml: dhcp4Net("<host mac='52-54-00-00-00-01' ip='192.168.122.5'/>"),
    message: "XML error: Cannot parse MAC address '52-54-00-00-00-01' in network 'net1'",
  },
  {
    check: 'dhcp host MAC multicast',
    xml: dhcp4Net("<host mac='33:33:00:00:00:01' ip='192.168.122.5'/>"),
    message: "XML error: expected unicast mac address, found multicast '33:33:00:00:00:01' in network 'net1'",
  },
  {
    check: 'dhcp host id characters',
    xml: dhcp6Net("<host id='0:1:0:1:zz' ip='2001:db8:ca2:2::5'/>"),
    message: "XML error: Invalid character 'z' in id '0:1:0:1:zz' of network 'net1'",
  },
  {
    check: 'dhcp host name',
    xml: dhcp4Net("<host name='-vm' ip='192.168.122.5'/>"),
    message: "XML error: Cannot use host name '-vm' in network 'net1'",
  },
  {
    check: 'dhcp host ip invalid',
    xml: dhcp4Net("<host name='vm' ip='vm.example'/>"),
    message: "XML error: Invalid IP address in static host definition for network 'net1'",
  },
  {
    check: 'dhcp host ip missing',
    xml: dhcp4Net("<host name='vm'/>"),
    message: "XML error: Missing IP address in static host definition for network 'net1'",
  },
  {
    check: 'bootp file',
    xml: dhcp4Net("<bootp server='192.168.122.1'/>"),
    message: "XML error: Missing required attribute 'file' in element 'bootp'",
    libvirt9: null,
  },
  {
    check: 'bootp server',
    xml: dhcp4Net("<bootp file='pxelinux.0' server='tftp.example'/>"),
    message: "Cannot parse socket address 'tftp.example': Name or service not known",
  },

  // routes
  {
    check: 'route address missing',
    xml: route4Net("gateway='192.168.122.2'"),
    message: 'XML error: net1: Missing required address attribute in route definition',
  },
  {
    check: 'route gateway missing',
    xml: route4Net("address='10.0.0.0' prefix='8'"),
    message: 'XML error: net1: Missing required gateway attribute in route definition',
  },
  {
    check: 'route address invalid',
    xml: route4Net("address='10.0.0.x' gateway='192.168.122.2'"),
    message: "XML error: net1: Bad network address '10.0.0.x' in route definition",
  },
  {
    check: 'route gateway invalid',
    xml: route4Net("address='10.0.0.0' prefix='8' gateway='router'"),
    message: "XML error: net1: Bad gateway address 'router' in route definition",
  },
  {
    check: 'route IPv6 address without family',
    xml: route4Net("address='fd00::' prefix='64' gateway='192.168.122.2'"),
    message: "XML error: net1: No family specified for non-IPv4 address 'fd00::' in route definition",
  },
  {
    check: 'route ipv4 family with IPv6 gateway',
    xml: route4Net("family='ipv4' address='10.0.0.0' prefix='8' gateway='fd00::1'"),
    message: "XML error: net1: IPv4 family specified for non-IPv4 gateway '10.0.0.0' in route definition",
  },
  {
    check: 'route netmask invalid',
    xml: route4Net("address='10.0.0.0' netmask='255.0.0.x' gateway='192.168.122.2'"),
    message: "XML error: net1: Bad netmask address '255.0.0.x' in route definition",
  },
  {
    check: 'route IPv6 netmask',
    xml: route4Net("address='10.0.0.0' netmask='ff00::' gateway='192.168.122.2'"),
    message: "XML error: net1: Invalid netmask 'ff00::' for address '10.0.0.0' (both must be IPv4)",
  },
  {
    check: 'route netmask and prefix',
    xml: route4Net("address='10.0.0.0' netmask='255.0.0.0' prefix='8' gateway='192.168.122.2'"),
    message: 'XML error: net1: Route definition cannot have both a prefix and a netmask',
  },
  {
    check: 'route IPv4 prefix range',
    xml: route4Net("address='10.0.0.0' prefix='33' gateway='192.168.122.2'"),
    message: 'XML error: net1: Invalid prefix 33 specified in route definition, must be 0 - 32',
  },
  {
    check: 'route ipv6 family with IPv4 address',
    xml: route6Net("family='ipv6' address='10.0.0.0' gateway='2001:db8:ca2:2::2'"),
    message: "XML error: net1: ipv6 family specified for non-IPv6 address '10.0.0.0' in route definition",
  },
  {
    check: 'route ipv6 netmask',
    xml: route6Net("family='ipv6' address='fd00::' netmask='ffff::' gateway='2001:db8:ca2:2::2'"),
    message: "XML error: net1: Specifying netmask invalid for IPv6 address 'fd00::' in route definition",
  },
  {
    check: 'route ipv6 with IPv4 gateway',
    xml: route6Net("family='ipv6' address='fd00::' prefix='64' gateway='192.168.122.2'"),
    message: "XML error: net1: ipv6 specified for non-IPv6 gateway address '192.168.122.2' in route definition",
  },
  {
    check: 'route IPv6 prefix range',
    xml: route6Net("family='ipv6' address='fd00::' prefix='129' gateway='2001:db8:ca2:2::2'"),
    message: 'XML error: net1: Invalid prefix 129 specified in route definition, must be 0 - 128',
  },
  {
    check: 'route family',
    xml: route4Net("family='' address='10.0.0.0' prefix='8' gateway='192.168.122.2'"),
    message: "XML error: net1: Unrecognized family '' in route definition",
  },
  {
    check: 'route not a network address',
    xml: route4Net("address='10.0.0.1' prefix='8' gateway='192.168.122.2'"),
    message: "XML error: net1: Address '10.0.0.1' in route definition is not a network address",
  },
  {
    check: 'route metric',
    xml: route4Net("address='10.0.0.0' prefix='8' gateway='192.168.122.2' metric='0'"),
    message: "XML error: Invalid value for attribute 'metric' in element 'route': Zero is not permitted",
  },
  {
    check: 'route gateway unreachable',
    xml: route4Net("address='10.0.0.0' prefix='8' gateway='192.168.123.2'"),
    message: "unsupported configuration: unreachable static route gateway '192.168.123.2' specified for network 'net1'",
  },

  // forward
  { check: 'forward mode', xml: net("<forward mode='masquerade'/>"), message: "unsupported configuration: unknown forwarding type 'masquerade'" },
  {
    check: 'forward driver name',
    xml: net("<forward mode='hostdev'><driver name='default'/><pf dev='eth2'/></forward>"),
    message: "XML error: Invalid value for attribute 'name' in element 'driver': 'default'.",
    libvirt9: "unsupported configuration: Unknown forward <driver name='default'/> in network net1",
  },
  {
    check: 'nat outside nat mode',
    xml: forwardingNet("<forward mode='route'><nat/></forward>"),
    message: "XML error: The <nat> element can only be used when <forward> 'mode' is 'nat' in network net1",
  },
  {
    check: 'two nat elements',
    xml: forwardingNet('<forward><nat/><nat/></forward>'),
    message: 'XML error: Only one <nat> element is allowed in <forward> of network net1',
  },
  {
    check: 'nat ipv6',
    xml: forwardingNet("<forward><nat ipv6='on'/></forward>"),
    message: "XML error: Invalid value for attribute 'ipv6' in element 'nat': 'on'.",
  },
  {
    check: 'nat two addresses',
    xml: natNet("<address start='1.2.3.4' end='1.2.3.5'/><address start='1.2.3.4' end='1.2.3.5'/>"),
    message: 'XML error: Only one <address> element is allowed in <nat> in <forward> in network net1',
  },
  {
    check: 'nat address start missing',
    xml: natNet("<address end='1.2.3.5'/>"),
    message: "XML error: missing 'start' attribute in <address> element in <nat> in <forward> in network net1",
  },
  {
    check: 'nat address end missing',
    xml: natNet("<address start='1.2.3.4'/>"),
    message: "XML error: missing 'end' attribute in <address> element in <nat> in <forward> in network net1",
  },
  {
    check: 'nat address start',
    xml: natNet("<address start='fd00::1' end='1.2.3.5'/>"),
    message: "XML error: Bad ipv4 start address 'fd00::1' in <nat> in <forward> in network 'net1'",
  },
  {
    check: 'nat address end',
    xml: natNet("<address start='1.2.3.4' end='1.2.3'/>"),
    message: 'internal error: range 1.2.3.4 - 1.2.0.3 is reversed ',
  },
  {
    check: 'nat address end syntax',
    xml: natNet("<address start='1.2.3.4' end='1.2.3.x'/>"),
    message: "XML error: Bad ipv4 end address '1.2.3.x' in <nat> in <forward> in network 'net1'",
  },
  {
    check: 'nat address range size',
    xml: natNet("<address start='1.2.3.4' end='1.3.3.4'/>"),
    message: 'internal error: range 1.2.3.4 - 1.3.3.4 is too large (> 65535)',
  },
  {
    check: 'nat two ports',
    xml: natNet("<port start='1' end='2'/><port start='1' end='2'/>"),
    message: 'XML error: Only one <port> element is allowed in <nat> in <forward> in network net1',
  },
  {
    check: 'nat port start',
    xml: natNet("<port start='65536' end='65536'/>"),
    message: "Missing or invalid 'start' attribute in <port> in <nat> in <forward> in network net1",
  },
  {
    check: 'nat port end',
    xml: natNet("<port start='2000' end='1999'/>"),
    message: "Missing or invalid 'end' attribute in <port> in <nat> in <forward> in network net1",
  },
  {
    check: 'forward dev with pf',
    xml: net(`<forward mode='passthrough' dev='eth0'><pf dev='eth1'/></forward>`),
    // libvirt passes its own text through "%s", so the placeholder is printed as is.
    message: "XML error: the <forward> 'dev' attribute cannot be used when <address> or <pf> sub-elements are present in network %1$s",
    libvirt9: "XML error: the <forward> 'dev' attribute cannot be used when <address> or <pf> sub-elements are present in network %s",
  },
  {
    check: 'forward interface dev missing',
    xml: net("<forward mode='bridge'><interface/></forward>"),
    message: 'XML error: Missing required dev attribute in <forward> <interface> element of network net1',
  },
  {
    check: 'forward dev differs from first interface',
    xml: net("<forward mode='bridge' dev='eth0'><interface dev='eth1'/></forward>"),
    message: "XML error: <forward dev='eth0'> must match first <interface dev='eth1'/> in network net1",
  },
  {
    check: 'forward interface listed twice',
    xml: net("<forward mode='bridge' dev='eth0'><interface dev='eth0'/><interface dev='eth0'/></forward>"),
    message: "XML error: interface 'eth0' can only be listed once in network net1",
  },
  {
    check: 'forward address type missing',
    xml: net("<forward mode='hostdev'><address domain='0' bus='3' slot='0' function='1'/></forward>"),
    message: 'XML error: missing address type in network net1',
  },
  {
    check: 'forward address type unknown',
    xml: net("<forward mode='hostdev'><address type='usb'/></forward>"),
    message: "unsupported configuration: unknown address type 'usb' in network net1",
  },
  {
    check: 'forward address type unsupported',
    xml: net("<forward mode='hostdev'><address type='netdev'/></forward>"),
    message: "XML error: unsupported address type 'netdev' in network net1",
  },
  {
    check: 'forward PCI address syntax',
    xml: net("<forward mode='hostdev'><address type='pci' domain='0' bus='three' slot='0' function='1'/></forward>"),
    message: "XML error: Invalid value for attribute 'bus' in element 'address': 'three'. Expected non-negative integer value",
  },
  {
    check: 'forward PCI slot range',
    xml: net("<forward mode='hostdev'><address type='pci' domain='0' bus='3' slot='0x20' function='1'/></forward>"),
    message: "XML error: Invalid PCI address slot='0x20', must be <= 0x1F",
  },
  {
    check: 'forward PCI function range',
    xml: net("<forward mode='hostdev'><address type='pci' domain='0' bus='3' slot='0' function='8'/></forward>"),
    message: 'XML error: Invalid PCI address function=0x8, must be <= 7',
  },
  {
    check: 'forward PCI address listed twice',
    xml: net(
      "<forward mode='hostdev'><address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x3'/><address type='pci' domain='0' bus='3' slot='0' function='3'/></forward>",
    ),
    message: "XML error: PCI device '0000:03:00.3' can only be listed once in network net1",
  },
  {
    check: 'forward two pf',
    xml: net("<forward mode='hostdev'><pf dev='eth1'/><pf dev='eth2'/></forward>"),
    message: 'XML error: Only one <pf> element is allowed in <forward> of network net1',
  },
  {
    check: 'forward pf dev missing',
    xml: net("<forward mode='passthrough'><pf/></forward>"),
    message: "XML error: Missing required dev attribute in <pf> element of network 'net1'",
  },
  { check: 'nat needs an ip', xml: net('<forward/>'), message: "XML error: nat forwarding requested, but no IP address provided for network 'net1'" },
  {
    check: 'route needs an ip',
    xml: net("<forward mode='route'/>"),
    message: "XML error: route forwarding requested, but no IP address provided for network 'net1'",
  },
  {
    check: 'nat with two forward interfaces',
    xml: forwardingNet("<forward><interface dev='eth0'/><interface dev='eth1'/></forward>"),
    message: "XML error: multiple forwarding interfaces specified for network 'net1', only one is supported",
  },
  {
    check: 'open with a forward dev',
    xml: net(`<forward mode='open' dev='eth0'/>${ip4()}`),
    message: "XML error: forward dev not allowed for network 'net1' with forward mode='open'",
  },
  {
    check: 'bridge name in private mode',
    xml: net("<forward mode='private' dev='eth0'/><bridge name='br0'/>"),
    message: "XML error: bridge name not allowed in private mode (network 'net1')",
  },
  {
    check: 'bridge zone in vepa mode',
    xml: net("<forward mode='vepa' dev='eth0'/><bridge zone='trusted'/>"),
    message: "XML error: bridge zone not allowed in vepa mode (network 'net1')",
  },
  {
    check: 'macTableManager in passthrough mode',
    xml: net("<forward mode='passthrough' dev='eth0'/><bridge macTableManager='libvirt'/>"),
    message: "XML error: bridge macTableManager setting not allowed in passthrough mode (network 'net1')",
  },
  {
    check: 'stp in bridge mode',
    xml: net("<forward mode='bridge'/><bridge name='br0' stp='on'/>"),
    message: "XML error: bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in bridge (network 'net1')",
  },
  {
    check: 'delay in hostdev mode',
    xml: net("<forward mode='hostdev'><pf dev='eth2'/></forward><bridge delay='2'/>"),
    message: "XML error: bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in hostdev (network 'net1')",
  },
  {
    check: 'bridge name and forward dev',
    xml: net("<forward mode='bridge' dev='eth0'/><bridge name='br0'/>"),
    message: "XML error: A network with forward mode='bridge' can specify a bridge name or a forward dev, but not both (network 'net1')",
  },
  {
    check: 'mtu in bridge mode',
    xml: net("<forward mode='bridge'/><bridge name='br0'/><mtu size='9000'/>"),
    message: "XML error: mtu size only allowed in open, route, nat, and isolated mode, not in bridge (network 'net1')",
  },
];

function parseError(xml: string): VirError {
  try {
    parseNetworkXml(xml);
  } catch (e) {
    if (e instanceof VirError) return e;
    throw e;
  }
  throw new Error('expected the definition to be rejected');
}

describe('parse-time checks (libvirt texts)', () => {
  for (const c of PARSE_ERROR_CASES) {
    it(c.check, () => {
      expect(parseError(c.xml).message).toBe(c.message);
    });
  }
});

describe('the model of a valid definition', () => {
  it('reads a NAT network with DHCP, keeping host MACs as written and lower-casing the bridge MAC', () => {
    const def = parseNetworkXml(
      net(
        `<uuid>${UUID.toUpperCase()}</uuid><forward dev='eth0'/><bridge name='virbr9' stp='off' delay='3'/>` +
          "<mac address='52:54:00:AB:CD:EF'/>" +
          ip4(
            "<dhcp><range start='192.168.122.2' end='192.168.122.254'><lease expiry='5'/></range>" +
              "<host mac='52:54:00:AA:00:01' name='vm1' ip='192.168.122.10'><lease expiry='0'/></host></dhcp>",
          ),
      ),
    );
    expect(def.uuid).toBe(UUID);
    expect(def.uuidSpecified).toBe(true);
    expect(def.forward).toEqual({ mode: 'nat', interfaces: [{ type: 'netdev', dev: 'eth0', connections: 0 }] });
    expect(def.bridge).toEqual({ name: 'virbr9', stp: false, delay: 3 });
    expect(def.mac).toBe('52:54:00:ab:cd:ef');
    expect(def.ips[0]).toEqual({
      address: '192.168.122.1',
      netmask: '255.255.255.0',
      dhcp: true,
      ranges: [{ start: '192.168.122.2', end: '192.168.122.254', lease: { expiry: 5, unit: 'minutes' } }],
      hosts: [{ mac: '52:54:00:AA:00:01', name: 'vm1', ip: '192.168.122.10', lease: { expiry: 0 } }],
    });
  });

  it('defaults: no <forward> is isolated, stp on unless literally off, delay 0, random uuid', () => {
    const def = parseNetworkXml(net("<bridge stp='OFF'/>"));
    expect(def.forward.mode).toBe('none');
    expect(def.bridge).toEqual({ stp: true, delay: 0 });
    expect(def.uuidSpecified).toBe(false);
    expect(def.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(def.mtu).toBe(0);
    expect(def.connections).toBe(0);
  });

  it('writes addresses in canonical form, accepting what getaddrinfo accepts', () => {
    const def = parseNetworkXml(
      net(
        "<ip address='10.1' prefix='8'><dhcp><range start='0x0a.0.0.2' end='012.0.0.9'/></dhcp></ip>" +
          "<ip family='ipv6' address='2001:DB8:0:0::1' prefix='64'/>" +
          "<route family='ipv6' address='2001:db8:1::' prefix='48' gateway='2001:db8::2'/>",
      ),
    );
    expect(def.ips[0]!.address).toBe('10.0.0.1');
    expect(def.ips[0]!.ranges[0]).toEqual({ start: '10.0.0.2', end: '10.0.0.9' });
    expect(def.ips[1]).toMatchObject({ family: 'ipv6', address: '2001:db8::1', prefix: 64 });
    expect(def.routes[0]).toEqual({ family: 'ipv6', address: '2001:db8:1::', prefix: 48, gateway: '2001:db8::2' });
  });

  it('treats prefix 0 on <ip> as no prefix but keeps it on <route>', () => {
    const def = parseNetworkXml(net("<ip address='192.168.1.1' prefix='0'/><route address='0.0.0.0' prefix='0' gateway='192.168.1.2'/>"));
    expect(def.ips[0]!.prefix).toBeUndefined();
    expect(def.routes[0]!.prefix).toBe(0);
  });

  it('reads every forward mode, nat ranges, <nat ipv6>, pools, pf and driver', () => {
    for (const mode of ['route', 'open', 'nat'] as const) {
      expect(parseNetworkXml(net(`<forward mode='${mode}'/>${ip4()}`)).forward.mode).toBe(mode);
    }
    for (const mode of ['bridge', 'private', 'vepa', 'passthrough'] as const) {
      expect(parseNetworkXml(net(`<forward mode='${mode}'><interface dev='eth1'/><interface dev='eth2'/></forward>`)).forward).toEqual({
        mode,
        interfaces: [
          { type: 'netdev', dev: 'eth1', connections: 0 },
          { type: 'netdev', dev: 'eth2', connections: 0 },
        ],
      });
    }
    const nat = parseNetworkXml(
      forwardingNet("<forward mode='nat'><nat ipv6='yes'><address start='1.2.3.4' end='1.2.3.10'/><port start='500' end='1000'/></nat></forward>"),
    );
    expect(nat.forward.nat).toEqual({ ipv6: true, addressStart: '1.2.3.4', addressEnd: '1.2.3.10', portStart: 500, portEnd: 1000 });
    const hostdev = parseNetworkXml(
      net(
        "<forward mode='hostdev' managed='yes'><driver name='vfio' model='vfio-pci-igb'/><address type='pci' domain='0' bus='0x11' slot='0x10' function='1'/></forward>",
      ),
    );
    expect(hostdev.forward).toEqual({
      mode: 'hostdev',
      managed: true,
      driverName: 'vfio',
      driverModel: 'vfio-pci-igb',
      interfaces: [{ type: 'pci', address: { domain: 0, bus: 0x11, slot: 0x10, function: 1 }, connections: 0 }],
    });
    expect(parseNetworkXml(net("<forward mode='passthrough'><pf dev='eth0'/></forward>")).forward.pf).toBe('eth0');
  });

  it('reads bridge zone and macTableManager, mtu, domain, port isolation and the network attributes', () => {
    const def = parseNetworkXml(
      net(
        "<bridge name='br0' zone='trusted' macTableManager='libvirt'/><mtu size='9000'/><domain name='example.com' localOnly='yes' register='no'/><port isolated='yes'/><title>T</title><description>D</description>",
        " ipv6='yes' trustGuestRxFilters='no'",
      ),
    );
    expect(def.bridge).toEqual({ name: 'br0', zone: 'trusted', macTableManager: 'libvirt', stp: true, delay: 0 });
    expect(def.mtu).toBe(9000);
    expect(def.domain).toEqual({ name: 'example.com', localOnly: true, register: false });
    expect(def.portIsolated).toBe(true);
    expect(def.ipv6).toBe(true);
    expect(def.trustGuestRxFilters).toBe(false);
    expect(def.title).toBe('T');
    expect(def.description).toBe('D');
  });

  it('reads dns settings and records', () => {
    const def = parseNetworkXml(
      net(
        "<dns enable='yes' forwardPlainNames='no'><forwarder domain='example.com' addr='192.168.1.1'/><forwarder addr='8.8.8.8'/>" +
          "<txt name='example' value='example value'/><srv service='name' protocol='tcp' domain='test-domain-name' target='.' port='1024' priority='0' weight='10'/>" +
          "<host ip='192.168.122.2'><hostname>myhost</hostname><hostname>myhostalias</hostname></host></dns>",
      ),
    );
    expect(def.dns).toEqual({
      enable: true,
      forwardPlainNames: false,
      forwarders: [{ domain: 'example.com', addr: '192.168.1.1' }, { addr: '8.8.8.8' }],
      txts: [{ name: 'example', value: 'example value' }],
      srvs: [{ service: 'name', protocol: 'tcp', domain: 'test-domain-name', target: '.', port: 1024, weight: 10 }],
      hosts: [{ ip: '192.168.122.2', hostnames: ['myhost', 'myhostalias'] }],
    });
  });

  it('reads vlan, bandwidth, virtualport and portgroups', () => {
    const def = parseNetworkXml(
      net(
        "<forward mode='bridge'/><bridge name='ovsbr0'/><virtualport type='openvswitch'/>" +
          "<vlan trunk='yes'><tag id='42' nativeMode='untagged'/><tag id='47'/></vlan>" +
          "<bandwidth><inbound average='1000' peak='2000' burst='1024'/><outbound average='2000'/></bandwidth>" +
          `<portgroup name='bob' default='YES' trustGuestRxFilters='yes'><virtualport><parameters profileid='bob-profile' interfaceid='${U2.toUpperCase()}'/></virtualport>` +
          "<vlan><tag id='4095'/></vlan><bandwidth><inbound average='10'/></bandwidth></portgroup>",
      ),
    );
    expect(def.vlan).toEqual({ trunk: true, tags: [{ id: 42, nativeMode: 'untagged' }, { id: 47 }] });
    expect(def.bandwidth).toEqual({ inbound: { average: 1000, peak: 2000, burst: 1024 }, outbound: { average: 2000 } });
    expect(def.virtualPort).toEqual({ type: 'openvswitch' });
    expect(def.portGroups).toEqual([
      {
        name: 'bob',
        isDefault: true,
        trustGuestRxFilters: true,
        virtualPort: { parameters: { profileId: 'bob-profile', interfaceId: U2 } },
        vlan: { tags: [{ id: 4095 }] },
        bandwidth: { inbound: { average: 10 } },
      },
    ]);
  });

  it('uses the first <inbound> and <outbound> of a <bandwidth>, whatever their namespace', () => {
    const def = parseNetworkXml(net("<bandwidth><x:inbound xmlns:x='urn:x' average='7'/><inbound average='8'/><outbound average='0'/></bandwidth>"));
    expect(def.bandwidth).toEqual({ inbound: { average: 7 }, outbound: {} });
    expect(parseNetworkXml(net('<bandwidth/>')).bandwidth).toBeUndefined();
  });

  it('reads 802.1Qbg parameters in any base and a bootp server', () => {
    const def = parseNetworkXml(
      net(
        `<virtualport type='802.1Qbg'><parameters managerid='0x10' typeid='077' typeidversion='2' instanceid='${U2}'/></virtualport>` +
          dhcp4("<bootp file='pxelinux.0' server='192.168.122.1'/>") +
          ip4("<tftp root='/srv/tftp'/>", "address='192.168.123.1' prefix='24' localPtr='yes'"),
      ),
    );
    expect(def.virtualPort).toEqual({ type: '802.1Qbg', parameters: { managerId: 16, typeId: 63, typeIdVersion: 2, instanceId: U2 } });
    expect(def.ips[0]!.bootp).toEqual({ file: 'pxelinux.0', server: '192.168.122.1' });
    expect(def.ips[1]).toMatchObject({ tftpRoot: '/srv/tftp', localPtr: true, dhcp: false });
  });

  it('matches <dnsmasq:options> by namespace URI, whatever the prefix', () => {
    const def = parseNetworkXml(
      net(
        `<x:options xmlns:x='${DNSMASQ_NAMESPACE}'><x:option value='foo=bar'/><x:option value=''/></x:options><options><option value='ignored'/></options>`,
      ),
    );
    expect(def.dnsmasqOptions).toEqual(['foo=bar', '']);
  });
});

describe('<metadata>', () => {
  it('keeps one libxml2 dump per child, re-indented, dropping children without or with a repeated namespace', () => {
    const def = parseNetworkXml(
      net(
        '<metadata>\n  text\n  <app1:foo xmlns:app1="http://foo.org/"><app1:inner>  x  </app1:inner>\n<plain/></app1:foo>\n' +
          '  <!-- comment --><nons/>\n  <app1:again xmlns:app1="http://foo.org/"/>\n' +
          '  <app2:bar xmlns:app2="http://bar.com/" maman="baz">multi\nline</app2:bar>\n</metadata>',
      ),
    );
    expect(def.metadata).toEqual({
      elements: [
        '<app1:foo xmlns:app1="http://foo.org/">\n  <app1:inner>  x  </app1:inner>\n  <plain/>\n</app1:foo>',
        '<app2:bar xmlns:app2="http://bar.com/" maman="baz">multi\nline</app2:bar>',
      ],
    });
  });

  it('moves namespace declarations made above <metadata> onto it, after its own', () => {
    const def = parseNetworkXml(
      net("<metadata xmlns:b='http://b/'><a:x z:attr='1'><b:y/></a:x></metadata>", " xmlns:a='http://a/' xmlns:z='http://z/'"),
    );
    expect(def.metadata).toEqual({
      openTag: '<metadata xmlns:b="http://b/" xmlns:a="http://a/" xmlns:z="http://z/">',
      elements: ['<a:x z:attr="1">\n  <b:y/>\n</a:x>'],
    });
  });

  it('keeps an empty <metadata> and its attributes', () => {
    expect(parseNetworkXml(net('<metadata>\n  </metadata>')).metadata).toEqual({ elements: [] });
    expect(parseNetworkXml(net("<metadata foo='a&quot;b'>only text</metadata>")).metadata).toEqual({
      elements: [],
      openTag: '<metadata foo="a&quot;b">',
    });
  });

  it('writes non-ASCII attribute text as libvirt 9.0’s libxml2 does, unless the document declares an encoding', () => {
    const body = "<metadata><a:x xmlns:a='http://a/' v='é'>é</a:x></metadata>";
    expect(parseNetworkXml(net(body)).metadata!.elements).toEqual(['<a:x xmlns:a="http://a/" v="&#xE9;">é</a:x>']);
    expect(parseNetworkXml(`<?xml version="1.0" encoding="UTF-8"?>\n${net(body)}`).metadata!.elements).toEqual([
      '<a:x xmlns:a="http://a/" v="é">é</a:x>',
    ]);
    expect(escapeNonAsciiAttributes('<a:x xmlns:a="http://é/" b="ü"><!-- "é" --></a:x>')).toBe(
      '<a:x xmlns:a="http://é/" b="&#xFC;"><!-- "é" --></a:x>',
    );
  });

  it('takes only the first <metadata>', () => {
    const def = parseNetworkXml(net("<metadata><a:x xmlns:a='http://a/'/></metadata><metadata><b:y xmlns:b='http://b/'/></metadata>"));
    expect(def.metadata!.elements).toEqual(['<a:x xmlns:a="http://a/"/>']);
  });
});

describe('element parsers shared with net-update', () => {
  const ipv4: IpDef = { address: '192.168.122.1', prefix: 24, dhcp: true, ranges: [], hosts: [] };
  const ipv6: IpDef = { family: 'ipv6', address: '2001:db8:ca2:2::1', prefix: 64, dhcp: true, ranges: [], hosts: [] };
  const el = (xml: string) => readNetworkTree(xml);
  const ctx = { networkName: 'default' };
  const partial = { networkName: 'default', partialOk: true };
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      if (e instanceof VirError) return e.message;
      throw e;
    }
    throw new Error('expected a VirError');
  };

  it('dhcp host: complete for add, one attribute is enough for delete', () => {
    expect(parseDhcpHost(el("<host mac='00:16:3E:77:E2:ED' name='a.example.com' ip='192.168.122.10'/>"), ipv4, ctx)).toEqual({
      mac: '00:16:3E:77:E2:ED',
      name: 'a.example.com',
      ip: '192.168.122.10',
    });
    expect(message(() => parseDhcpHost(el("<host mac='00:16:3e:77:e2:ed'/>"), ipv4, ctx))).toBe(
      "XML error: Missing IP address in static host definition for network 'default'",
    );
    expect(parseDhcpHost(el("<host mac='00:16:3e:77:e2:ed'/>"), ipv4, partial)).toEqual({ mac: '00:16:3e:77:e2:ed' });
    expect(message(() => parseDhcpHost(el("<host id='0:1'/>"), ipv6, partial))).toBe(
      "XML error: At least one of name, mac, or ip attribute must be specified for static host definition in network 'default'",
    );
  });

  it('dhcp range: checked against the <ip> it is added to', () => {
    expect(parseDhcpRange(el("<range start='2001:db8:ca2:2::100' end='2001:db8:ca2:2::1ff'/>"), ipv6, ctx)).toEqual({
      start: '2001:db8:ca2:2::100',
      end: '2001:db8:ca2:2::1ff',
    });
    expect(message(() => parseDhcpRange(el("<range start='10.0.0.2' end='10.0.0.9'/>"), ipv4, ctx))).toBe(
      'internal error: range 10.0.0.2 - 10.0.0.9 is not entirely within network 192.168.122.1/24',
    );
  });

  it('dns host, txt and srv: partial records for delete', () => {
    expect(parseDnsHost(el('<host><hostname>pudding</hostname></host>'), partial)).toEqual({ ip: '', hostnames: ['pudding'] });
    expect(message(() => parseDnsHost(el('<host/>'), partial))).toBe("Missing ip and hostname in network 'default' DNS HOST record");
    expect(parseDnsTxt(el("<txt name='example'/>"), partial)).toEqual({ name: 'example', value: '' });
    expect(parseDnsSrv(el("<srv protocol='tcp'/>"), partial)).toEqual({ protocol: 'tcp' });
    expect(message(() => parseDnsSrv(el("<srv protocol='tcp' port='80'/>"), partial))).toBe(
      "DNS SRV port attribute not permitted without target for service '(null)' in network 'default'",
    );
  });

  it('portgroup', () => {
    expect(parsePortGroup(el("<portgroup name='alice' default='yes'><vlan><tag id='10'/></vlan></portgroup>"), ctx)).toEqual({
      name: 'alice',
      isDefault: true,
      vlan: { tags: [{ id: 10 }] },
    });
  });
});

const corpus = join(CORPUS_DIR, 'networkxml2xmlin');
const CORPUS_FAILURES: Record<string, string> = {
  'routed-network-no-dns-extra-elements': "XML error: Extra data in disabled network 'local'",
  'open-network-with-forward-dev': "XML error: forward dev not allowed for network 'open' with forward mode='open'",
  'hostdev-duplicate': "XML error: PCI device '0000:03:00.3' can only be listed once in network hostdev",
  'passthrough-duplicate': "XML error: interface 'eth3' can only be listed once in network passthrough-duplicate",
};

describe.skipIf(!existsSync(corpus))("libvirt's corpus failure cases (skipped: the corpus is absent)", () => {
  for (const [name, text] of Object.entries(CORPUS_FAILURES)) {
    it(name, () => {
      expect(parseError(readFileSync(join(corpus, `${name}.xml`), 'utf8')).message).toBe(text);
    });
  }
});
