/**
 * The building blocks of attach-interface and detach-interface: virsh's
 * device element (what --print-xml prints), reading it as libvirt reads an
 * attached device, adding and removing interfaces in the document, and
 * virsh's choice of the interface to detach with its four messages.
 *
 * When `virsh` is installed, virsh's own output is the reference: its
 * --print-xml text, and its detach-interface messages over the same domain
 * defined in libvirt's in-process test driver.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  VirshError,
  addInterface,
  formatAttachInterfaceXml,
  matchDetachInterface,
  parseInterfaceXml,
  removeInterface,
  type AttachInterfaceOptions,
} from '../../src/conf/guest/devices.js';
import { formatGuestXml } from '../../src/conf/guest/format.js';
import { parseGuestXml } from '../../src/conf/guest/parse.js';
import type { GuestDef } from '../../src/conf/guest/types.js';
import { thrownBy } from './support/vir-error.js';

const VIRSH = spawnSync('virsh', ['--version'], { encoding: 'utf8' }).status === 0;
const dir = VIRSH ? mkdtempSync(join(tmpdir(), 'guest-devices-')) : '';
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function virsh(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('virsh', ['-c', 'test:///default', ...args], { encoding: 'utf8', timeout: 20_000 });
}

/* ---- attach-interface ---- */

const ATTACH: Array<[string, AttachInterfaceOptions, string[]]> = [
  ['network only', { type: 'network', source: 'isolated' }, []],
  ['bridge only', { type: 'bridge', source: 'br0' }, []],
  [
    'every option',
    { type: 'network', source: 'isolated', target: 'vnet9', mac: '52:54:00:AA:bb:01', model: 'virtio', alias: 'ua-nic1' },
    ['--target', 'vnet9', '--mac', '52:54:00:AA:bb:01', '--model', 'virtio', '--alias', 'ua-nic1'],
  ],
  ['model and mac', { type: 'bridge', source: 'br0', mac: '52:54:00:00:00:02', model: 'e1000' }, ['--mac', '52:54:00:00:00:02', '--model', 'e1000']],
];

describe('attach-interface', () => {
  it("builds virsh's device element: source, target, mac, model, alias", () => {
    expect(formatAttachInterfaceXml(ATTACH[2]![1])).toBe(
      "<interface type='network'>\n" +
        "  <source network='isolated'/>\n" +
        "  <target dev='vnet9'/>\n" +
        "  <mac address='52:54:00:AA:bb:01'/>\n" +
        "  <model type='virtio'/>\n" +
        "  <alias name='ua-nic1'/>\n" +
        '</interface>\n',
    );
  });

  it.skipIf(!VIRSH).each(ATTACH)('prints what virsh --print-xml prints (%s)', (_, options, flags) => {
    const r = virsh('attach-interface', 'no-such-domain', options.type, options.source, ...flags, '--print-xml');
    expect(r.status).toBe(0);
    // virsh adds its blank line after every command.
    expect(r.stdout).toBe(`${formatAttachInterfaceXml(options)}\n`);
  });

  it('refuses types as virsh does, and the ones virtnet does not connect as libvirt does', () => {
    const e = thrownBy(() => formatAttachInterfaceXml({ type: 'user', source: 'x' }));
    expect(e).toBeInstanceOf(VirshError);
    expect(e.message).toBe("No support for user in command 'attach-interface'");
    expect(thrownBy(() => formatAttachInterfaceXml({ type: 'foo', source: 'x' })).message).toBe("No support for foo in command 'attach-interface'");
    expect(thrownBy(() => formatAttachInterfaceXml({ type: 'direct', source: 'eth0' })).message).toBe(
      "unsupported configuration: Unsupported net type 'direct'",
    );
  });

  it.skipIf(!VIRSH)("with virsh's words for an unknown type", () => {
    const r = virsh('attach-interface', 'no-such-domain', 'foo', 'x', '--print-xml');
    expect(r.stderr).toBe("error: No support for foo in command 'attach-interface'\n");
  });

  it('reads the element as libvirt reads an attached device', () => {
    const iface = parseInterfaceXml(formatAttachInterfaceXml(ATTACH[2]![1]), { inactive: true });
    // The generated-looking target name is blanked; the user alias stays.
    expect(iface).toEqual({ type: 'network', source: 'isolated', mac: '52:54:00:aa:bb:01', model: 'virtio', alias: 'ua-nic1', extra: [] });
    const plain = parseInterfaceXml(formatAttachInterfaceXml({ type: 'bridge', source: 'br0', alias: 'net7', target: 'tap7' }), { inactive: true });
    expect(plain).toEqual({ type: 'bridge', source: 'br0', target: 'tap7', extra: [] });
  });

  it("reports device XML errors under libvirt's device label", () => {
    expect(thrownBy(() => parseInterfaceXml("<interface type='network'>")).message).toBe(
      "(device_definition):1: Premature end of data in tag interface line 1\n<interface type='network'>\n--------------------------^",
    );
    expect(thrownBy(() => parseInterfaceXml('<disk/>')).message).toBe("XML error: unknown device type 'disk'");
    expect(thrownBy(() => parseInterfaceXml("<interface type='network'><source network='n'/><mac address='zz'/></interface>")).message).toBe(
      "XML error: unable to parse mac address 'zz'",
    );
  });
});

