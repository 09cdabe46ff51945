/**
 * Issue 10 point 2: every name a network or guest can be defined with
 * survives a restart. Names that are awkward as file names (hidden, `..`,
 * whitespace, `#`, quotes, 250 bytes and more) are stored under an encoded
 * stem that always loads back; a carriage return, which XML cannot keep, is
 * refused at define. Files an older virtnet stored under the raw name are
 * still loaded and moved to their stem.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdirSync, readdirSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileStem, MAX_STEM } from '../../src/util/file-stem.js';
import { escapeXml } from '../../src/xml/escape.js';
import { dnsmasqPaths, planDnsmasqRuntime } from '../../src/plan/network-plan.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { startTestDriver, isolatedXml, natXml, type TestDriver } from '../support/network-testkit.js';
import { startGuestTestDriver, guestXml, type GuestTestDriver } from '../support/guest-testkit.js';
import { rejectionOf } from './support/vir-error.js';
import { expectEach } from './support/expect-each.js';

/** The names issue 10 found dropped at a restart, or breaking dnsmasq's conf. */
const AWKWARD = [
  '.hidden',
  '..',
  '.',
  'tab\there',
  'hash #here',
  'quo"te',
  "apo'strophe",
  'a&b<c>',
  'sp ace',
  `long${'x'.repeat(250)}`,
  `é${'ü'.repeat(120)}`,
];

/** The element text of a name in a document (a tab stays raw; XML keeps it in text). */
const nameXml = (name: string): string => escapeXml(name);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function networks(): Promise<TestDriver> {
  const t = await startTestDriver();
  cleanups.push(() => t.dispose());
  return t;
}

async function guests(): Promise<GuestTestDriver> {
  const t = await startGuestTestDriver();
  cleanups.push(() => t.dispose());
  return t;
}

