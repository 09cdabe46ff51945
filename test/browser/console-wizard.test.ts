/**
 * The creation wizard's logic (web/src/model/wizard.ts), without a browser:
 * virt-manager's defaults and computed fields, every check before submit,
 * and XML for each forward mode that the daemon's own parser and checks
 * accept as it stands, with the equivalent virtnet commands.
 */
import { describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { validateNetworkForDefine } from '../../src/conf/network/validate.js';
import type { HostInfoBody } from '../../src/contract/console-api.js';
import {
  buildNetworkXml,
  checkWizard,
  equivalentCommands,
  initialState,
  ipv4Computed,
  ipv6Computed,
  suggestName,
  withNetwork,
  type OtherNetwork,
  type WizardState,
} from '../../web/src/model/wizard.js';

/** Another network's model, as the daemon sends it. */
const netDef = (name: string, bridge: string, address: string, prefix: number) =>
  parseNetworkXml(`<network><name>${name}</name><bridge name='${bridge}'/><ip address='${address}' prefix='${prefix}'/></network>`);

const host: HostInfoBody = {
  interfaces: [],
  routes: [
    { family: 'ipv4', dst: '0.0.0.0', prefix: 0, dev: 'eth0', gateway: '203.0.113.1', type: 'unicast' },
    { family: 'ipv4', dst: '203.0.113.0', prefix: 24, dev: 'eth0', type: 'unicast' },
    { family: 'ipv4', dst: '192.168.100.0', prefix: 24, dev: 'virbr0', type: 'unicast' },
  ],
};
const others: OtherNetwork[] = [
  { name: 'default', active: true, bridge: 'virbr0', def: netDef('default', 'virbr0', '192.168.100.1', 24) },
  { name: 'spare', active: false, bridge: 'virbr1', def: netDef('spare', 'virbr1', '10.1.0.1', 16) },
];

const keys = (s: WizardState) => checkWizard(s, others, host).map((f) => `${f.step}/${f.field}:${f.key}${f.warning ? ' (warning)' : ''}`);

describe('defaults', () => {
  it("suggests virt-manager's unique name and the first free /24 from 192.168.100.0", () => {
    expect(suggestName([])).toBe('network');
    expect(suggestName(['network', 'network1'])).toBe('network2');
    const s = initialState(others, host);
    expect(s.name).toBe('network');
    // 192.168.100.0/24 is the running default's: the next one is offered.
    expect(s.ipv4).toEqual({
      enabled: true,
      network: '192.168.101.0/24',
      gateway: '192.168.101.1',
      dhcp: true,
      start: '192.168.101.128',
      end: '192.168.101.254',
    });
    expect(s.ipv6.enabled).toBe(false);
    expect([s.forward.mode, s.forward.dev, s.domain.mode, s.start, s.autostart]).toEqual(['nat', '', 'network', true, true]);
    expect(keys(s)).toEqual([]);
  });

  it('computes the gateway and the range from the network, and keeps them in step', () => {
    expect(ipv4Computed('192.168.100.0/25')).toEqual({ gateway: '192.168.100.1', start: '192.168.100.64', end: '192.168.100.126' });
    // Host bits are accepted and ignored.
    expect(ipv4Computed('10.20.30.40/16')).toEqual({ gateway: '10.20.0.1', start: '10.20.128.0', end: '10.20.255.254' });
    expect(ipv6Computed('fd00:beef:10:6::1/64')).toEqual({ gateway: 'fd00:beef:10:6::1', start: 'fd00:beef:10:6::100', end: 'fd00:beef:10:6::1ff' });
    const s = withNetwork(initialState(others, host), 'ipv4', '172.16.5.0/24');
    expect([s.ipv4.gateway, s.ipv4.start, s.ipv4.end]).toEqual(['172.16.5.1', '172.16.5.128', '172.16.5.254']);
  });
});

describe('checks before submit', () => {
  const base = (): WizardState => initialState(others, host);
  const with4 = (patch: Partial<WizardState['ipv4']>): WizardState => ({ ...base(), ipv4: { ...base().ipv4, ...patch } });

  it('checks the name: required, no slash, unique', () => {
    expect(keys({ ...base(), name: '' })).toEqual(['name/name:nameRequired']);
    expect(keys({ ...base(), name: 'a/b' })).toEqual(['name/name:nameSlash']);
    expect(keys({ ...base(), name: 'default' })).toEqual(['name/name:nameTaken']);
  });

  it('checks the CIDR syntax, family and size', () => {
    expect(keys(withNetwork(base(), 'ipv4', '192.168.5.0'))).toEqual(['ipv4/network:cidrSyntax']);
    expect(keys(withNetwork(base(), 'ipv4', '192.168.5.0/33'))).toEqual(['ipv4/network:cidrSyntax']);
    expect(keys(withNetwork(base(), 'ipv4', 'fd00::/64'))).toEqual(['ipv4/network:cidrFamily4']);
    expect(keys(withNetwork(base(), 'ipv4', '192.168.5.0/31'))).toEqual(['ipv4/network:cidrTooSmall']);
    // The daemon's own refusals, said before Create.
    expect(keys(withNetwork(base(), 'ipv4', '127.1.0.0/24'))).toEqual(['ipv4/network:loopbackSubnet']);
    expect(keys(withNetwork(base(), 'ipv4', '169.254.7.0/24'))).toEqual(['ipv4/network:linkLocalSubnet']);
  });

  it('wants the range inside the subnet and in order, and the gateway outside it', () => {
    expect(keys(with4({ start: '192.168.101.200', end: '192.168.101.100' }))).toEqual(['ipv4/end:rangeOrder']);
    expect(keys(with4({ end: '192.168.102.5' }))).toEqual(['ipv4/end:outsideSubnet']);
    expect(keys(with4({ start: '192.168.101.0' }))).toEqual(['ipv4/start:networkAddress']);
    expect(keys(with4({ end: '192.168.101.255' }))).toEqual(['ipv4/end:broadcastAddress']);
    expect(keys(with4({ gateway: '192.168.101.130' }))).toEqual(['ipv4/gateway:gatewayInRange']);
    expect(keys(with4({ gateway: 'nope' }))).toEqual(['ipv4/gateway:addressSyntax']);
    // Without DHCP the range is not checked.
    expect(keys(with4({ dhcp: false, start: 'x', end: 'y' }))).toEqual([]);
  });

  it('refuses overlap with a running network or a host route, and only warns about a stopped one', () => {
    expect(keys(withNetwork(base(), 'ipv4', '192.168.100.128/25'))).toEqual(['ipv4/network:overlapActive']);
    expect(keys(withNetwork(base(), 'ipv4', '203.0.113.64/26'))).toEqual(['ipv4/network:overlapRoute']);
    expect(keys(withNetwork(base(), 'ipv4', '10.1.2.0/24'))).toEqual(['ipv4/network:overlapInactive (warning)']);
    // The default route overlaps everything and is not counted, as in the runtime's check.
    expect(keys(withNetwork(base(), 'ipv4', '172.31.0.0/24'))).toEqual([]);
    const finding = checkWizard(withNetwork(base(), 'ipv4', '192.168.100.0/24'), others, host)[0];
    expect(finding?.values).toEqual({ who: 'default', subnet: '192.168.100.0/24' });
  });

  it('checks IPv6 when enabled, and nothing of IP in bridge mode', () => {
    const v6 = withNetwork({ ...base(), ipv6: { ...base().ipv6, enabled: true, dhcp: true } }, 'ipv6', 'fd00:1::/64');
    expect(keys(v6)).toEqual([]);
    expect(keys({ ...v6, ipv6: { ...v6.ipv6, start: 'fd00:2::1' } })).toEqual(['ipv6/start:outsideSubnet']);
    const bridged: WizardState = { ...withNetwork(base(), 'ipv4', 'garbage'), forward: { mode: 'bridge', dev: '', bridge: '' } };
    expect(keys(bridged)).toEqual(['forward/bridge:bridgeRequired']);
  });

  it('checks the DNS domain', () => {
    expect(keys({ ...base(), domain: { mode: 'custom', custom: '' } })).toEqual(['forward/domain:domainRequired']);
    expect(keys({ ...base(), domain: { mode: 'custom', custom: 'bad name' } })).toEqual(['forward/domain:domainSyntax']);
    // A name the DNS domain is made from is checked on the first step, by the parser's own rule.
    expect(keys({ ...base(), name: 'my net' })).toEqual(['name/name:nameNotDomain']);
    expect(keys({ ...base(), name: 'a'.repeat(64) })).toEqual(['name/name:nameNotDomain']);
    expect(keys({ ...base(), name: 'a'.repeat(63) })).toEqual([]);
    expect(keys({ ...base(), name: 'my net', domain: { mode: 'none', custom: '' } })).toEqual([]);
    expect(keys({ ...base(), name: 'my net', domain: { mode: 'custom', custom: `${'b'.repeat(64)}.example` } })).toEqual([
      'forward/domain:domainSyntax',
    ]);
  });
});

describe('the XML and the commands', () => {
  const accepted = (xml: string): void => {
    expect(() => validateNetworkForDefine(parseNetworkXml(xml))).not.toThrow();
  };

  it('writes XML the daemon accepts, for every forward mode', () => {
    const s = initialState(others, host);
    const nat = buildNetworkXml({ ...s, name: 'n', forward: { mode: 'nat', dev: 'eth0', bridge: '' } });
    expect(nat).toBe(
      "<network>\n  <name>n</name>\n  <forward mode='nat' dev='eth0'/>\n  <domain name='n'/>\n  <ip address='192.168.101.1' netmask='255.255.255.0'>\n    <dhcp>\n      <range start='192.168.101.128' end='192.168.101.254'/>\n    </dhcp>\n  </ip>\n</network>\n",
    );
    accepted(nat);
    for (const mode of ['route', 'open', 'isolated'] as const) {
      const xml = buildNetworkXml({ ...s, forward: { mode, dev: '', bridge: '' } });
      expect(xml.includes('<forward')).toBe(mode !== 'isolated');
      accepted(xml);
    }
    const bridged = buildNetworkXml({ ...s, forward: { mode: 'bridge', dev: '', bridge: 'br0' } });
    expect(bridged).toBe("<network>\n  <name>network</name>\n  <forward mode='bridge'/>\n  <bridge name='br0'/>\n</network>\n");
    accepted(bridged);
    const dual = withNetwork(
      { ...s, ipv6: { ...s.ipv6, enabled: true, dhcp: true }, domain: { mode: 'none', custom: '' } },
      'ipv6',
      'fd00:beef::/64',
    );
    const dualXml = buildNetworkXml(dual);
    expect(dualXml).toContain(
      "<ip family='ipv6' address='fd00:beef::1' prefix='64'>\n    <dhcp>\n      <range start='fd00:beef::100' end='fd00:beef::1ff'/>",
    );
    expect(dualXml).not.toContain('<domain');
    accepted(dualXml);
    // Names are escaped.
    const odd = buildNetworkXml({ ...s, name: "a<b>&'c", domain: { mode: 'none', custom: '' } });
    expect(parseNetworkXml(odd).name).toBe("a<b>&'c");
  });

  it('gives the same as virtnet commands, one per line, quoted for the shell', () => {
    const s = { ...initialState(others, host), name: "my net's" };
    expect(equivalentCommands(s)).toEqual([
      'virtnet net-define my_net_s.xml',
      "virtnet net-start 'my net'\\''s'",
      "virtnet net-autostart 'my net'\\''s'",
    ]);
    expect(equivalentCommands({ ...s, name: 'n', start: false, autostart: false })).toEqual(['virtnet net-define n.xml']);
  });
});

describe('a network across hosts (OVN)', () => {
  const ovn = (over: Partial<WizardState['where']> = {}, mode: WizardState['forward']['mode'] = 'nat'): WizardState => {
    const s = initialState(others, host);
    return {
      ...s,
      name: 'across',
      where: {
        kind: 'ovn',
        northbound: 'tcp:192.0.2.2:6641',
        uplinkNetwork: 'uplink',
        uplinkAddress: '198.51.100.10/24',
        uplinkGateway: '198.51.100.1',
        gateways: 'h1, h2',
        ...over,
      },
      forward: { mode, dev: 'eth0', bridge: '' },
    };
  };

  it('writes <virtnet:ovn> with the uplink and the gateway chassis by priority, which the daemon accepts', () => {
    const xml = buildNetworkXml(ovn());
    expect(xml).toContain("<network xmlns:virtnet='https://virtnet.dev/schemas/network/ovn/1'>\n  <name>across</name>\n  <forward mode='nat'/>\n");
    expect(xml).toContain(
      "  <virtnet:ovn northbound='tcp:192.0.2.2:6641'>\n    <virtnet:uplink network='uplink' address='198.51.100.10' prefix='24' gateway='198.51.100.1'/>\n    <virtnet:gateway chassis='h1' priority='20'/>\n    <virtnet:gateway chassis='h2' priority='10'/>\n  </virtnet:ovn>\n</network>\n",
    );
    expect(() => validateNetworkForDefine(parseNetworkXml(xml))).not.toThrow();
    expect(parseNetworkXml(xml).ovn?.gateways).toEqual([
      { chassis: 'h1', priority: 20 },
      { chassis: 'h2', priority: 10 },
    ]);
    const isolated = buildNetworkXml(ovn({}, 'isolated'));
    expect(isolated).toContain("  <virtnet:ovn northbound='tcp:192.0.2.2:6641'/>\n</network>\n");
    expect(() => validateNetworkForDefine(parseNetworkXml(isolated))).not.toThrow();
  });

  it('checks the northbound address, the uplink, the chassis, the mode and IPv4 only; host routes do not matter', () => {
    expect(keys(ovn())).toEqual([]);
    expect(keys(ovn({ northbound: '192.0.2.2:6641', uplinkAddress: '198.51.100.10', uplinkGateway: 'gw', gateways: ' , ' }))).toEqual([
      'name/northbound:northboundSyntax',
      'forward/uplinkAddress:uplinkCidr',
      'forward/uplinkGateway:uplinkGateway',
      'forward/gateways:gatewaysRequired',
    ]);
    expect(keys(ovn({}, 'open'))).toEqual(['forward/mode:ovnMode']);
    const v6 = ovn();
    expect(keys({ ...v6, ipv6: { enabled: true, network: 'fd00::/64', gateway: 'fd00::1', dhcp: false, start: '', end: '' } })).toEqual([
      'ipv6/network:ovnIpv6',
    ]);
    // 203.0.113.0/24 is a route of this host: a bridge here would clash, an OVN network does not.
    const onRoute = withNetwork(ovn(), 'ipv4', '203.0.113.0/24');
    expect(keys({ ...onRoute, where: { ...onRoute.where, kind: 'host' } })).toContain('ipv4/network:overlapRoute');
    expect(keys(onRoute)).toEqual([]);
  });
});
