import { describe, expect, it } from 'vitest';
import {
  allocateBridgeName,
  applyDefineDefaults,
  applyLoadDefaults,
  bridgeNameTemplate,
  generateNetworkMac,
  prepareNetworkForDefine,
  type DefineFacts,
  type NetworkObjectDefs,
} from '../../src/conf/network/defaults.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { Mutex } from '../../src/util/mutex.js';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { minimalNetworkDef as net } from './support/network-def.js';
import { implemented } from './support/implemented.js';
import { rejectionOf } from './support/vir-error.js';
import type { ValidateFacts } from '../../src/conf/network/validate.js';

/** Another network object using `bridge` (live) and optionally `persistentBridge`. */
function other(name: string, bridge: string | undefined, persistentBridge?: string): NetworkObjectDefs {
  return {
    def: { name, bridge: bridge !== undefined ? { name: bridge } : {} },
    ...(persistentBridge !== undefined ? { newDef: { name, bridge: { name: persistentBridge } } } : {}),
  };
}

/** Deterministic facts: no other networks, no host links, fixed randomness. */
function facts(over: Partial<DefineFacts & ValidateFacts> = {}): DefineFacts & Partial<ValidateFacts> {
  return {
    networks: [],
    linkExists: async () => false,
    randomUuid: () => 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => 0xa0 + i),
    ...over,
  };
}