/* ---- adding and removing ---- */

const NIC = parseInterfaceXml(
  "<interface type='network'><mac address='52:54:00:00:00:09'/><source network='isolated'/><model type='virtio'/></interface>",
);
const NIC_LINES =
  "    <interface type='network'>\n" +
  "      <mac address='52:54:00:00:00:09'/>\n" +
  "      <source network='isolated'/>\n" +
  "      <model type='virtio'/>\n" +
  '    </interface>\n';

/** Guest g's document as formatGuestXml writes it (type tap, `uuid`), with `body`: whole lines, each ending in a newline. */
const tapGuestG = (uuid: string, ...body: string[]): string =>
  ["<domain type='tap'>\n", '  <name>g</name>\n', `  <uuid>${uuid}</uuid>\n`, ...body, '</domain>\n'].join('');

describe('addInterface and removeInterface', () => {
  it('appends, leaving the argument alone', () => {
    const def = parseGuestXml(
      "<domain type='netns'><name>g</name><devices><interface type='network'><source network='default'/></interface></devices></domain>",
    );
    const next = addInterface(def, NIC);
    expect(next.interfaces.map((i) => i.source)).toEqual(['default', 'isolated']);
    expect(def.interfaces).toHaveLength(1);
  });

  it('creates <devices> where libvirt writes it when the guest has none', () => {
    const def = parseGuestXml(
      "<domain type='tap'><name>g</name><os><type>hvm</type></os><on_crash>destroy</on_crash><seclabel type='none'/></domain>",
    );
    expect(formatGuestXml(addInterface(def, NIC))).toBe(
      tapGuestG(
        def.uuid,
        '  <os>\n    <type>hvm</type>\n  </os>\n',
        '  <on_crash>destroy</on_crash>\n',
        '  <devices>\n',
        NIC_LINES,
        '  </devices>\n',
        "  <seclabel type='none'/>\n",
      ),
    );
  });

  it('puts the first interface after disks and controllers, before the other devices', () => {
    const def = parseGuestXml(
      "<domain type='tap'><name>g</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><devices><emulator>/usr/bin/qemu</emulator><disk type='file'><target dev='vda'/></disk><controller type='usb'/><serial type='pty'/></devices></domain>",
    );
    expect(formatGuestXml(addInterface(def, NIC))).toBe(
      tapGuestG(
        'c7a5fdbd-edaf-9455-926a-d65c16db1809',
        '  <devices>\n',
        '    <emulator>/usr/bin/qemu</emulator>\n',
        "    <disk type='file'>\n      <target dev='vda'/>\n    </disk>\n",
        "    <controller type='usb'/>\n",
        NIC_LINES,
        "    <serial type='pty'/>\n",
        '  </devices>\n',
      ),
    );
  });

  it('writes added interfaces after the existing ones, and keeps the place when all are gone', () => {
    const xml =
      "<domain type='netns'>\n  <name>g</name>\n  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n  <devices>\n" +
      "    <controller type='usb'/>\n" +
      "    <interface type='bridge'>\n      <mac address='52:54:00:00:00:01'/>\n      <source bridge='br0'/>\n    </interface>\n" +
      "    <serial type='pty'/>\n  </devices>\n</domain>\n";
    const def = parseGuestXml(xml);
    const added = formatGuestXml(addInterface(def, NIC));
    expect(added).toBe(xml.replace("    <serial type='pty'/>\n", `${NIC_LINES}    <serial type='pty'/>\n`));
    const none = removeInterface(def, 0);
    expect(formatGuestXml(none)).toBe(xml.replace(/ {4}<interface[\s\S]*<\/interface>\n/, ''));
    expect(formatGuestXml(addInterface(none, NIC))).toBe(xml.replace(/ {4}<interface[\s\S]*<\/interface>\n/, NIC_LINES));
  });

  it('writes an emptied <devices> as libvirt does', () => {
    const def = parseGuestXml(
      "<domain type='netns'><name>g</name><devices><interface type='network'><source network='n'/></interface></devices></domain>",
    );
    expect(formatGuestXml(removeInterface(def, 0))).toContain('  <devices>\n  </devices>\n');
  });

  it("refuses an alias in use (libvirt's check on attach)", () => {
    const def = parseGuestXml(
      "<domain type='netns'><name>g</name><devices><interface type='network'><source network='n'/><alias name='ua-a'/></interface></devices></domain>",
    );
    const dup = parseInterfaceXml("<interface type='bridge'><source bridge='br0'/><alias name='ua-a'/></interface>", { inactive: true });
    const e = thrownBy(() => addInterface(def, dup));
    expect(e.message).toBe('unsupported configuration: non unique alias detected: ua-a');
    expect(e.errorClass).toBe('CONFIG_UNSUPPORTED');
  });

  it('removes by index and refuses an index that does not exist', () => {
    const def = addInterface(parseGuestXml("<domain type='netns'><name>g</name></domain>"), NIC);
    expect(removeInterface(def, 0).interfaces).toEqual([]);
    expect(thrownBy(() => removeInterface(def, 1)).message).toBe('internal error: no interface at index 1');
  });
});

