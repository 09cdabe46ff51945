/**
 * Issue 10: values now refused at define (so dnsmasq, ip and nftables get
 * every value as itself) were taken by an earlier virtnet, so its saved
 * configs may hold them. Such a network is loaded as it was saved, with a
 * warning naming the network, the element and the reason; it cannot start
 * (autostart included) until net-edit fixes it, and net-undefine removes
 * it. Nothing else keeps the driver from starting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestDriver, isolatedXml, type TestDriver } from '../support/network-testkit.js';
import { collectRefusedValues } from '../../src/conf/network/refused-values.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { DriverLogger } from '../../src/driver/common/log.js';
import { autostartMarkerPath } from '../../src/driver/network/startup.js';
import { rejectionOf } from './support/vir-error.js';
import { dhcpHostUpdate } from './support/update-request.js';

/** Configs as an earlier virtnet saved them, each with one value virtnet now refuses, and the element named. */
const SAVED: { name: string; extra: string; element: string; reason: RegExp }[] = [
  {
    name: 'idn',
    extra: "  <dns>\n    <host ip='10.80.1.5'>\n      <hostname>café</hostname>\n    </host>\n  </dns>\n",
    element: 'dns/host/hostname',
    reason: /Invalid hostname 'café' in network 'idn' DNS HOST record/,
  },
  { name: 'nodomain', extra: "  <domain name=''/>\n", element: 'domain@name', reason: /Invalid domain name '' in network 'nodomain'/ },
  { name: 'comma', extra: "  <bridge name='vb,1'/>\n", element: 'bridge@name', reason: /Invalid bridge name 'vb,1' in network 'comma'/ },
  {
    name: 'wild',
    extra: "  <forward mode='nat' dev='eth*'/>\n",
    element: 'forward@dev',
    reason: /Invalid forward device name 'eth\*' in network wild/,
  },
  {
    name: 'ignore',
    extra:
      "  <ip address='10.80.5.1' netmask='255.255.255.0'>\n    <dhcp>\n      <host mac='52:54:00:00:00:05' name='vm,ignore' ip='10.80.5.9'/>\n    </dhcp>\n  </ip>\n",
    element: 'ip/dhcp/host@name',
    reason: /Cannot use host name 'vm,ignore' in network 'ignore'/,
  },
  {
    name: 'txt',
    extra: "  <dns>\n    <txt name='ünï' value='x'/>\n  </dns>\n",
    element: 'dns/txt@name',
    reason: /prohibited character in DNS TXT record name 'ünï' of network txt/,
  },
];

const subnetOf = (i: number): string => `10.81.${i}`;

/** The config file as an earlier virtnet wrote it (a uuid and a bridge, under the plain name). */
function savedXml(s: (typeof SAVED)[number], i: number): string {
  const bridge = s.extra.includes('<bridge ') ? {} : { bridge: `virbr8${i}` };
  const xml = isolatedXml(s.name, { uuid: `6e8f3c1a-0000-4000-8000-00000000000${i}`, extra: s.extra, ...bridge });
  // A network with its own <ip> keeps it; the others get one so they would be startable.
  return s.extra.includes('<ip ') ? xml : xml.replace('</network>', `  <ip address='${subnetOf(i)}.1' netmask='255.255.255.0'/>\n</network>`);
}

function recordingLogger(): { logger: DriverLogger; lines: { level: string; fields: Record<string, unknown>; message: string }[] } {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields: fields as Record<string, unknown>, message });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A root holding the saved configs (every one marked autostart), then a driver started over it. */
async function driverOverSaved(): Promise<{ t: TestDriver; lines: ReturnType<typeof recordingLogger>['lines'] }> {
  const empty = await startTestDriver();
  await empty.driver.close();
  const cfg = empty.paths.networkConfigDir;
  mkdirSync(empty.paths.networkAutostartDir, { recursive: true });
  SAVED.forEach((s, i) => {
    writeFileSync(join(cfg, `${s.name}.xml`), savedXml(s, i));
    symlinkSync(join(cfg, `${s.name}.xml`), join(empty.paths.networkAutostartDir, `${s.name}.xml`));
  });
  const { logger, lines } = recordingLogger();
  rmSync(autostartMarkerPath(empty.paths));
  const t = await empty.restart({ logger });
  cleanups.push(() => t.dispose());
  return { t, lines };
}

describe('the parser, collecting refused values', () => {
  it('keeps each value and says what define refuses; without the collector define still refuses it', () => {
    SAVED.forEach((s, i) => {
      const xml = savedXml(s, i);
      expect(() => parseNetworkXml(xml)).toThrow(s.reason);
      const { result, refused } = collectRefusedValues(() => parseNetworkXml(xml));
      expect(result.name).toBe(s.name);
      expect(refused.map((r) => r.element)).toEqual([s.element]);
      expect(refused[0]!.error.message).toMatch(s.reason);
      // Collecting ends with the parse.
      expect(() => parseNetworkXml(xml)).toThrow(s.reason);
    });
  });

  it("never keeps what libvirt itself refuses (a TXT name with a space, a host name starting with '-')", () => {
    const space = isolatedXml('sp', { extra: "  <dns>\n    <txt name='a b' value='x'/>\n  </dns>\n" });
    expect(() => collectRefusedValues(() => parseNetworkXml(space))).toThrow(/prohibited character in DNS TXT record name 'a b'/);
    const dash = isolatedXml('dash', {
      extra:
        "  <ip address='10.80.6.1' netmask='255.255.255.0'>\n    <dhcp>\n      <host mac='52:54:00:00:00:06' name='-vm' ip='10.80.6.9'/>\n    </dhcp>\n  </ip>\n",
    });
    expect(() => collectRefusedValues(() => parseNetworkXml(dash))).toThrow(/Cannot use host name '-vm'/);
  });
});

