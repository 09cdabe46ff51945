/**
 * libvirt's `default` network on a root's first start
 * (src/driver/network/default-network.ts), over the fake runtime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { chooseDefaultSubnet, defaultNetworkMarkerPath, defineDefaultNetworkOnce } from '../../src/driver/network/default-network.js';
import type { RouteRecord } from '../../src/host/facts-parse.js';
import { silentLogger } from '../../src/driver/common/log.js';
import { isolatedXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';

const drivers: TestDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.dispose();
});

async function fresh(): Promise<TestDriver> {
  const t = await startTestDriver();
  drivers.push(t);
  return t;
}

const route = (dst: string, prefix: number, dev = 'eth0'): RouteRecord => ({ family: 'ipv4', dst, prefix, dev, type: 'unicast', table: 'main' });

function once(t: TestDriver, routes: RouteRecord[] = [], start = true) {
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (_: object, m: string) => void warnings.push(m) };
  return defineDefaultNetworkOnce({ paths: t.paths, driver: t.driver, routes: async () => routes, start, logger }).then((outcome) => ({
    outcome,
    warnings,
  }));
}

describe("libvirt's default network", () => {
  it('is defined on a root with no network: NAT on 192.168.122.1/24, DHCP .2-.254, autostart, started', async () => {
    const t = await fresh();
    const { outcome } = await once(t, [route('10.0.0.0', 8)]);
    expect(outcome).toEqual({ kind: 'defined', subnet: '192.168.122.0/24', started: true });
    const info = await t.driver.lookupByName('default');
    expect(info).toMatchObject({ active: true, persistent: true, autostart: true, bridge: 'virbr0' });
    const xml = await t.driver.getXml('default', { inactive: true });
    expect(xml).toContain("<forward mode='nat'/>");
    expect(xml).toContain("<ip address='192.168.122.1' netmask='255.255.255.0'>");
    expect(xml).toContain("<range start='192.168.122.2' end='192.168.122.254'/>");
    expect(readFileSync(defaultNetworkMarkerPath(t.paths), 'utf8')).toBe('defined on 192.168.122.0/24\n');
  });

  it('is never defined again once undefined', async () => {
    const t = await fresh();
    await once(t);
    await t.driver.destroy('default');
    await t.driver.undefine('default');
    const again = await t.restart();
    drivers.push(again);
    drivers.splice(0, 1);
    expect((await once(again)).outcome).toEqual({ kind: 'decided-before' });
    expect(await again.driver.list()).toEqual([]);
  });

  it('is not defined on a root that already has networks, now or after they are gone', async () => {
    const t = await fresh();
    await t.driver.define(isolatedXml('mine'));
    expect((await once(t)).outcome).toEqual({ kind: 'networks-exist' });
    await t.driver.undefine('mine');
    expect((await once(t)).outcome).toEqual({ kind: 'decided-before' });
    expect(await t.driver.list()).toEqual([]);
  });

  it('takes the next free /24 when 192.168.122.0/24 is in use, and says so', async () => {
    const t = await fresh();
    const { outcome, warnings } = await once(t, [route('192.168.122.0', 24, 'virbr9'), route('192.168.124.0', 23, 'lan0')]);
    expect(outcome).toEqual({ kind: 'defined', subnet: '192.168.126.0/24', takenBy: 'virbr9', started: true });
    expect(warnings).toEqual(["192.168.122.0/24 is in use by virbr9: the 'default' network uses 192.168.126.0/24"]);
    expect(await t.driver.getXml('default')).toContain("<ip address='192.168.126.1' netmask='255.255.255.0'>");
  });

  it('is only defined, not started, when the daemon does not autostart', async () => {
    const t = await fresh();
    expect((await once(t, [], false)).outcome).toEqual({ kind: 'defined', subnet: '192.168.122.0/24', started: false });
    expect(await t.driver.lookupByName('default')).toMatchObject({ active: false, autostart: true });
  });

  it('is left for a later start when every candidate subnet is in use', async () => {
    const t = await fresh();
    expect((await once(t, [route('192.168.0.0', 16, 'wan0')])).outcome).toEqual({ kind: 'no-free-subnet', takenBy: 'wan0' });
    expect(existsSync(defaultNetworkMarkerPath(t.paths))).toBe(false);
  });
});

describe('the subnet choice', () => {
  it('ignores default routes and routes without a device, as the start-time collision check does', () => {
    expect(chooseDefaultSubnet([route('0.0.0.0', 0), { family: 'ipv4', dst: '192.168.122.0', prefix: 24, type: 'blackhole' }])).toEqual({
      thirdOctet: 122,
    });
  });
  it('skips every /24 a wider route covers', () => {
    expect(chooseDefaultSubnet([route('192.168.122.0', 24), route('192.168.128.0', 18)]).thirdOctet).toBe(124);
    expect(chooseDefaultSubnet([route('192.168.120.0', 21)]).thirdOctet).toBe(128);
  });
});
