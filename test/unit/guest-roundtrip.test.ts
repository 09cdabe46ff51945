/**
 * Guest XML round trips: a realistic libvirt domain (a qemu/kvm VM as
 * `virsh dumpxml` prints it while it runs, with its type set to virtnet's
 * 'tap') comes back byte for byte; inactive output drops exactly the live
 * interface data libvirt drops; kept elements keep their place; documents in
 * another layout come out in libvirt's layout, which is a fixed point.
 */
import { describe, expect, it } from 'vitest';
import { parseGuestXml } from '../../src/conf/guest/parse.js';
import { formatGuestXml } from '../../src/conf/guest/format.js';

/** A running VM as libvirt 9.0 prints it (`virsh dumpxml`), type changed from 'kvm' to 'tap'. */
const LIVE_VM = `<domain type='tap' id='3' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>centos7.0</name>
  <uuid>8a6c5a2e-4e5b-4b8e-9f3c-2d1e0c4b7a91</uuid>
  <title>CentOS 7 web server</title>
  <description>Provisioned by the tutorial.
Second line &amp; the &apos;rest&apos;.</description>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://centos.org/centos/7.0"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit='KiB'>2097152</memory>
  <currentMemory unit='KiB'>2097152</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <resource>
    <partition>/machine</partition>
  </resource>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
    <vmport state='off'/>
  </features>
  <cpu mode='host-passthrough' check='none' migratable='on'/>
  <clock offset='utc'>
    <timer name='rtc' tickpolicy='catchup'/>
    <timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>
  </clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <pm>
    <suspend-to-mem enabled='no'/>
    <suspend-to-disk enabled='no'/>
  </pm>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source file='/var/lib/libvirt/images/centos7.0.qcow2' index='2'/>
      <backingStore/>
      <target dev='vda' bus='virtio'/>
      <alias name='virtio-disk0'/>
      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/CentOS-7-x86_64-Minimal-2009.iso' index='1'/>
      <backingStore/>
      <target dev='sda' bus='sata'/>
      <readonly/>
      <alias name='sata0-0-0'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>
    <controller type='usb' index='0' model='qemu-xhci' ports='15'>
      <alias name='usb'/>
      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>
    </controller>
    <controller type='pci' index='0' model='pcie-root'>
      <alias name='pcie.0'/>
    </controller>
    <controller type='pci' index='1' model='pcie-root-port'>
      <model name='pcie-root-port'/>
      <target chassis='1' port='0x10'/>
      <alias name='pci.1'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0' multifunction='on'/>
    </controller>
    <controller type='sata' index='0'>
      <alias name='ide'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x1f' function='0x2'/>
    </controller>
    <interface type='network'>
      <mac address='52:54:00:6b:3c:58'/>
      <source network='default' portid='5b4f3d0e-8a7c-4b1d-9e2f-3a6c8d0b1e24' bridge='virbr0'/>
      <target dev='vnet0'/>
      <model type='virtio'/>
      <driver name='vhost' queues='2'>
        <host csum='off' gso='off'/>
        <guest tso4='off'/>
      </driver>
      <alias name='net0'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:0a:71:c2'/>
      <source bridge='br0'/>
      <vlan>
        <tag id='42'/>
      </vlan>
      <target dev='vnet1'/>
      <model type='e1000e'/>
      <link state='up'/>
      <mtu size='1500'/>
      <boot order='2'/>
      <alias name='ua-uplink'/>
      <rom bar='off'/>
      <address type='pci' domain='0x0000' bus='0x07' slot='0x00' function='0x0'/>
    </interface>
    <interface type='network' trustGuestRxFilters='yes'>
      <mac address='52:54:00:d4:19:8e'/>
      <source network='isolated' portgroup='lab' portid='0f6c2b7d-1e3a-4c5b-8d9e-7a6b5c4d3e2f' bridge='virbr1'/>
      <bandwidth>
        <inbound average='1000' peak='5000' burst='1024'/>
        <outbound average='128'/>
      </bandwidth>
      <target dev='mytap0'/>
      <model type='virtio'/>
      <filterref filter='clean-traffic'>
        <parameter name='IP' value='10.0.0.5'/>
      </filterref>
      <alias name='net2'/>
      <address type='pci' domain='0x0000' bus='0x08' slot='0x00' function='0x0'/>
    </interface>
    <serial type='pty'>
      <source path='/dev/pts/3'/>
      <target type='isa-serial' port='0'>
        <model name='isa-serial'/>
      </target>
      <alias name='serial0'/>
    </serial>
    <console type='pty' tty='/dev/pts/3'>
      <source path='/dev/pts/3'/>
      <target type='serial' port='0'/>
      <alias name='serial0'/>
    </console>
    <channel type='unix'>
      <source mode='bind' path='/run/libvirt/qemu/channel/3-centos7.0/org.qemu.guest_agent.0'/>
      <target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>
      <alias name='channel0'/>
      <address type='virtio-serial' controller='0' bus='0' port='1'/>
    </channel>
    <input type='tablet' bus='usb'>
      <alias name='input0'/>
      <address type='usb' bus='0' port='1'/>
    </input>
    <input type='mouse' bus='ps2'>
      <alias name='input1'/>
    </input>
    <input type='keyboard' bus='ps2'>
      <alias name='input2'/>
    </input>
    <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <audio id='1' type='none'/>
    <video>
      <model type='virtio' heads='1' primary='yes'/>
      <alias name='video0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>
    </video>
    <memballoon model='virtio'>
      <alias name='balloon0'/>
      <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0'/>
    </memballoon>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
      <alias name='rng0'/>
      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0'/>
    </rng>
  </devices>
  <seclabel type='dynamic' model='apparmor' relabel='yes'>
    <label>libvirt-8a6c5a2e-4e5b-4b8e-9f3c-2d1e0c4b7a91</label>
    <imagelabel>libvirt-8a6c5a2e-4e5b-4b8e-9f3c-2d1e0c4b7a91</imagelabel>
  </seclabel>
  <seclabel type='dynamic' model='dac' relabel='yes'>
    <label>+64055:+994</label>
    <imagelabel>+64055:+994</imagelabel>
  </seclabel>
  <qemu:commandline>
    <qemu:arg value='-global'/>
    <qemu:arg value='ICH9-LPC.disable_s3=1'/>
  </qemu:commandline>
</domain>
`;