/* ---- detach-interface ---- */

const DETACH_GUEST =
  "<domain type='netns'><name>b</name><devices>" +
  "<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>" +
  "<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>" +
  "<interface type='network'><mac address='52:54:00:00:00:02'/><source network='isolated'/></interface>" +
  "<interface type='bridge'><mac address='52:54:00:00:00:03'/><source bridge='br0'/></interface>" +
  '</devices></domain>';

/** [type, --mac, virsh's message or the index picked] */
const DETACH: Array<[string, string | undefined, string | number]> = [
  ['direct', undefined, 'No interface found whose type is direct'],
  ['direct', '52:54:00:00:00:01', 'No interface found whose type is direct'],
  ['network', undefined, 'Domain has 3 interfaces. Please specify which one to detach using --mac'],
  ['network', '52:54:00:00:00:09', 'No interface with MAC address 52:54:00:00:00:09 was found'],
  ['network', '52:54:00:00:00:03', 'No interface with MAC address 52:54:00:00:00:03 was found'],
  ['network', 'zz', 'No interface with MAC address zz was found'],
  [
    'network',
    '52:54:00:00:00:01',
    'Domain has multiple interfaces matching MAC address 52:54:00:00:00:01. You must use detach-device and specify the device pci address to remove it.',
  ],
  ['network', '52:54:0:0:0:2', 2],
  ['network', '52:54:00:00:00:02', 2],
  ['bridge', undefined, 3],
  ['bridge', '52:54:00:00:00:03', 3],
];

describe('detach-interface', () => {
  const def: GuestDef = parseGuestXml(DETACH_GUEST);

  it.each(DETACH)('type %s, --mac %s', (type, mac, expected) => {
    if (typeof expected === 'number') {
      const m = matchDetachInterface(def, type, mac);
      expect(m.index).toBe(expected);
      expect(m.iface).toBe(def.interfaces[expected]);
      return;
    }
    const e = thrownBy(() => matchDetachInterface(def, type, mac));
    expect(e).toBeInstanceOf(VirshError);
    // virsh's own text: no library class, no prefix.
    expect(e.message).toBe(expected);
  });

  it.skipIf(!VIRSH)('says what virsh says over the same domain', () => {
    const file = join(dir, 'b.xml');
    writeFileSync(file, DETACH_GUEST.replace("type='netns'>", "type='test'><memory>1024</memory><os><type>hvm</type></os>"));
    const cases = DETACH.filter(([, , e]) => typeof e === 'string');
    const cmds = [`define ${file}`, ...cases.map(([type, mac]) => `detach-interface b ${type}${mac ? ` --mac ${mac}` : ''} --config`)];
    const r = virsh(cmds.join(' ; '));
    const expected = cases.map(([, , msg]) => `error: ${msg}\nerror: Failed to detach interface\n`).join('');
    expect(r.stderr).toBe(expected);
  });
});
