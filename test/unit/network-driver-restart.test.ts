/**
 * The driver's files and a driver restart (fake runtime, shared fake
 * kernel): the status file format, loading configs and status files,
 * adoption, vanished networks, dead transients and autostart once per boot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedXml, natXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { formatNetworkStatus, parseNetworkStatus } from '../../src/driver/network/status.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { formatNetworkXml } from '../../src/conf/network/format.js';
import { VirError } from '../../src/util/errors.js';
import { FakeRuntime } from '../support/fake-runtime.js';
import { rejectionOf } from './support/vir-error.js';

const U1 = '11111111-2222-3333-4444-555555555555';
const drivers: TestDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.driver.close();
  if (drivers0) rmSync(drivers0, { recursive: true, force: true });
  drivers0 = undefined;
});
let drivers0: string | undefined;

async function first(): Promise<TestDriver> {
  const t = await startTestDriver();
  drivers0 = t.root;
  drivers.push(t);
  return t;
}

async function restart(t: TestDriver, options = {}): Promise<TestDriver> {
  const next = await t.restart(options);
  drivers.push(next);
  return next;
}

describe('status file', () => {
  it("is libvirt's <networkstatus> with the live network and the runtime's record", async () => {
    const t = await first();
    await t.driver.define(natXml('nat', '10.40.1', { uuid: U1 }));
    await t.driver.start('nat');
    const text = readFileSync(join(t.paths.networkStatusDir, 'nat.xml'), 'utf8');
    const live = await t.driver.getXml('nat');
    const indented = live.replace(/^(?=.)/gm, '  ');
    expect(text).toBe(
      '<!--\nWARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE\n' +
        'OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:\n' +
        '  virtnet net-edit nat\nor other application using the libvirt API.\n-->\n\n' +
        "<networkstatus>\n  <class_id bitmap='0-2'/>\n  <floor sum='0'/>\n" +
        indented +
        "  <virtnet:applied xmlns:virtnet='https://virtnet.dev/schemas/networkstatus/1'>" +
        '{&quot;runtime&quot;:&quot;fake&quot;,&quot;bridge&quot;:&quot;virbr0&quot;,&quot;dnsmasqPid&quot;:1000,&quot;generation&quot;:1,&quot;adoptions&quot;:0}' +
        '</virtnet:applied>\n</networkstatus>\n',
    );
    expect(statSync(join(t.paths.networkStatusDir, 'nat.xml')).mode & 0o777).toBe(0o600);
  });

  it('reads back the def byte for byte, multi-line text and metadata included', () => {
    const xml =
      '<network>\n  <name>m</name>\n  <uuid>' +
      U1 +
      '</uuid>\n  <description>line one\n  indented two\n\nafter a blank &amp; &lt;tag&gt;</description>\n' +
      "  <metadata>\n    <app:foo xmlns:app='http://app.example/'>\n      <bar>x</bar>\n    </app:foo>\n  </metadata>\n" +
      "  <bridge name='virbr9'/>\n  <mac address='52:54:00:12:34:56'/>\n</network>\n";
    const def = parseNetworkXml(xml);
    const applied = { runtime: 'x', note: 'quotes \' " <and> & stuff' };
    const back = parseNetworkStatus(formatNetworkStatus({ def, applied }), 'm.xml');
    expect(formatNetworkXml(back.def)).toBe(formatNetworkXml(def));
    expect(back.applied).toEqual(applied);
  });

  it('rejects files that are not status files', () => {
    expect(() => parseNetworkStatus('<network/>', '/r/x.xml')).toThrow(
      "internal error: Invalid network status file '/r/x.xml': no 'networkstatus' element",
    );
    const def = parseNetworkXml(isolatedXml('x', { uuid: U1, bridge: 'b' }));
    const text = formatNetworkStatus({ def, applied: { runtime: 'r' } }).replace('&quot;runtime&quot;', '&quot;other&quot;');
    expect(() => parseNetworkStatus(text, 'x.xml')).toThrow('the applied record names no runtime');
  });
});

describe('restart', () => {
  it('adopts every running network, keeps persistent and transient ones apart, and emits nothing', async () => {
    const t = await first();
    await t.driver.define(natXml('a', '10.41.1', { uuid: U1 }));
    await t.driver.setAutostart('a', true);
    await t.driver.start('a');
    // next-start config; as in libvirt it gets a new bridge name, since virbr0 exists on the host
    await t.driver.define(natXml('a', '10.41.9', { uuid: U1 }));
    await t.driver.create(isolatedXml('t', { subnet: '10.41.2' }));
    await t.driver.define(isolatedXml('idle'));
    const liveA = await t.driver.getXml('a');

    const t2 = await restart(t);
    expect(await t2.driver.list()).toEqual([
      { name: 'a', uuid: U1, active: true, persistent: true, autostart: true, bridge: 'virbr0' },
      { name: 'idle', uuid: expect.any(String), active: false, persistent: true, autostart: false, bridge: 'virbr3' },
      { name: 't', uuid: expect.any(String), active: true, persistent: false, autostart: false, bridge: 'virbr2' },
    ]);
    expect(await t2.driver.getXml('a')).toBe(liveA);
    expect(await t2.driver.getXml('a', { inactive: true })).toContain("<ip address='10.41.9.1'");
    expect(await t2.driver.getXml('a', { inactive: true })).toContain("<bridge name='virbr1'");
    expect(t2.runtime.callsOf('adopt').sort()).toEqual(['a', 't']);
    expect(t2.runtime.callsOf('start')).toEqual([]);
    expect(t2.events).toEqual([]);
    expect(t2.driver.startupReport).toMatchObject({ adopted: ['a', 't'], vanished: [], dropped: [], autostartRan: false, problems: [] });
    expect(readFileSync(join(t.paths.networkStatusDir, 'a.xml'), 'utf8')).toContain('&quot;adoptions&quot;:1');

    // and it goes on as before: the transient vanishes on destroy, the persistent takes its new config
    await t2.driver.destroy('t');
    expect((await rejectionOf(t2.driver.lookupByName('t'))).errorClass).toBe('NO_NETWORK');
    await t2.driver.destroy('a');
    expect(await t2.driver.getXml('a')).toContain("<ip address='10.41.9.1'");
    expect(t2.lifecycle()).toEqual(['t:Stopped', 'a:Stopped']);
  });

  it('marks vanished networks inactive and drops vanished transients with their files', async () => {
    const t = await first();
    await t.driver.define(isolatedXml('p', { subnet: '10.42.1' }));
    await t.driver.start('p');
    await t.driver.create(isolatedXml('t', { subnet: '10.42.2' }));
    await t.driver.close();
    t.kernel.links.clear(); // somebody deleted the bridges

    const t2 = await restart(t);
    expect(await t2.driver.list()).toEqual([expect.objectContaining({ name: 'p', active: false, persistent: true })]);
    expect(t2.driver.startupReport).toMatchObject({ adopted: [], vanished: ['p', 't'], dropped: ['t'] });
    expect(t2.runtime.callsOf('cleanup')).toEqual(['t']);
    expect(readdirSync(t.paths.networkStatusDir).filter((f) => f.endsWith('.xml'))).toEqual([]);
    await t2.driver.start('p');
  });

  it('autostarts once per boot, without events', async () => {
    const t = await first(); // this start of the "boot" already ran autostart (nothing to start)
    expect(t.driver.startupReport?.autostartRan).toBe(true);
    expect(existsSync(join(t.paths.networkStatusDir, 'autostarted'))).toBe(true);
    await t.driver.define(natXml('auto', '10.43.1'));
    await t.driver.setAutostart('auto', true);
    await t.driver.define(natXml('manual', '10.43.2'));

    const t2 = await restart(t); // a daemon restart: no autostart
    expect(t2.driver.startupReport?.autostartRan).toBe(false);
    expect((await t2.driver.lookupByName('auto')).active).toBe(false);

    await t2.driver.close();
    rmSync(t.paths.runDir, { recursive: true, force: true }); // a reboot empties RUN
    t.kernel.links.clear();
    const t3 = await restart(t2);
    expect(t3.driver.startupReport).toMatchObject({ autostartRan: true, autostarted: ['auto'] });
    expect(await t3.driver.list({ active: true })).toEqual([expect.objectContaining({ name: 'auto', autostart: true })]);
    expect(t3.events).toEqual([]);
    expect(existsSync(join(t.paths.networkStatusDir, 'auto.xml'))).toBe(true);
  });

  it('with autostart off, starts nothing and leaves no marker', async () => {
    const t = await startTestDriver({ autostart: false });
    drivers0 = t.root;
    drivers.push(t);
    expect(existsSync(join(t.paths.networkStatusDir, 'autostarted'))).toBe(false);
    expect(t.driver.startupReport?.autostartRan).toBe(false);
  });

  it('gives configs without uuid or MAC one each and writes them back, once', async () => {
    const t = await first();
    await t.driver.close();
    mkdirSync(t.paths.networkConfigDir, { recursive: true });
    writeFileSync(
      join(t.paths.networkConfigDir, 'default.xml'),
      "<network>\n  <name>default</name>\n  <bridge name='virbr0'/>\n  <forward/>\n  <ip address='192.168.122.1' netmask='255.255.255.0'/>\n</network>\n",
    );
    const t2 = await restart(t);
    expect(t2.driver.startupReport?.rewritten).toEqual(['default']);
    const text = readFileSync(join(t.paths.networkConfigDir, 'default.xml'), 'utf8');
    expect(text).toContain('  virtnet net-edit default\n');
    const uuid = /<uuid>([0-9a-f-]{36})<\/uuid>/.exec(text)![1];
    expect(text).toMatch(/<mac address='52:54:00:/);
    expect((await t2.driver.lookupByName('default')).uuid).toBe(uuid);
    const t3 = await restart(t2);
    expect(t3.driver.startupReport?.rewritten).toEqual([]);
    expect((await t3.driver.lookupByName('default')).uuid).toBe(uuid);
    expect(readFileSync(join(t.paths.networkConfigDir, 'default.xml'), 'utf8')).toBe(text);
  });

  it('skips files that do not fit, keeps the rest, and says why', async () => {
    const t = await first();
    await t.driver.define(isolatedXml('good'));
    await t.driver.close();
    writeFileSync(join(t.paths.networkConfigDir, 'wrong.xml'), isolatedXml('other', { bridge: 'b9' }));
    writeFileSync(join(t.paths.networkConfigDir, 'broken.xml'), '<network><name>broken</name>');
    writeFileSync(join(t.paths.networkStatusDir, 'junk.xml'), '<networkstatus/>');
    const t2 = await restart(t);
    expect((await t2.driver.list()).map((n) => n.name)).toEqual(['good']);
    const problems = t2.driver.startupReport!.problems;
    expect(problems.map((p) => p.subject.split('/').pop())).toEqual(['junk.xml', 'broken.xml', 'wrong.xml']);
    expect(problems[2]!.message).toBe(
      `internal error: Network config filename '${join(t.paths.networkConfigDir, 'wrong.xml')}' does not match network name 'other'`,
    );
  });

  it('a hand-written config without a bridge name cannot start', async () => {
    const t = await first();
    await t.driver.close();
    writeFileSync(join(t.paths.networkConfigDir, 'hand.xml'), `<network>\n  <name>hand</name>\n  <uuid>${U1}</uuid>\n</network>\n`);
    const t2 = await restart(t);
    const e = await rejectionOf(t2.driver.start('hand'));
    expect(e.message).toBe("internal error: network 'hand' has no bridge name defined");
    expect(t2.runtime.callsOf('start')).toEqual([]);
  });

  it('a network the runtime cannot adopt stays recorded as running', async () => {
    const t = await first();
    await t.driver.create(isolatedXml('t'));
    await t.driver.close();
    const t2 = await startTestDriver({}, { root: t.root, kernel: t.kernel });
    drivers.push(t2);
    expect(t2.driver.startupReport?.adopted).toEqual(['t']);
    await t2.driver.close();
    // a third driver whose runtime fails to adopt
    const t3 = await startTestDriver({ runtime: failingAdopt(t) }, { root: t.root, kernel: t.kernel });
    drivers.push(t3);
    expect(t3.driver.startupReport?.problems).toEqual([{ subject: 't', message: 'internal error: nft said no' }]);
    expect(await t3.driver.lookupByName('t')).toMatchObject({ active: true });
  });
});

function failingAdopt(t: TestDriver): FakeRuntime {
  const r = new FakeRuntime({ kernel: t.kernel });
  r.failNext('adopt', new VirError('INTERNAL_ERROR', 'nft said no'));
  return r;
}