/** What libvirt keeps of LIVE_VM's interfaces in a persistent definition. */
function persistentInterfaces(xml: string): string {
  return xml
    .replace(" id='3'", '')
    .replace(/ portid='[^']*'/g, '')
    .replace(/ bridge='virbr\d'/g, '')
    .replace(/\n {6}<target dev='vnet\d'\/>/g, '')
    .replace(/\n {6}<alias name='net\d'\/>/g, '');
}

describe('a libvirt domain document', () => {
  it('comes back byte for byte', () => {
    expect(formatGuestXml(parseGuestXml(LIVE_VM))).toBe(LIVE_VM);
  });

  it('types what virtnet acts on', () => {
    const def = parseGuestXml(LIVE_VM);
    expect(def).toMatchObject({
      type: 'tap',
      id: 3,
      name: 'centos7.0',
      uuid: '8a6c5a2e-4e5b-4b8e-9f3c-2d1e0c4b7a91',
      uuidSpecified: true,
      title: 'CentOS 7 web server',
    });
    expect(def.interfaces.map(({ extra, ...rest }) => ({ ...rest, extra: extra.map((e) => e.name) }))).toEqual([
      {
        type: 'network',
        mac: '52:54:00:6b:3c:58',
        source: 'default',
        portid: '5b4f3d0e-8a7c-4b1d-9e2f-3a6c8d0b1e24',
        actualBridge: 'virbr0',
        target: 'vnet0',
        model: 'virtio',
        alias: 'net0',
        extra: ['driver', 'address'],
      },
      {
        type: 'bridge',
        mac: '52:54:00:0a:71:c2',
        source: 'br0',
        target: 'vnet1',
        model: 'e1000e',
        alias: 'ua-uplink',
        extra: ['vlan', 'link', 'mtu', 'boot', 'rom', 'address'],
      },
      {
        type: 'network',
        trustGuestRxFilters: true,
        mac: '52:54:00:d4:19:8e',
        source: 'isolated',
        portgroup: 'lab',
        portid: '0f6c2b7d-1e3a-4c5b-8d9e-7a6b5c4d3e2f',
        actualBridge: 'virbr1',
        target: 'mytap0',
        model: 'virtio',
        alias: 'net2',
        extra: ['bandwidth', 'filterref', 'address'],
      },
    ]);
  });

  it('formats inactive without the live interface data, everything else untouched', () => {
    const inactive = formatGuestXml(parseGuestXml(LIVE_VM), { inactive: true });
    expect(inactive).toBe(persistentInterfaces(LIVE_VM));
    // The user's own target name and the user alias stay.
    expect(inactive).toContain("<target dev='mytap0'/>");
    expect(inactive).toContain("<alias name='ua-uplink'/>");
  });

  it('reads it as a persistent definition the way libvirt does', () => {
    const def = parseGuestXml(LIVE_VM, { inactive: true });
    expect(def.id).toBeUndefined();
    expect(def.interfaces.map((i) => [i.target, i.alias, i.portid, i.actualBridge])).toEqual([
      [undefined, undefined, undefined, undefined],
      [undefined, 'ua-uplink', undefined, undefined],
      ['mytap0', undefined, undefined, undefined],
    ]);
    // Live formatting of that definition is the persistent document.
    expect(formatGuestXml(def)).toBe(persistentInterfaces(LIVE_VM));
  });

  it('agrees with itself: inactive output parsed inactive formats back identically', () => {
    const once = formatGuestXml(parseGuestXml(LIVE_VM), { inactive: true });
    expect(formatGuestXml(parseGuestXml(once, { inactive: true }), { inactive: true })).toBe(once);
  });
});

