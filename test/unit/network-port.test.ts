/**
 * libvirt's network port API on virtnet's network driver: the <networkport>
 * document (parse with libvirt's texts, format in its layout), and ports
 * created, listed, looked up, reclaimed and deleted as libvirt clients do,
 * beside virtnet guests' own vNIC ports, with the network's connection
 * counts following them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatNetworkPortXml } from '../../src/conf/network/port-format.js';
import { parseNetworkPortXml } from '../../src/conf/network/port-parse.js';
import { guestXml, startGuestTestDriver, type GuestTestDriver } from '../support/guest-testkit.js';
import { isolatedXml, natXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
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
      bandwidth: { inbound: { average: 100 } },
      plug: { type: 'network', bridge: 'virbr0', macTableManager: 'libvirt' },
    });
    expect(formatNetworkPortXml(def)).toBe(
      `<networkport>\n  <uuid>${PORT}</uuid>\n  <owner>\n    <name>vm1</name>\n    <uuid>${OWNER}</uuid>\n  </owner>\n  <group>web</group>\n  <mac address='52:54:00:ab:00:01'/>\n` +
        `  <bandwidth>\n    <inbound average='100'/>\n  </bandwidth>\n  <plug type='network' bridge='virbr0' macTableManager='libvirt'/>\n</networkport>\n`,
    );
    const full = parseNetworkPortXml(
      portXml(
        "  <virtualport type='802.1Qbh'><parameters profileid='p1'/></virtualport>\n  <bandwidth classID='7'><inbound average='10' floor='5'/></bandwidth>\n" +
          "  <vlan><tag id='9'/></vlan>\n  <port isolated='yes'/>\n  <rxfilters trustGuest='no'/>\n",
      ),
    );
    expect(full).toMatchObject({
      virtualPort: { type: '802.1Qbh', parameters: { profileId: 'p1' } },
      bandwidth: { classId: 7, inbound: { average: 10, floor: 5 } },
      vlan: { tags: [{ id: 9 }] },
      isolated: true,
      trustGuestRxFilters: false,
    });
    expect(formatNetworkPortXml(full)).toContain(
      "  <mac address='52:54:00:ab:00:01'/>\n  <virtualport type='802.1Qbh'>\n    <parameters profileid='p1'/>\n  </virtualport>\n" +
        "  <bandwidth classID='7'>\n    <inbound average='10' floor='5'/>\n  </bandwidth>\n  <vlan>\n    <tag id='9'/>\n  </vlan>\n" +
        "  <port isolated='yes'/>\n  <rxfilters trustGuest='no'/>\n</networkport>\n",
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
    expect(fail(portXml("<bandwidth><outbound average='1' floor='1'/></bandwidth>"))).toBe(
      "unsupported configuration: 'floor' attribute allowed only in <inbound> element",
    );
    expect(fail(portXml("<bandwidth classID='x'><inbound average='1'/></bandwidth>"))).toBe("internal error: Unable to parse class id 'x'");
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
      message: `network port Network port with UUID ${PORT} already exists exists already`,
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

  it("lists virtnet guests' vNICs as ports too, owned by the guest; a stopped network has none to list", async () => {
    await t.driver.start('nat');
    await t.driver.guestDefine(guestXml('g1', { nics: ['network:nat'] }));
    await t.driver.guestStart('g1');
    const [port] = await t.driver.portList('nat');
    const guest = await t.driver.guestLookupByName('g1');
    expect(port).toMatchObject({ owner: { name: 'g1', uuid: guest.uuid }, plug: { type: 'network', bridge: 'virbr0' } });
    await t.driver.destroy('nat', { force: true });
    expect(await rejectionOf(t.driver.portList('nat'))).toMatchObject({ message: "Requested operation is not valid: network 'nat' is not active" });
  });

  it("counts a guest's port and a client's port once each after a daemon restart", async () => {
    await t.driver.start('nat');
    await t.driver.guestDefine(guestXml('g1', { nics: ['network:nat'] }));
    await t.driver.guestStart('g1');
    await t.driver.portCreate('nat', portXml());
    expect(await connections()).toBe('2');
    t = await t.restart();
    expect(await connections()).toBe('2');
    expect((await t.driver.portList('nat')).map((p) => p.owner.name).sort()).toEqual(['g1', 'vm1']);
  });
});

describe('ports libvirt clients made, across a daemon restart', () => {
  const QOS = "  <bandwidth>\n    <inbound average='1000' peak='2000'/>\n  </bandwidth>\n";
  const FLOOR = (floor: number): string => `  <bandwidth><inbound average='10' floor='${floor}'/></bandwidth>\n`;
  const PORT2 = '7a7b7c7d-0000-4000-8000-000000000002';
  const PORT3 = '7a7b7c7d-0000-4000-8000-000000000003';

  let t: TestDriver;
  beforeEach(async () => {
    t = await startTestDriver();
  });
  afterEach(async () => {
    await t.dispose();
  });

  const statusOf = (name: string): string => readFileSync(join(t.paths.networkStatusDir, `${name}.xml`), 'utf8');

  it('are kept in status files and come back with their settings, plugs and counts, without doubling', async () => {
    await t.driver.define(natXml('nat', '10.7.0'));
    await t.driver.start('nat');
    await t.driver.portCreate('nat', portXml("  <group>web</group>\n  <vlan><tag id='5'/></vlan>\n"));
    const before = await t.driver.portGetXml('nat', PORT);
    expect(readFileSync(join(t.paths.networkStatusDir, 'nat', 'ports', `${PORT}.xml`), 'utf8')).toContain(`virtnet net-port-create ${PORT}`);
    t = await t.restart();
    expect(await t.driver.portGetXml('nat', PORT)).toBe(before);
    expect(await t.driver.getXml('nat')).toMatch(/^<network connections='1'>/);
    await t.driver.portDelete('nat', PORT);
    t = await t.restart();
    expect(await t.driver.portList('nat')).toEqual([]);
    expect(await t.driver.getXml('nat')).toMatch(/^<network>/);
  });

  it('go with their network: a stop removes them, also from disk', async () => {
    await t.driver.define(natXml('nat', '10.7.0'));
    await t.driver.start('nat');
    await t.driver.portCreate('nat', portXml());
    await t.driver.destroy('nat');
    expect(existsSync(join(t.paths.networkStatusDir, 'nat'))).toBe(false);
    await t.driver.start('nat');
    t = await t.restart();
    expect(await t.driver.portList('nat')).toEqual([]);
  });

  it('keep the books of inbound floors: room in the network inbound QoS, a class id each, in the status file', async () => {
    await t.driver.define(isolatedXml('qos', { subnet: '10.8.0', extra: QOS }));
    await t.driver.start('qos');
    expect(statusOf('qos')).toContain("<class_id bitmap='0-2'/>\n  <floor sum='0'/>");
    await t.driver.portCreate('qos', portXml(FLOOR(1500)));
    expect(await t.driver.portGetXml('qos', PORT)).toContain("<bandwidth classID='3'>");
    await t.driver.portCreate('qos', portXml(FLOOR(400), PORT2));
    expect(statusOf('qos')).toContain("<class_id bitmap='0-4'/>\n  <floor sum='1900'/>");
    expect(await rejectionOf(t.driver.portCreate('qos', portXml(FLOOR(101), PORT3)))).toMatchObject({
      errorClass: 'OPERATION_INVALID',
      message:
        "Requested operation is not valid: Cannot plug '52:54:00:ab:00:01' interface into 'virbr0' because new combined inbound floor=2001 would overcommit peak=2000 on network 'qos'",
    });
    await t.driver.portDelete('qos', PORT);
    await t.driver.portCreate('qos', portXml(FLOOR(100), PORT3));
    expect(await t.driver.portGetXml('qos', PORT3)).toContain("<bandwidth classID='3'>");
    t = await t.restart();
    expect(statusOf('qos')).toContain("<class_id bitmap='0-4'/>\n  <floor sum='500'/>");
  });
});