describe('a saved network holding a value virtnet no longer takes', () => {
  it('is loaded, with a warning naming the network, the element and the reason; autostart skips it', async () => {
    const { t, lines } = await driverOverSaved();
    expect((await t.driver.list()).map((n) => n.name).sort()).toEqual(SAVED.map((s) => s.name).sort());
    for (const s of SAVED) {
      const warning = lines.find((l) => l.level === 'warn' && l.fields['network'] === s.name);
      expect(warning?.fields).toMatchObject({ element: s.element, reason: expect.stringMatching(s.reason) });
      expect(warning?.message).toMatch(/cannot start until it is fixed with net-edit or removed with net-undefine/);
      expect(t.driver.startupReport?.problems).toContainEqual({ subject: s.name, message: expect.stringContaining(`<${s.element}>`) });
      // Autostart was tried and refused: the network stays inactive, with the reason in the report.
      expect(await t.driver.lookupByName(s.name)).toMatchObject({ active: false, persistent: true, autostart: true });
      expect(t.driver.startupReport?.problems).toContainEqual({
        subject: s.name,
        message: expect.stringMatching(/was saved with values virtnet no longer takes/),
      });
    }
    expect(t.driver.startupReport?.autostarted).toEqual([]);
    expect(t.kernel.links.size).toBe(0);
  });

  it('refuses to start with the element and the way out, and dumpxml shows it as saved', async () => {
    const { t } = await driverOverSaved();
    const err = await rejectionOf(t.driver.start('idn'));
    expect(err.errorClass).toBe('CONFIG_UNSUPPORTED');
    expect(err.message).toBe(
      "unsupported configuration: network 'idn' was saved with values virtnet no longer takes (<dns/host/hostname>: " +
        "Invalid hostname 'café' in network 'idn' DNS HOST record); fix them with net-edit or remove the network with net-undefine",
    );
    expect(await t.driver.getXml('idn')).toContain('<hostname>café</hostname>');
    expect(t.kernel.links.size).toBe(0);
  });

  it('a net-edit (define) fixes it, a net-update that removes the value too, and net-undefine removes one', async () => {
    const { t } = await driverOverSaved();
    // net-edit: the dumped XML, edited, defined again.
    const edited = (await t.driver.getXml('idn')).replace('café', 'cafe');
    await t.driver.define(edited);
    await t.driver.start('idn');
    expect((await t.driver.lookupByName('idn')).active).toBe(true);
    // An edit that keeps a refused value is refused as any define.
    const stillBad = await rejectionOf(t.driver.define((await t.driver.getXml('comma', { inactive: true })).replace('vb,1', 'vb,2')));
    expect(stillBad.message).toMatch(/Invalid bridge name 'vb,2' in network 'comma'/);
    await expect(t.driver.start('comma')).rejects.toThrow(/was saved with values virtnet no longer takes/);
    // net-update deleting the refused entry leaves a config define would take.
    await t.driver.update('ignore', dhcpHostUpdate("<host mac='52:54:00:00:00:05' name='vm,ignore' ip='10.80.5.9'/>", { config: true }, 'delete'));
    await t.driver.start('ignore');
    // net-undefine.
    await t.driver.undefine('nodomain');
    expect((await t.driver.list()).map((n) => n.name)).not.toContain('nodomain');
    const t2 = await t.restart();
    expect((await t2.driver.list()).map((n) => n.name).sort()).toEqual(['comma', 'idn', 'ignore', 'txt', 'wild']);
    expect(t2.driver.startupReport?.problems.map((p) => p.subject).sort()).toEqual(['comma', 'txt', 'wild']);
  });

  it('while it runs (its status file holds the value too): adopted, stopped, and then refused a start', async () => {
    const t = await startTestDriver();
    cleanups.push(() => t.dispose());
    await t.driver.define(isolatedXml('dom', { subnet: '10.82.1', extra: "  <domain name='ok.example'/>\n" }));
    await t.driver.start('dom');
    await t.driver.close();
    // What an earlier virtnet would have saved: an empty domain in the config and the live def.
    for (const dir of [t.paths.networkConfigDir, t.paths.networkStatusDir]) {
      const file = join(dir, 'dom.xml');
      writeFileSync(file, readFileSync(file, 'utf8').replace("<domain name='ok.example'/>", "<domain name=''/>"));
    }
    const t2 = await t.restart();
    expect(t2.driver.startupReport?.adopted).toEqual(['dom']);
    expect(t2.driver.startupReport?.problems).toEqual([
      {
        subject: 'dom',
        message: expect.stringMatching(/^<domain@name>: XML error: Invalid domain name '' in network 'dom' \(saved by an earlier virtnet/),
      },
    ]);
    await t2.driver.destroy('dom');
    expect(t2.kernel.links.size).toBe(0);
    await expect(t2.driver.start('dom')).rejects.toThrow(/network 'dom' was saved with values virtnet no longer takes \(<domain@name>/);
  });
});