describe('kept elements', () => {
  it("stay in place around the typed ones, in libvirt's order", () => {
    // Hand-written: interface children in no particular order, an unknown and a namespaced child.
    const xml =
      "<domain type='netns'><name>g</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><devices>" +
      "<interface type='network'>" +
      "<address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>" +
      "<alias name='ua-a'/><boot order='1'/><model type='virtio'/><driver name='vhost'/>" +
      "<x:hint xmlns:x='urn:x' level='2'/><target dev='t0'/><link state='down'/>" +
      "<source network='default'/><mac address='52:54:00:00:00:01'/><vlan><tag id='7'/></vlan>" +
      '</interface></devices></domain>';
    expect(formatGuestXml(parseGuestXml(xml))).toBe(
      "<domain type='netns'>\n" +
        '  <name>g</name>\n' +
        '  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n' +
        '  <devices>\n' +
        "    <interface type='network'>\n" +
        "      <mac address='52:54:00:00:00:01'/>\n" +
        "      <source network='default'/>\n" +
        "      <target dev='t0'/>\n" +
        "      <model type='virtio'/>\n" +
        "      <alias name='ua-a'/>\n" +
        "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n" +
        "      <boot order='1'/>\n" +
        "      <driver name='vhost'/>\n" +
        "      <x:hint xmlns:x='urn:x' level='2'/>\n" +
        "      <link state='down'/>\n" +
        '      <vlan>\n' +
        "        <tag id='7'/>\n" +
        '      </vlan>\n' +
        '    </interface>\n' +
        '  </devices>\n' +
        '</domain>\n',
    );
  });

  it("come out in libvirt's layout whatever the input layout, and that layout is a fixed point", () => {
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!-- a comment libvirt drops -->',
      '<domain type="tap"   xmlns:q="urn:q">',
      '\t<description>first\n  second &amp; "third"</description>',
      '    <name>web&amp;db</name>',
      '<q:opts><q:opt value="a&lt;b"/></q:opts>',
      '  <mixed>text <b>bold</b> tail</mixed>',
      '  <blank> </blank><empty></empty>',
      '  <title>It&apos;s</title>',
      '  <cdata><![CDATA[x < y]]></cdata>',
      '  <devices><?pi ignored?><interface type="bridge"><source bridge="br0"/></interface></devices>',
      '</domain>',
    ].join('\n');
    const out = formatGuestXml(parseGuestXml(xml, { uuid: () => 'c7a5fdbd-edaf-9455-926a-d65c16db1809' }));
    expect(out).toBe(
      "<domain type='tap' xmlns:q='urn:q'>\n" +
        '  <name>web&amp;db</name>\n' +
        '  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n' +
        '  <title>It&apos;s</title>\n' +
        '  <description>first\n  second &amp; &quot;third&quot;</description>\n' +
        '  <q:opts>\n' +
        "    <q:opt value='a&lt;b'/>\n" +
        '  </q:opts>\n' +
        '  <mixed>text <b>bold</b> tail</mixed>\n' +
        '  <blank> </blank>\n' +
        '  <empty/>\n' +
        '  <cdata>x &lt; y</cdata>\n' +
        '  <devices>\n' +
        "    <interface type='bridge'>\n" +
        "      <source bridge='br0'/>\n" +
        '    </interface>\n' +
        '  </devices>\n' +
        '</domain>\n',
    );
    expect(formatGuestXml(parseGuestXml(out))).toBe(out);
  });

  it('keep a second <devices> and put the interfaces where the first one was', () => {
    const xml =
      "<domain type='netns'>\n  <name>g</name>\n  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n" +
      "  <devices>\n    <serial type='pty'/>\n  </devices>\n" +
      "  <devices>\n    <interface type='bridge'>\n      <source bridge='br0'/>\n    </interface>\n" +
      "    <interface type='bridge'>\n      <source bridge='br1'/>\n    </interface>\n  </devices>\n</domain>\n";
    const def = parseGuestXml(xml);
    expect(def.interfaces.map((i) => i.source)).toEqual(['br0', 'br1']);
    expect(formatGuestXml(def)).toBe(xml);
  });
});