describe('fileStem', () => {
  it('keeps plain names as they are (libvirt layout) and encodes every other byte', () => {
    expectEach(fileStem, {
      default: 'default',
      'net-1_a.b+c:d@e': 'net-1_a.b+c:d@e',
      '.hidden': '%2Ehidden',
      '..': '%2E.',
      'hash #here': 'hash%20%23here',
      '50%': '50%25',
    });
  });

  it('shortens long names to at most MAX_STEM bytes with a hash', () => {
    const a = fileStem('x'.repeat(300));
    const b = fileStem(`${'x'.repeat(299)}y`);
    expect(a.length).toBeLessThanOrEqual(MAX_STEM);
    expect(a).not.toBe(b);
    expect(fileStem('é'.repeat(150)).length).toBeLessThanOrEqual(MAX_STEM);
  });

  it('is one-to-one, never hidden, and safe on a line of dnsmasq conf', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), (x, y) => {
        const sx = fileStem(x);
        expect(sx).toMatch(/^[A-Za-z0-9_\-+:@%~][A-Za-z0-9_\-+.:@%~]*$|^$/);
        expect(Buffer.byteLength(sx)).toBeLessThanOrEqual(MAX_STEM);
        if (x !== y) expect(sx).not.toBe(fileStem(y));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('dnsmasq lines derived from the name', () => {
  it('read back whole: no whitespace, # or " in any path of the conf', () => {
    for (const name of AWKWARD) {
      const def = parseNetworkXml(natXml(nameXml(name), '10.9.1'));
      def.bridge.name = 'virbr9';
      const plan = planDnsmasqRuntime(def, { dnsmasqDir: '/s/dnsmasq', pidDir: '/r/networks', dhcpChecksum: 'none' })!;
      const paths = dnsmasqPaths(name, { dnsmasqDir: '/s/dnsmasq', pidDir: '/r/networks' });
      const lines = plan.files.conf.split('\n');
      expect(lines).toContain(`pid-file=${paths.pidFile}`);
      expect(lines).toContain(`dhcp-leasefile=${paths.leaseFile}`);
      expect(lines).toContain(`dhcp-hostsfile=${paths.hostsfile}`);
      expect(lines).toContain(`addn-hosts=${paths.addnhosts}`);
      for (const p of Object.values(paths)) expect(p).toMatch(/^[^\s#"'\\]+$/);
    }
  });
});

describe('network names', () => {
  it('every awkward name survives a restart and stays manageable', async () => {
    const t = await networks();
    let i = 0;
    for (const name of AWKWARD) await t.driver.define(isolatedXml(nameXml(name), { subnet: `10.70.${i++}` }));
    await t.driver.create(natXml(nameXml('trans #ient'), '10.71.1'));
    await t.driver.start('.hidden');
    const t2 = await t.restart();
    const names = (await t2.driver.list()).map((n) => n.name).sort();
    expect(names).toEqual([...AWKWARD, 'trans #ient'].sort());
    expect((await t2.driver.lookupByName('.hidden')).active).toBe(true);
    expect((await t2.driver.lookupByName('trans #ient')).active).toBe(true);
    for (const name of AWKWARD) {
      if (name !== '.hidden') await t2.driver.start(name);
      await t2.driver.setAutostart(name, true);
    }
    const t3 = await t2.restart();
    for (const name of AWKWARD) {
      const info = await t3.driver.lookupByName(name);
      expect(info).toMatchObject({ active: true, autostart: true });
      await t3.driver.destroy(name);
      await t3.driver.undefine(name);
    }
    await t3.driver.destroy('trans #ient');
    expect(await t3.driver.list()).toEqual([]);
    expect(t3.kernel.links.size).toBe(0);
    expect(readdirSync(t3.paths.networkConfigDir).filter((f) => f !== 'autostart')).toEqual([]);
    expect(readdirSync(t3.paths.networkAutostartDir)).toEqual([]);
  });

  it('a carriage return is refused at define and create, as XML cannot keep it', async () => {
    const t = await networks();
    for (const call of [t.driver.define(isolatedXml('a&#13;b')), t.driver.create(isolatedXml('a&#13;b'))]) {
      const err = await rejectionOf(call);
      expect(err.errorClass).toBe('XML_DETAIL');
      expect(err.detail).toBe('invalid char in name: 0x0d');
    }
    expect(await t.driver.list()).toEqual([]);
  });

  it('files an older virtnet stored under the raw name are loaded and moved to the stem', async () => {
    const t = await networks();
    await t.driver.define(isolatedXml('hash #old', { subnet: '10.72.1' }));
    await t.driver.setAutostart('hash #old', true);
    await t.driver.define(isolatedXml('.hid', { subnet: '10.72.2' }));
    await t.driver.start('.hid');
    await t.driver.close();
    // The old layout: raw names, the autostart link pointing at the raw config.
    const cfg = t.paths.networkConfigDir;
    renameSync(join(cfg, 'hash%20%23old.xml'), join(cfg, 'hash #old.xml'));
    renameSync(join(t.paths.networkAutostartDir, 'hash%20%23old.xml'), join(t.paths.networkAutostartDir, 'gone.xml'));
    symlinkSync(join(cfg, 'hash #old.xml'), join(t.paths.networkAutostartDir, 'hash #old.xml'));
    renameSync(join(cfg, '%2Ehid.xml'), join(cfg, '.hid.xml'));
    renameSync(join(t.paths.networkStatusDir, '%2Ehid.xml'), join(t.paths.networkStatusDir, '.hid.xml'));
    const t2 = await t.restart({ autostart: false });
    expect(t2.driver.startupReport?.problems).toEqual([]);
    expect(await t2.driver.lookupByName('hash #old')).toMatchObject({ autostart: true, persistent: true });
    expect(await t2.driver.lookupByName('.hid')).toMatchObject({ active: true, persistent: true });
    expect(existsSync(join(cfg, 'hash%20%23old.xml'))).toBe(true);
    expect(existsSync(join(cfg, 'hash #old.xml'))).toBe(false);
    expect(readlinkSync(join(t2.paths.networkAutostartDir, 'hash%20%23old.xml'))).toBe(join(cfg, 'hash%20%23old.xml'));
    expect(existsSync(join(t2.paths.networkAutostartDir, 'hash #old.xml'))).toBe(false);
    expect(existsSync(join(t2.paths.networkStatusDir, '%2Ehid.xml'))).toBe(true);
    await t2.driver.destroy('.hid');
    expect(t2.kernel.links.size).toBe(0);
  });

  it('a config whose file name does not fit its name is still refused', async () => {
    const t = await networks();
    mkdirSync(t.paths.networkConfigDir, { recursive: true });
    writeFileSync(join(t.paths.networkConfigDir, 'other.xml'), isolatedXml('.hidden'));
    const t2 = await t.restart();
    expect(await t2.driver.list()).toEqual([]);
    expect(t2.driver.startupReport?.problems[0]?.message).toMatch(/does not match network name '\.hidden'/);
  });
});

describe('guest names', () => {
  it('every awkward name survives a restart and stays manageable', async () => {
    const t = await guests();
    await t.net.driver.define(natXml('gnet', '10.73.1'));
    await t.net.driver.start('gnet');
    const names = [...AWKWARD, '.ghost'];
    for (const name of names) await t.guests.guestDefine(guestXml(nameXml(name), { nics: ['network:gnet'] }));
    await t.guests.guestStart('.ghost');
    await t.guests.guestStart('hash #here');
    const t2 = await t.restart();
    expect((await t2.guests.guestList()).map((g) => g.name).sort()).toEqual([...names].sort());
    expect((await t2.guests.guestLookupByName('.ghost')).active).toBe(true);
    for (const name of names) {
      if (name !== '.ghost' && name !== 'hash #here') await t2.guests.guestStart(name);
    }
    const t3 = await t2.restart();
    for (const name of names) {
      expect((await t3.guests.guestLookupByName(name)).active).toBe(true);
      await t3.guests.guestDestroy(name);
      await t3.guests.guestUndefine(name);
    }
    expect(await t3.guests.guestList()).toEqual([]);
    expect(readdirSync(t3.net.paths.guestConfigDir)).toEqual([]);
    expect(readdirSync(t3.net.paths.guestStatusDir)).toEqual([]);
  });

  it('a carriage return is refused at define', async () => {
    const t = await guests();
    const err = await rejectionOf(t.guests.guestDefine(guestXml('g&#13;x')));
    expect(err.errorClass).toBe('XML_DETAIL');
    expect(err.detail).toBe('invalid char in name: 0x0d');
  });
});

describe('temporary files of interrupted writes', () => {
  it('are removed at start-up, in every directory the drivers write to', async () => {
    const t = await guests();
    const p = t.net.paths;
    const dirs = [p.networkConfigDir, p.networkAutostartDir, p.networkStatusDir, p.dnsmasqDir, p.guestConfigDir, p.guestStatusDir];
    for (const dir of dirs) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '.net.xml.0123abcd.tmp'), 'half a file');
      writeFileSync(join(dir, 'keep.txt'), 'not ours to remove');
    }
    const t2 = await t.restart();
    for (const dir of dirs) expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === 'keep.txt')).toEqual(['keep.txt']);
    expect(await t2.guests.guestList()).toEqual([]);
  });
});