describe('applyDefineDefaults: uuid', () => {
  it('generates a uuid when none was given and leaves uuidSpecified false', async () => {
    const out = await applyDefineDefaults(net({ uuid: '', uuidSpecified: false }), facts());
    expect(out.uuid).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
    expect(out.uuidSpecified).toBe(false);
  });
  it('keeps a given uuid', async () => {
    const out = await applyDefineDefaults(net(), facts());
    expect(out.uuid).toBe('11111111-2222-3333-4444-555555555555');
  });
  it('replaces a uuid the parser made up (uuidSpecified false) with one from the injected source', async () => {
    const out = await applyDefineDefaults(net({ uuidSpecified: false }), facts());
    expect(out.uuid).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
    expect(out.uuidSpecified).toBe(false);
  });
  it('uses crypto.randomUUID by default', async () => {
    const out = await applyDefineDefaults(net({ uuid: '' }), { networks: [], linkExists: async () => false });
    expect(out.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('returns a copy and leaves the input alone', async () => {
    const input = net({ uuid: '' });
    const out = await applyDefineDefaults(input, facts());
    expect(input.uuid).toBe('');
    expect(input.bridge.name).toBeUndefined();
    expect(input.mac).toBeUndefined();
    expect(out).not.toBe(input);
  });
});

describe('applyDefineDefaults: bridge name', () => {
  it('picks virbr0 when nothing is taken', async () => {
    expect((await applyDefineDefaults(net({}, 'nat'), facts())).bridge.name).toBe('virbr0');
  });
  it("skips names in other networks' live and persistent defs", async () => {
    const networks = [other('a', 'virbr0'), other('b', 'virbr5', 'virbr1')];
    expect((await applyDefineDefaults(net(), facts({ networks }))).bridge.name).toBe('virbr2');
  });
  it('skips names that exist on the host', async () => {
    const host = new Set(['virbr0', 'virbr1']);
    const out = await applyDefineDefaults(net({}, 'route'), facts({ linkExists: async (n) => host.has(n) }));
    expect(out.bridge.name).toBe('virbr2');
  });
  it('does not count the network being redefined (matched by name) against itself', async () => {
    const networks = [other('n1', 'virbr0'), other('x', 'virbr1')];
    expect((await applyDefineDefaults(net(), facts({ networks }))).bridge.name).toBe('virbr0');
  });
  it('fills a one-%d template', async () => {
    const networks = [other('a', 'tb0')];
    const out = await applyDefineDefaults(net({ bridge: { name: 'tb%d', stp: true, delay: 0 } }, 'open'), facts({ networks }));
    expect(out.bridge.name).toBe('tb1');
  });
  it('falls back to virbr%d for a template with more than one %', async () => {
    const out = await applyDefineDefaults(net({ bridge: { name: 'x%d%d', stp: true, delay: 0 } }), facts());
    expect(out.bridge.name).toBe('virbr0');
    expect(bridgeNameTemplate('a%db')).toBe('a%db');
    expect(bridgeNameTemplate('a%%d')).toBe('virbr%d');
    expect(bridgeNameTemplate('a%sd')).toBe('virbr%d');
  });
  it('tries ids 0 to 256 and then fails', async () => {
    const tried: string[] = [];
    const e = await rejectionOf(
      applyDefineDefaults(
        net(),
        facts({
          linkExists: async (n) => {
            tried.push(n);
            return true;
          },
        }),
      ),
    );
    expect(e.errorClass).toBe('INTERNAL_ERROR');
    expect(e.message).toBe('internal error: Bridge generation exceeded max id 256');
    expect(tried.length).toBe(257);
    expect(tried.at(-1)).toBe('virbr256');
  });
  it('takes virbr256 when it is the only free one', async () => {
    const out = await applyDefineDefaults(net(), facts({ linkExists: async (n) => n !== 'virbr256' }));
    expect(out.bridge.name).toBe('virbr256');
  });
  it('rejects an explicit name used by another network', async () => {
    const e = await rejectionOf(
      applyDefineDefaults(net({ bridge: { name: 'virbr0', stp: true, delay: 0 } }), facts({ networks: [other('a', undefined, 'virbr0')] })),
    );
    expect(e.errorClass).toBe('INTERNAL_ERROR');
    expect(e.message).toBe("internal error: bridge name 'virbr0' already in use.");
  });
  it('does not check an explicit name against host devices', async () => {
    const out = await applyDefineDefaults(net({ bridge: { name: 'lo', stp: true, delay: 0 } }), facts({ linkExists: async () => true }));
    expect(out.bridge.name).toBe('lo');
  });
  it('accepts an explicit name the network itself already had', async () => {
    const out = await applyDefineDefaults(net({ bridge: { name: 'virbr0', stp: true, delay: 0 } }), facts({ networks: [other('n1', 'virbr0')] }));
    expect(out.bridge.name).toBe('virbr0');
  });
  it('leaves bridge/private/vepa/passthrough/hostdev alone', async () => {
    const pool = { interfaces: [{ type: 'netdev' as const, dev: 'eth0', connections: 0 }] };
    for (const mode of ['bridge', 'private', 'vepa', 'passthrough', 'hostdev'] as const) {
      const out = await applyDefineDefaults(net({ forward: { mode, ...pool } }), facts({ networks: [other('a', 'virbr0')] }));
      expect(out.bridge.name).toBeUndefined();
      expect(out.mac).toBeUndefined();
    }
    const named = await applyDefineDefaults(
      net({ bridge: { name: 'virbr0', stp: true, delay: 0 } }, 'bridge'),
      facts({ networks: [other('a', 'virbr0')] }),
    );
    expect(named.bridge.name).toBe('virbr0');
  });
});

describe('allocateBridgeName under a bridge-name lock', () => {
  it('gives concurrent defines distinct names when each claims its name inside the lock', async () => {
    const networks: NetworkObjectDefs[] = [];
    // A slow host lookup widens the window between check and claim.
    const f = facts({ networks, linkExists: () => new Promise((r) => setTimeout(() => r(false), 5)) });
    const lock = new Mutex();
    const define = (name: string) =>
      lock.run(async () => {
        const br = await allocateBridgeName({ name, bridge: {} }, f);
        networks.push(other(name, br));
        return br;
      });
    const names = await Promise.all(['a', 'b', 'c'].map(define));
    expect(names).toEqual(['virbr0', 'virbr1', 'virbr2']);
  });
  it('keeps serving after a holder fails', async () => {
    const lock = new Mutex();
    await expect(
      lock.run(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(lock.run(async () => 7)).resolves.toBe(7);
  });
});

describe('applyDefineDefaults: MAC', () => {
  it('generates 52:54:00 plus three random bytes for none/nat/route/open', async () => {
    for (const mode of ['none', 'nat', 'route', 'open'] as const) {
      expect((await applyDefineDefaults(net({}, mode), facts())).mac).toBe('52:54:00:a0:a1:a2');
    }
  });
  it('keeps a given MAC', async () => {
    expect((await applyDefineDefaults(net({ mac: '52:54:00:01:02:03' }), facts())).mac).toBe('52:54:00:01:02:03');
  });
  it('writes random bytes as two lower-case hex digits', () => {
    expect(generateNetworkMac({ randomBytes: () => Uint8Array.from([0x0f, 0xff, 0x00]) })).toBe('52:54:00:0f:ff:00');
    expect(generateNetworkMac()).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
  });
});

describe('prepareNetworkForDefine: libvirt order', () => {
  it('reports the name before the bridge', async () => {
    const e = await rejectionOf(
      prepareNetworkForDefine(net({ name: 'a\nb', bridge: { name: 'virbr0', stp: true, delay: 0 } }), facts({ networks: [other('x', 'virbr0')] })),
    );
    expect(e.message).toBe('invalid char in name: \n');
  });
  it('reports the bridge before the other checks', async () => {
    const dhcp = (n: number) => ({
      address: `10.0.${n}.1`,
      prefix: 24,
      dhcp: true,
      ranges: [{ start: `10.0.${n}.2`, end: `10.0.${n}.3` }],
      hosts: [],
    });
    const def = net({ bridge: { name: 'virbr0', stp: true, delay: 0 }, ips: [dhcp(0), dhcp(1)] }, 'nat');
    const e = await rejectionOf(prepareNetworkForDefine(def, facts({ networks: [other('x', 'virbr0')] })));
    expect(e.message).toBe("internal error: bridge name 'virbr0' already in use.");
    const e2 = await rejectionOf(prepareNetworkForDefine(def, facts()));
    expect(e2.message).toContain('Multiple IPv4 dhcp sections found');
  });
  it('returns the completed definition and uses the given SR-IOV fact', async () => {
    const pci = { domain: 0, bus: 3, slot: 0, function: 1 };
    const hostdev = net({ forward: { mode: 'hostdev', interfaces: [{ type: 'pci', address: pci, connections: 0 }] } });
    await expect(prepareNetworkForDefine(hostdev, facts({ isSriovVirtualFunction: () => true }))).resolves.toBeTruthy();
    const e = await rejectionOf(prepareNetworkForDefine(hostdev, facts({ isSriovVirtualFunction: () => false })));
    expect(e.message).toContain('is not an SR-IOV Virtual Function');
    const out = await prepareNetworkForDefine(net({ uuid: '' }), facts());
    expect([out.uuid, out.bridge.name, out.mac]).toEqual(['aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', 'virbr0', '52:54:00:a0:a1:a2']);
  });
});

describe('applyLoadDefaults (config read at daemon start)', () => {
  const random = { randomUuid: () => 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', randomBytes: () => Uint8Array.from([1, 2, 3]) };
  it('adds a MAC to a virtual network and asks for a rewrite', () => {
    const r = applyLoadDefaults(net({}, 'nat'), random);
    expect(r.def.mac).toBe('52:54:00:01:02:03');
    expect([r.uuidAdded, r.macAdded]).toEqual([false, true]);
  });
  it('reports a uuid the file did not hold', () => {
    const r = applyLoadDefaults(net({ uuid: '', uuidSpecified: false, mac: '52:54:00:00:00:01' }), random);
    expect(r.def.uuid).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
    expect([r.uuidAdded, r.macAdded]).toEqual([true, false]);
    // A uuid the parser made up (uuidSpecified false) is replaced and counts as added.
    const parsed = applyLoadDefaults(net({ uuidSpecified: false, mac: '52:54:00:00:00:01' }), random);
    expect(parsed.def.uuid).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
    expect(parsed.uuidAdded).toBe(true);
  });
  it('changes nothing in a complete config', () => {
    const def = net({ mac: '52:54:00:00:00:01', bridge: { name: 'virbr3', stp: true, delay: 0 } });
    const r = applyLoadDefaults(def, random);
    expect(r.def).toEqual(def);
    expect([r.uuidAdded, r.macAdded]).toEqual([false, false]);
  });
  it('drops a MAC from other modes without asking for a rewrite, and allocates no bridge', () => {
    const r = applyLoadDefaults(net({ mac: '52:54:00:00:00:01', bridge: { name: 'br0', stp: true, delay: 0 } }, 'bridge'), random);
    expect(r.def.mac).toBeUndefined();
    expect([r.uuidAdded, r.macAdded]).toEqual([false, false]);
    expect(applyLoadDefaults(net({}, 'nat'), random).def.bridge.name).toBeUndefined();
  });
});

/** End to end through the parser and formatter, once they are implemented. */
const ready = implemented(() => {
  parseNetworkXml('<network><name>probe</name><uuid>11111111-2222-3333-4444-555555555555</uuid></network>');
  formatNetworkXml(parseNetworkXml('<network><name>probe</name><uuid>11111111-2222-3333-4444-555555555555</uuid></network>'));
});
if (!ready) console.warn('network-defaults: parseNetworkXml/formatNetworkXml not implemented yet, end-to-end cases skipped');

describe.skipIf(!ready)('define defaults end to end (parse → defaults → format)', () => {
  const define = async (xml: string, over: Partial<DefineFacts> = {}) =>
    formatNetworkXml(await prepareNetworkForDefine(parseNetworkXml(xml), facts(over)), { inactive: true });

  it('adds uuid, bridge with stp and delay, and MAC to a bare network (as libvirt 9.0 does)', async () => {
    expect(await define('<network><name>vta</name></network>')).toBe(
      [
        '<network>',
        '  <name>vta</name>',
        '  <uuid>aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee</uuid>',
        "  <bridge name='virbr0' stp='on' delay='0'/>",
        "  <mac address='52:54:00:a0:a1:a2'/>",
        '</network>',
        '',
      ].join('\n'),
    );
  });
  it('makes <forward/> nat and fills a template', async () => {
    const out = await define("<network><name>t</name><forward/><bridge name='tb%d'/><ip address='10.1.2.1' prefix='24'/></network>");
    expect(out).toContain("<forward mode='nat'/>");
    expect(out).toContain("<bridge name='tb0' stp='on' delay='0'/>");
  });
  it('echoes a forward dev as <interface> and adds nothing to a bridge network', async () => {
    const out = await define("<network><name>b</name><uuid>11111111-2222-3333-4444-555555555555</uuid><forward mode='bridge' dev='eth0'/></network>");
    expect(out).toBe(
      [
        '<network>',
        '  <name>b</name>',
        '  <uuid>11111111-2222-3333-4444-555555555555</uuid>',
        "  <forward dev='eth0' mode='bridge'>",
        "    <interface dev='eth0'/>",
        '  </forward>',
        '</network>',
        '',
      ].join('\n'),
    );
  });
  it('rejects an <ip> on a passthrough network parsed from XML', async () => {
    const e = await rejectionOf(
      define("<network><name>p</name><forward mode='passthrough' dev='eth0'/><ip address='10.0.0.1' prefix='24'/></network>"),
    );
    expect(e.message).toBe("unsupported configuration: Unsupported <ip> element in network p with forward mode='passthrough'");
  });
});
