/**
 * libvirt's network port API on virtnet's network driver: the <networkport>
 * document (parse with libvirt's texts, format in its layout), and ports
 * created, listed, looked up, reclaimed and deleted as libvirt clients do,
 * beside virtnet guests' own vNIC ports, with the network's connection
 * counts following them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatNetworkPortXml } from '../../src/conf/network/port-format.js';
import { parseNetworkPortXml } from '../../src/conf/network/port-parse.js';
import { guestXml, startGuestTestDriver, type GuestTestDriver } from '../support/guest-testkit.js';
import { natXml } from '../support/network-testkit.js';
import { rejectionOf } from './support/vir-error.js';

const PORT = '7a7b7c7d-0000-4000-8000-000000000001';
const OWNER = '7a7b7c7d-0000-4000-8000-0000000000aa';

const portXml = (extra = '', uuid = PORT): string =>
  `<networkport>\n  <uuid>${uuid}</uuid>\n  <owner>\n    <name>vm1</name>\n    <uuid>${OWNER}</uuid>\n  </owner>\n  <mac address='52:54:00:AB:00:01'/>\n${extra}</networkport>\n`;

describe('the <networkport> document', () => {
  it('reads what libvirt reads and writes it back in its layout', () => {
    const def = parseNetworkPortXml(
      portXml(
        "  <group>web</group>\n  <bandwidth><inbound average='100'/></bandwidth>\n  <plug type='network' bridge='virbr0' macTableManager='libvirt'/>\n",
      ),
    );
    expect(def).toEqual({
      uuid: PORT,
      owner: { name: 'vm1', uuid: OWNER },
      group: 'web',
      mac: '52:54:00:ab:00:01',
      plug: { type: 'network', bridge: 'virbr0', macTableManager: 'libvirt' },
    });
    expect(formatNetworkPortXml(def)).toBe(
      `<networkport>\n  <uuid>${PORT}</uuid>\n  <owner>\n    <name>vm1</name>\n    <uuid>${OWNER}</uuid>\n  </owner>\n  <group>web</group>\n  <mac address='52:54:00:ab:00:01'/>\n  <plug type='network' bridge='virbr0' macTableManager='libvirt'/>\n</networkport>\n`,
    );
    expect(formatNetworkPortXml(parseNetworkPortXml(portXml("  <plug type='direct' dev='eth0'/>\n")))).toContain(
      "<plug type='direct' dev='eth0' mode='vepa'/>",
    );
    expect(formatNetworkPortXml({ ...def, owner: { name: "a&b'", uuid: OWNER } })).toContain('<name>a&amp;b&apos;</name>');
  });

  it("refuses what libvirt refuses, in libvirt's words", () => {
    const fail = (xml: string): string => {
      try {
        parseNetworkPortXml(xml);
      } catch (err) {
        return (err as Error).message;
      }
      return 'parsed';
    };
    expect(fail('<network/>')).toBe("XML error: expecting root element of 'networkport', not 'network'");
    expect(fail('<networkport/>')).toBe('internal error: network port has no uuid');
    expect(fail('<networkport><uuid>nope</uuid></networkport>')).toBe("internal error: Unable to parse UUID 'nope'");
    expect(fail(`<networkport><uuid>${PORT}</uuid></networkport>`)).toBe('internal error: network port has no owner name');
    expect(fail(`<networkport><uuid>${PORT}</uuid><owner><name>a</name></owner></networkport>`)).toBe(
      'internal error: network port has no owner UUID',
    );
    expect(fail(portXml().replace(/<mac[^>]*>/, ''))).toBe('internal error: network port has no mac');
    expect(fail(portXml().replace('52:54:00:AB:00:01', 'zz'))).toBe("internal error: Unable to parse MAC 'zz'");
    expect(fail(portXml("<plug type='network'/>"))).toBe('XML error: Missing network port bridge name');
    expect(fail(portXml("<plug type='direct' dev='e' mode='odd'/>"))).toBe("XML error: Invalid mode setting 'odd' in network port");
    expect(fail(portXml("<plug type='wire'/>"))).toBe("XML error: Invalid value for attribute 'type' in element 'plug': 'wire'.");
  });
});

describe("the network driver's port API", () => {
  let t: GuestTestDriver;
  beforeEach(async () => {
    t = await startGuestTestDriver();
    await t.driver.define(natXml('nat', '10.7.0'));
  });
  afterEach(async () => {
    await t.dispose();
  });

  const connections = async (): Promise<string> => /<network(?: connections='(\d+)')?>/.exec(await t.driver.getXml('nat'))?.[1] ?? '0';

  it('creates a port on the running network, with the plug it chose, counted in the live XML', async () => {
    expect(await rejectionOf(t.driver.portCreate('nat', portXml()))).toMatchObject({
      message: "Requested operation is not valid: network 'nat' is not active",
    });
    await t.driver.start('nat');
    const port = await t.driver.portCreate('nat', portXml());
    expect(port).toEqual({ uuid: PORT, owner: { name: 'vm1', uuid: OWNER }, mac: '52:54:00:ab:00:01', plug: { type: 'network', bridge: 'virbr0' } });
    expect(await connections()).toBe('1');
    expect(await t.driver.portList('nat')).toEqual([port]);
    expect(await t.driver.portLookup('nat', PORT)).toEqual(port);
    expect(await t.driver.portGetXml('nat', PORT)).toContain("<plug type='network' bridge='virbr0'/>");
    expect(await rejectionOf(t.driver.portCreate('nat', portXml()))).toMatchObject({
      errorClass: 'NETWORK_PORT_EXIST',
      message: `network port ${PORT} exists already`,
    });
    await t.driver.portDelete('nat', PORT);
    expect(await connections()).toBe('0');
    expect(await rejectionOf(t.driver.portDelete('nat', PORT))).toMatchObject({
      errorClass: 'NO_NETWORK_PORT',
      message: `network port not found: Network port with UUID ${PORT} does not exist`,
    });
    expect(await rejectionOf(t.driver.portLookup('gone', PORT))).toMatchObject({ errorClass: 'NO_NETWORK' });
  });

  it('reclaims a port a guest kept (its plug given), and refuses a plug without reclaim or reclaim without one', async () => {
    await t.driver.start('nat');
    const plugged = portXml("  <plug type='network' bridge='virbr0'/>\n");
    expect(await rejectionOf(t.driver.portCreate('nat', plugged))).toMatchObject({
      message: 'invalid argument: Port reclaim not requested but plug type is not none',
    });
    expect(await rejectionOf(t.driver.portCreate('nat', portXml(), { reclaim: true }))).toMatchObject({
      message: 'invalid argument: Port reclaim requested but plug type is none',
    });
    await t.driver.portCreate('nat', plugged, { reclaim: true });
    await t.driver.portCreate('nat', plugged, { reclaim: true });
    expect((await t.driver.portList('nat')).map((p) => p.uuid)).toEqual([PORT]);
    expect(await connections()).toBe('1');
  });

  it("lists virtnet guests' vNICs as ports too, owned by the guest; a stopped network has none", async () => {
    await t.driver.start('nat');
    await t.driver.guestDefine(guestXml('g1', { nics: ['network:nat'] }));
    await t.driver.guestStart('g1');
    const [port] = await t.driver.portList('nat');
    const guest = await t.driver.guestLookupByName('g1');
    expect(port).toMatchObject({ owner: { name: 'g1', uuid: guest.uuid }, plug: { type: 'network', bridge: 'virbr0' } });
    await t.driver.destroy('nat', { force: true });
    expect(await t.driver.portList('nat')).toEqual([]);
  });
});
