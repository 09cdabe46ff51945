/**
 * Port forwards through the network driver (over the fake runtime): add,
 * list and remove with --live / --config / neither, the errors a user sees,
 * overlaps refused across networks and at start, and a forward to a
 * guest's name following its address (DHCP host, lease, guest vNIC), with
 * each move carried out as a live update of the network's rules.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DhcpLease, PortForward } from '../../src/contract/network-api.js';
import { silentLogger } from '../../src/driver/common/log.js';
import type { NetworkPortOwner } from '../../src/driver/common/ports.js';
import { natXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { pollUntil } from '../support/poll.js';
import { rejectionOf } from './support/vir-error.js';

let t: TestDriver;

/**
 * Run `change`, then wait for the driver's next lease event (lease files reach
 * it through inotify, in their own time) and for the forward-target refresh
 * that event schedules.
 */
async function afterLeaseEvent(change: () => void): Promise<void> {
  const seen = new Promise<void>((resolve) => {
    const off = t.driver.subscribe((e) => {
      if (e.kind !== 'lease') return;
      off();
      resolve();
    });
  });
  change();
  await seen;
  await t.driver.settleForwardTargets();
}
afterEach(async () => t?.dispose());

const web: PortForward = { proto: 'tcp', port: '2222', to: '10.20.0.10', toPort: '22' };
const lease = (mac: string, ip: string, expiryTime = 0): DhcpLease => ({
  iface: 'virbr0',
  expiryTime,
  protocol: 'ipv4',
  mac,
  ipAddress: ip,
  prefix: 24,
});

const withHost = (name: string, subnet: string): string =>
  natXml(name, subnet).replace('</dhcp>', `  <host mac='52:54:00:aa:00:01' name='db' ip='${subnet}.20'/>\n    </dhcp>`);

async function running(name = 'lab', subnet = '10.20.0'): Promise<void> {
  await t.driver.define(withHost(name, subnet));
  await t.driver.start(name);
}

