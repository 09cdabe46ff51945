/**
 * The CLI's own copies of attach-interface's element and detach-interface's
 * pick (src/cli/commands/guest-devices.ts, kept libxml2-free for start-up)
 * agree with the guest XML layer's (src/conf/guest/devices.ts) on every
 * input: property tests over generated options, interface lists and MACs;
 * and the interfaces the CLI reads from a guest's XML are the ones the
 * layer parses, with virsh's dump of each.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAttachInterfaceXml, matchDetachInterface } from '../../src/conf/guest/devices.js';
import { formatGuestXml } from '../../src/conf/guest/format.js';
import { parseGuestXml } from '../../src/conf/guest/parse.js';
import type { GuestDef } from '../../src/conf/guest/types.js';
import { attachInterfaceXml, domainInterfaces, pickDetachInterface } from '../../src/cli/commands/guest-devices.js';

type Outcome = { ok: string | number } | { error: string; virsh: boolean };

function outcome(f: () => string | number): Outcome {
  try {
    return { ok: f() };
  } catch (err) {
    const e = err as Error & { virsh?: boolean; errorClass?: string };
    return { error: e.message, virsh: e.name === 'VirshError' || e.name === 'VirshMessage' };
  }
}

const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ':', "'", '"', '<', '&', '>', 'é', ' ', '\u0001'), maxLength: 6 });

describe("attach-interface's element", () => {
  it('is the XML layer’s for every type and option', () => {
    fc.assert(
      fc.property(
        // The options a user may give: type and source always, the others or not.
        fc.record(
          {
            type: fc.constantFrom('network', 'bridge', 'direct', 'hostdev', 'vhostuser', 'user', 'ethernet', 'foo', '', 'Network'),
            source: text,
            target: text,
            mac: text,
            model: text,
            alias: text,
          },
          { requiredKeys: ['type', 'source'] },
        ),
        (o) => {
          expect(outcome(() => attachInterfaceXml(o))).toEqual(outcome(() => formatAttachInterfaceXml(o)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("is virsh's layout", () => {
    expect(attachInterfaceXml({ type: 'network', source: 'isolated', model: 'virtio', mac: '52:54:00:11:22:33', target: 't', alias: 'ua-x' })).toBe(
      "<interface type='network'>\n  <source network='isolated'/>\n  <target dev='t'/>\n  <mac address='52:54:00:11:22:33'/>\n  <model type='virtio'/>\n  <alias name='ua-x'/>\n</interface>\n",
    );
  });
});

const MACS = ['52:54:00:00:00:01', '52:54:00:00:00:02', '52:54:00:0a:bc:03'];

describe("detach-interface's pick", () => {
  it('is the XML layer’s for every list of interfaces, type and --mac', () => {
    const iface = fc.record({ type: fc.constantFrom('network', 'bridge'), mac: fc.option(fc.constantFrom(...MACS), { nil: undefined }) });
    const macArg = fc.option(
      fc.oneof(fc.constantFrom(...MACS), fc.constantFrom('52:54:0:0:0:1', '52:54:00:0A:BC:03', '52:54:00:00:00:99', 'zz', '')),
      { nil: undefined },
    );
    fc.assert(
      fc.property(fc.array(iface, { maxLength: 5 }), fc.constantFrom('network', 'bridge', 'direct'), macArg, (ifaces, type, mac) => {
        const def = { interfaces: ifaces } as unknown as GuestDef;
        expect(outcome(() => pickDetachInterface(ifaces, type, mac))).toEqual(outcome(() => matchDetachInterface(def, type, mac).index));
      }),
      { numRuns: 500 },
    );
  });
});

describe("the interfaces of a guest's XML", () => {
  const xml = `<domain type='netns' id='3'>
  <name>g</name>
  <uuid>11111111-2222-3333-4444-555555555555</uuid>
  <devices>
    <emulator>/bin/true</emulator>
    <interface type='network'>
      <mac address='52:54:00:aa:bb:01'/>
      <source network='default' bridge='virbr0'/>
      <target dev='vnet0'/>
      <model type='virtio'/>
      <alias name='net0'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:AA:BB:02'/>
      <source bridge='br0'/>
      <bandwidth>
        <inbound average='10'/>
      </bandwidth>
    </interface>
  </devices>
</domain>
`;

  it('are the parsed guest’s, in order, each dumped as xmlNodeDump writes it', async () => {
    const def = parseGuestXml(xml);
    const got = await domainInterfaces(formatGuestXml(def));
    expect(got.map((i) => [i.type, i.mac?.toLowerCase()])).toEqual(def.interfaces.map((i) => [i.type, i.mac]));
    expect(got[0]?.dump).toBe(
      '<interface type="network">\n      <mac address="52:54:00:aa:bb:01"/>\n      <source network="default" bridge="virbr0"/>\n      <target dev="vnet0"/>\n      <model type="virtio"/>\n      <alias name="net0"/>\n    </interface>',
    );
    expect(got[1]?.dump).toBe(
      '<interface type="bridge">\n      <mac address="52:54:00:aa:bb:02"/>\n      <source bridge="br0"/>\n      <bandwidth>\n        <inbound average="10"/>\n      </bandwidth>\n    </interface>',
    );
  });

  it('are none for a guest without devices', async () => {
    expect(await domainInterfaces("<domain type='netns'><name>g</name></domain>")).toEqual([]);
  });
});