describe('net-forward-add / -list / -remove', () => {
  it('goes live and into the config of a running persistent network when no flag is given', async () => {
    t = await startTestDriver();
    await running();
    expect(await t.driver.addForward('lab', web, {})).toEqual({ live: true, config: true });
    expect(await t.driver.listForwards('lab')).toEqual([web]);
    expect(await t.driver.listForwards('lab', { inactive: true })).toEqual([web]);
    expect(t.runtime.calls.filter((c) => c.op === 'updateLive')).toEqual([{ op: 'updateLive', network: 'lab', detail: 'port-forwards' }]);
    expect(await t.driver.getXml('lab')).toContain('<virtnet:forward proto="tcp" port="2222" to="10.20.0.10" toport="22"/>');
    expect(t.lifecycle()).toContain('lab:Updated');

    expect(await t.driver.removeForward('lab', { port: '2222' }, {})).toEqual({ live: true, config: true });
    expect(await t.driver.listForwards('lab')).toEqual([]);
    expect(await t.driver.getXml('lab', { inactive: true })).not.toContain('forward proto');
  });

  it('--live or --config alone changes that side only; neither then completes the other', async () => {
    t = await startTestDriver();
    await running();
    expect(await t.driver.addForward('lab', web, { config: true })).toEqual({ live: false, config: true });
    expect(await t.driver.listForwards('lab')).toEqual([]);
    // The config already has it: only the live side changes.
    expect(await t.driver.addForward('lab', web, {})).toEqual({ live: true, config: false });
    expect(await t.driver.removeForward('lab', { port: '2222', proto: 'tcp' }, { live: true })).toEqual({ live: true, config: false });
    expect(await t.driver.listForwards('lab', { inactive: true })).toEqual([web]);
  });

  it('changes only the config of a stopped network; --live there is refused as net-update refuses it', async () => {
    t = await startTestDriver();
    await t.driver.define(withHost('lab', '10.20.0'));
    expect(await t.driver.addForward('lab', web, {})).toEqual({ live: false, config: true });
    expect((await rejectionOf(t.driver.addForward('lab', { ...web, port: '2223' }, { live: true }))).message).toBe(
      'Requested operation is not valid: network is not running',
    );
    await t.driver.start('lab');
    expect(await t.driver.listForwards('lab')).toEqual([web]);
  });

  it('refuses what a network cannot have, with messages that name the forward', async () => {
    t = await startTestDriver();
    await running();
    await t.driver.addForward('lab', web, {});
    const cases: [PortForward, string][] = [
      [
        { proto: 'both', port: '2000-3000', to: 'db' },
        "Requested operation is not valid: port forward both *:2000-3000 of network 'lab' overlaps tcp *:2222 of network 'lab'",
      ],
      [
        { proto: 'tcp', port: '80', to: '10.99.0.5' },
        "unsupported configuration: port forward tcp *:80 of network 'lab' cannot go to 10.99.0.5, which is not in an IPv4 subnet of the network",
      ],
      [
        { proto: 'tcp', port: '80', to: '10.20.0.1' },
        "unsupported configuration: port forward tcp *:80 of network 'lab' cannot go to 10.20.0.1, which is the network's own address",
      ],
      [{ proto: 'tcp', port: '0', to: 'db' }, "XML error: invalid port '0' in a port forward of network 'lab': a port or range within 1-65535"],
      [
        { proto: 'tcp', port: '80', address: '127.0.0.1', to: 'db' },
        "XML error: invalid address '127.0.0.1' in a port forward of network 'lab': it is a loopback address, which is never forwarded",
      ],
    ];
    for (const [f, message] of cases) expect((await rejectionOf(t.driver.addForward('lab', f, {}))).message).toBe(message);
    expect((await rejectionOf(t.driver.removeForward('lab', { port: '2223' }, {}))).message).toBe(
      "Requested operation is not valid: couldn't locate a matching port forward *:2223 in network 'lab'",
    );
    expect((await rejectionOf(t.driver.removeForward('lab', { port: '2222', proto: 'udp' }, {}))).message).toBe(
      "Requested operation is not valid: couldn't locate a matching port forward udp *:2222 in network 'lab'",
    );
    expect(await t.driver.listForwards('lab')).toEqual([web]);
  });

  it('takes the version it was based on, as every change: a stale one is refused and changes nothing', async () => {
    t = await startTestDriver();
    await running();
    const version = await t.driver.versionOf('lab');
    await t.driver.addForward('lab', web, {}, { ifMatch: version });
    const stale = await rejectionOf(t.driver.removeForward('lab', { port: '2222' }, {}, { ifMatch: version }));
    expect(stale.message).toMatch(/^operation failed: network 'lab' has changed since it was read/);
    expect(await t.driver.listForwards('lab')).toEqual([web]);
    await t.driver.removeForward('lab', { port: '2222' }, {}, { ifMatch: await t.driver.versionOf('lab') });
  });

  it('refuses forwards on a network that is not NAT', async () => {
    t = await startTestDriver();
    await t.driver.define(natXml('iso', '10.21.0').replace("<forward mode='nat'/>", ''));
    expect((await rejectionOf(t.driver.addForward('iso', { proto: 'tcp', port: '80', to: '10.21.0.5' }, {}))).message).toBe(
      "unsupported configuration: network 'iso' cannot have port forwards: they need <forward mode='nat'/> on a bridge of this host",
    );
  });

  it('refuses a forward another network has, running or not, and a start whose forwards a running network holds', async () => {
    t = await startTestDriver();
    await running('a', '10.20.0');
    await t.driver.define(withHost('c', '10.22.0'));
    await t.driver.addForward('a', { proto: 'both', port: '53', to: 'db' }, {});
    expect((await rejectionOf(t.driver.addForward('c', { proto: 'udp', port: '50-60', to: 'db' }, {}))).message).toBe(
      "Requested operation is not valid: port forward udp *:50-60 of network 'c' overlaps both *:53 of network 'a'",
    );
    // Written by hand into b's definition, an overlap is caught when b starts.
    const xml = withHost('b', '10.21.0').replace(
      '<forward',
      `<metadata><vn:forwards xmlns:vn='https://virtnet.dev/schemas/network/forwards/1'><vn:forward proto='udp' port='53' to='db'/></vn:forwards></metadata>\n  <forward`,
    );
    await t.driver.define(xml);
    expect((await rejectionOf(t.driver.start('b'))).message).toBe(
      "Requested operation is not valid: port forward udp *:53 of network 'b' overlaps both *:53 of network 'a'",
    );
    await t.driver.destroy('a');
    await t.driver.start('b');
  });
});

describe('a repair of the rules', () => {
  it('has the runtime forget what the kernel tracked while the rules were missing: the flows of the forwards the network has now', async () => {
    t = await startTestDriver();
    await running();
    const wg: PortForward = { proto: 'udp', port: '51820', to: '10.20.0.10' };
    await t.driver.addForward('lab', wg, {});
    await t.driver.addForward('lab', web, {});
    const forgets = () => t.runtime.calls.filter((c) => c.op === 'forgetForwardFlows');
    t.runtime.reportHealth({ network: 'lab', state: 'degraded', reason: 'firewall rules changed outside virtnetd: the table is gone' });
    expect(forgets()).toEqual([]);
    t.runtime.reportHealth({ network: 'lab', state: 'repaired', reason: 'firewall rules re-applied' });
    await pollUntil(() => forgets().length > 0, { ms: 5000, everyMs: 5, what: 'the flows to be forgotten' });
    expect(forgets()).toEqual([{ op: 'forgetForwardFlows', network: 'lab', detail: ['udp/51820-51820', 'tcp/2222-2222'] }]);
  });

  it('says a failure to forget them in the log, and the network stays repaired', async () => {
    const warnings: string[] = [];
    t = await startTestDriver({ logger: { ...silentLogger, warn: (_: object, m: string) => void warnings.push(m) } });
    await running();
    t.runtime.failNext('forgetForwardFlows', new Error('conntrack: operation failed'));
    t.runtime.reportHealth({ network: 'lab', state: 'degraded', reason: 'x' });
    t.runtime.reportHealth({ network: 'lab', state: 'repaired', reason: 'firewall rules re-applied' });
    await pollUntil(() => warnings.includes('cannot forget the flows of its port forwards'), { ms: 5000, everyMs: 5, what: 'the warning' });
    expect((await t.driver.lookupByName('lab')).degraded).toBeUndefined();
  });
});

describe('forwards to a name follow its address', () => {
  it('a DHCP host name resolves at start; the live XML shows where it points, the config does not', async () => {
    t = await startTestDriver();
    await t.driver.define(withHost('lab', '10.20.0'));
    await t.driver.addForward('lab', { proto: 'tcp', port: '5432', to: 'db' }, {});
    await t.driver.start('lab');
    expect(await t.driver.listForwards('lab')).toEqual([{ proto: 'tcp', port: '5432', to: 'db', toAddress: '10.20.0.20' }]);
    expect(await t.driver.getXml('lab')).toContain('to="db" toaddress="10.20.0.20"/>');
    expect(await t.driver.getXml('lab', { inactive: true })).toContain('to="db"/>');
  });

  it("a guest's vNIC: its lease, then its new lease, each as a live update", async () => {
    const macs = new Map<string, string[]>([['web', ['52:54:00:bb:00:01']]]);
    const owner: NetworkPortOwner = {
      guestsOn: () => [],
      networkStarted: async () => {},
      networkStopped: async () => {},
      macsOf: (guest) => macs.get(guest) ?? [],
    };
    t = await startTestDriver();
    await running();
    t.driver.setPortOwner(owner);
    await t.driver.addForward('lab', { proto: 'tcp', port: '8080', to: 'web', toPort: '80' }, {});
    // No lease yet: the forward waits, with no address.
    expect(await t.driver.listForwards('lab')).toEqual([{ proto: 'tcp', port: '8080', to: 'web', toPort: '80' }]);
    const def = { name: 'lab', bridge: { name: 'virbr0' } };

    const liveUpdates = () => t.runtime.calls.filter((c) => c.op === 'updateLive').length;
    const target = async () => (await t.driver.listForwards('lab'))[0]?.toAddress;
    const before = liveUpdates();
    await afterLeaseEvent(() => t.runtime.setLeases(def, [lease('52:54:00:BB:00:01', '10.20.0.57')]));
    expect(await target()).toBe('10.20.0.57');
    expect(liveUpdates()).toBe(before + 1);

    await afterLeaseEvent(() => t.runtime.setLeases(def, [lease('52:54:00:bb:00:01', '10.20.0.58')]));
    expect(await target()).toBe('10.20.0.58');
    expect(liveUpdates()).toBe(before + 2);

    // A lease renewed at the same address changes nothing in the kernel.
    await afterLeaseEvent(() => t.runtime.setLeases(def, [lease('52:54:00:bb:00:01', '10.20.0.58', 2_000_000_000)]));
    expect(liveUpdates()).toBe(before + 2);

    // The lease gone: the forward waits again.
    await afterLeaseEvent(() => t.runtime.setLeases(def, []));
    expect(await target()).toBeUndefined();
  });

  it('a restarted driver leaves a forward to a guest name where it points until the guests are known (a live UDP flow keeps its path)', async () => {
    const owner: NetworkPortOwner = {
      guestsOn: () => [],
      networkStarted: async () => {},
      networkStopped: async () => {},
      macsOf: (guest) => (guest === 'web' ? ['52:54:00:bb:00:01'] : []),
    };
    t = await startTestDriver();
    await running();
    t.driver.setPortOwner(owner);
    t.runtime.setLeases({ name: 'lab', bridge: { name: 'virbr0' } }, [lease('52:54:00:bb:00:01', '10.20.0.59')]);
    await t.driver.addForward('lab', { proto: 'udp', port: '51820', to: 'web' }, {});
    expect((await t.driver.listForwards('lab'))[0]?.toAddress).toBe('10.20.0.59');
    t = await t.restart();
    // The same lease (the fake runtime's leases are its own); no guest driver yet (virtnetd makes it after the network driver).
    t.runtime.setLeases({ name: 'lab', bridge: { name: 'virbr0' } }, [lease('52:54:00:bb:00:01', '10.20.0.59')]);
    await t.driver.settleForwardTargets();
    expect((await t.driver.listForwards('lab'))[0]?.toAddress).toBe('10.20.0.59');
    t.driver.setPortOwner(owner);
    await t.driver.settleForwardTargets();
    expect((await t.driver.listForwards('lab'))[0]?.toAddress).toBe('10.20.0.59');
    // Nothing went to the kernel: its rules and its tracked flows stay as they were.
    expect(t.runtime.calls.filter((c) => c.op === 'updateLive')).toEqual([]);
  });

  it('a restarted driver brings a named target up to date from the leases', async () => {
    t = await startTestDriver();
    await running();
    t.driver.setPortOwner({
      guestsOn: () => [],
      networkStarted: async () => {},
      networkStopped: async () => {},
      macsOf: () => ['52:54:00:bb:00:01'],
    });
    await t.driver.addForward('lab', { proto: 'tcp', port: '8080', to: 'web' }, {});
    t.runtime.setLeases({ name: 'lab', bridge: { name: 'virbr0' } }, [lease('52:54:00:bb:00:01', '10.20.0.59')]);
    t = await t.restart();
    // The lease moved while no driver ran (the fake runtime's leases are its own).
    t.runtime.setLeases({ name: 'lab', bridge: { name: 'virbr0' } }, [lease('52:54:00:bb:00:01', '10.20.0.60')]);
    t.driver.setPortOwner({
      guestsOn: () => [],
      networkStarted: async () => {},
      networkStopped: async () => {},
      macsOf: () => ['52:54:00:bb:00:01'],
    });
    await t.driver.settleForwardTargets();
    expect((await t.driver.listForwards('lab'))[0]?.toAddress).toBe('10.20.0.60');
  });
});
