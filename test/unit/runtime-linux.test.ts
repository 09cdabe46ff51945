/**
 * LinuxRuntime over the FakeHost (test/support/fake-host.ts): the start sequence and
 * its rollback, stop, live updates (SIGHUP versus restart), adoption and
 * cleanup, without root. The same runtime runs on the real kernel in
 * test/e2e/runtime-*.test.ts.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import type { NetworkDef } from '../../src/conf/network/types.js';
import type { PortForwardDef } from '../../src/conf/network/port-forward-types.js';
import { LinuxRuntime, type AppliedNetwork, type LinuxApplied } from '../../src/driver/runtime/index.js';
import { virtnetPaths, type VirtnetPaths } from '../../src/driver/common/paths.js';
import { ConntrackFlows, type FlowControl, NO_CONNTRACK_WARNING } from '../../src/driver/runtime/conntrack.js';
import { RecordingFlows, RecordingOffload } from './support/runtime-doubles.js';
import { MissingProgramRunner } from './support/scripted-runner.js';
import { KeptBatch, batchObjects } from '../../src/driver/runtime/applied.js';
import { FakeHost } from '../support/fake-host.js';
import type { LinkExecutor } from '../../src/host/host.js';
import { pollUntil } from '../support/poll.js';
import type { UdpFlowFilter } from '../../src/plan/forward-flows.js';

const NAT = `<network><name>lab</name><forward mode='nat'/><bridge name='vbr7'/><mac address='52:54:00:0a:0b:0c'/>
  <ip address='192.168.70.1' prefix='24'><dhcp><range start='192.168.70.10' end='192.168.70.20'/></dhcp></ip>
  <route address='10.70.0.0' prefix='16' gateway='192.168.70.2'/></network>`;

let root = '';
let paths: VirtnetPaths;
let host: FakeHost;
let offload: RecordingOffload;
let warnings: string[];
let resolv = '';

function runtime(opts: { ethtool?: boolean; flows?: FlowControl } = {}): LinuxRuntime {
  offload = new RecordingOffload(opts.ethtool ?? true);
  return new LinuxRuntime({
    host,
    paths,
    offload,
    flows: opts.flows ?? new RecordingFlows(),
    resolvConf: resolv,
    onWarning: (m) => warnings.push(m),
  });
}

const def = (xml: string): NetworkDef => parseNetworkXml(xml);
const asLinux = (a: AppliedNetwork): LinuxApplied => a as LinuxApplied;

/** A fresh runtime with network NAT started on it: the runtime, the definition and what it applied. */
async function natStarted(): Promise<{ rt: LinuxRuntime; before: NetworkDef; applied: LinuxApplied }> {
  const rt = runtime();
  const before = def(NAT);
  return { rt, before, applied: asLinux(await rt.start(before, { otherActive: [] })) };
}
const alive = (pid: number): boolean => host.processTable.processes.get(pid)?.alive === true;
const signals = (pid: number): string[] => host.processTable.processes.get(pid)?.signals ?? [];
/** The nft batches the runtime applied, in order (the fake's table model is too rough to inspect after removals). */
const nftBatches = (): unknown[][] => host.callsOf('nft', 'apply').map((c) => c.args[0] as unknown[]);
const applies = (batch: readonly unknown[]): boolean => nftBatches().some((b) => JSON.stringify(b) === JSON.stringify(batch));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'vnt-rt-'));
  chmodSync(root, 0o755);
  paths = virtnetPaths(root);
  host = new FakeHost();
  warnings = [];
  resolv = join(root, 'resolv.conf');
  writeFileSync(resolv, 'nameserver 192.0.2.53\n');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('start and stop of a NAT network', () => {
  it('creates the bridge with its address and route, rules, forwarding, offload off and dnsmasq; stop removes all of it', async () => {
    const rt = runtime();
    const d = def(NAT);
    const applied = asLinux(await rt.start(d, { otherActive: [] }));

    const link = (await host.facts.link('vbr7'))!;
    expect(link).toMatchObject({ kind: 'bridge', mac: '52:54:00:0a:0b:0c', up: true });
    expect((await host.facts.addresses('vbr7')).map((a) => `${a.address}/${a.prefix}`)).toEqual(['192.168.70.1/24']);
    expect((await host.facts.routes('ipv4')).some((r) => r.dst === '10.70.0.0' && r.gateway === '192.168.70.2')).toBe(true);
    expect(await host.sysctl.read('net.ipv4.ip_forward')).toBe('1');
    expect(await host.sysctl.read(['net', 'ipv6', 'conf', 'vbr7', 'disable_ipv6'])).toBe('1');
    expect(offload.txOff).toEqual(['vbr7']);
    expect(await host.nft.tableExists('inet', 'virtnet')).toBe(true);

    expect(applied.checksum).toBe('bridge-tx-off');
    const pid = applied.dnsmasq!.pid;
    expect(alive(pid)).toBe(true);
    expect(host.processTable.processes.get(pid)?.argv).toEqual(['dnsmasq', `--conf-file=${paths.dnsmasqDir}/lab.conf`]);
    expect(readFileSync(join(paths.dnsmasqDir, 'resolv.servers'), 'utf8')).toBe('server=192.0.2.53\n');
    expect(readFileSync(join(paths.dnsmasqDir, 'lab.conf'), 'utf8')).toContain(`servers-file=${paths.dnsmasqDir}/resolv.servers\n`);
    // The record survives JSON (the driver keeps it in the status file), its remove batch written out as the array.
    expect(JSON.parse(JSON.stringify(applied))).toEqual({ ...applied, firewallRemove: batchObjects(applied.firewallRemove) });

    await rt.stop(d, JSON.parse(JSON.stringify(applied)));
    expect(await host.linkExists('vbr7')).toBe(false);
    expect(batchObjects(applied.firewallRemove).length).toBeGreaterThan(0);
    expect(applies(batchObjects(applied.firewallRemove))).toBe(true);
    expect(alive(pid)).toBe(false);
    expect(existsSync(applied.dnsmasq!.pidFile)).toBe(false);
    // As in libvirt, a stopped network's dnsmasq files stay until cleanup.
    expect(existsSync(join(paths.dnsmasqDir, 'lab.conf'))).toBe(true);
    await rt.cleanup(d);
    expect(readdirSync(paths.dnsmasqDir)).toEqual(['resolv.servers']);
    expect(warnings).toEqual([]);
  });

  it('without ethtool it falls back to the firewall rule that zeroes DHCP reply checksums', async () => {
    const rt = runtime({ ethtool: false });
    const applied = asLinux(await rt.start(def(NAT), { otherActive: [] }));
    expect(applied.checksum).toBe('nft-zero');
    expect(offload.txOff).toEqual([]);
    expect(JSON.stringify(await host.nft.listTable('inet', 'virtnet'))).toContain('"name":"dhcp_csum","elem":["vbr7"]');
  });
});

describe("a stop removes the network's rules only once its bridge no longer forwards", () => {
  /**
   * The host's link deletions wait for `open()`; with `watch`, the host has a
   * link watch whose reports are `report(name)`.
   */
  function gateDeletions(watch: boolean): { open: () => void; report: (name: string) => void } {
    const real = host.links;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated: { report: (name: string) => void } = { report: () => {} };
    const links: LinkExecutor = {
      apply: (ops) => real.apply(ops),
      revert: (undo) => real.revert(undo),
      deleteLinks: async (names) => {
        await gate;
        return real.deleteLinks(names);
      },
    };
    if (watch)
      links.watchClosing = (onClosed) => {
        gated.report = onClosed;
        return { close: async () => {} };
      };
    Object.assign(host, { links });
    return { open, report: (name) => gated.report(name) };
  }
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('without a link watch: when the bridge deletion is over', async () => {
    const gate = gateDeletions(false);
    const { rt, before, applied } = await natStarted();
    const removal = batchObjects(applied.firewallRemove);
    const stopped = rt.stop(before, applied);
    await pause(50);
    // The bridge is still there (its deletion waits): so are the rules.
    expect(await host.linkExists('vbr7')).toBe(true);
    expect(applies(removal)).toBe(false);
    gate.open();
    await stopped;
    expect(await host.linkExists('vbr7')).toBe(false);
    expect(applies(removal)).toBe(true);
  });

  it("with the host's link watch: as soon as it reports the bridge closed, while the deletion still runs", async () => {
    const gate = gateDeletions(true);
    const { rt, before, applied } = await natStarted();
    const removal = batchObjects(applied.firewallRemove);
    const stopped = rt.stop(before, applied);
    await pause(50);
    gate.report('vbr70');
    await pause(20);
    expect(applies(removal)).toBe(false);
    gate.report('vbr7');
    await pollUntil(() => applies(removal), { ms: 2000, everyMs: 5, what: 'the rules removed' });
    expect(await host.linkExists('vbr7')).toBe(true);
    gate.open();
    await stopped;
    expect(await host.linkExists('vbr7')).toBe(false);
    await rt.close();
  });
});

describe("a stop's bridge deletion does not wait for its dnsmasq", () => {
  // The reaper starts a group deletion once every stop under way has handed in its
  // bridge: a stop that first checked and signalled its dnsmasq held up all of them.
  it('the bridge is deleted while every process call of the stop is still held back; dnsmasq is stopped after', async () => {
    let holding: Promise<void> | undefined;
    let open: () => void = () => {};
    const real = host.processes;
    const held =
      <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
      async (...a: A): Promise<R> => {
        await holding;
        return f(...a);
      };
    Object.assign(host, {
      processes: {
        ...real,
        readPidFile: held(real.readPidFile.bind(real)),
        info: held(real.info.bind(real)),
        isRunning: held(real.isRunning.bind(real)),
        signal: held(real.signal.bind(real)),
        stop: held(real.stop.bind(real)),
      },
    });
    const { rt, before, applied } = await natStarted();
    const pid = applied.dnsmasq!.pid;
    holding = new Promise<void>((resolve) => (open = resolve));
    let done = false;
    const stopped = rt.stop(before, applied).then(() => (done = true));
    await pollUntil(async () => !(await host.linkExists('vbr7')), { ms: 2000, everyMs: 5, what: 'the bridge deleted' });
    expect(alive(pid)).toBe(true);
    expect(done).toBe(false);
    open();
    await stopped;
    expect(alive(pid)).toBe(false);
    expect(signals(pid)).toEqual(['SIGTERM']);
    await rt.close();
  });
});

describe('start failures', () => {
  it("refuses an overlapping subnet with libvirt's message and touches nothing", async () => {
    const rt = runtime();
    const a = def(NAT);
    await rt.start(a, { otherActive: [] });
    const before = host.calls.length;
    const b = def(`<network><name>b</name><bridge name='vbr9'/><ip address='192.168.70.129' prefix='25'/></network>`);
    await expect(rt.start(b, { otherActive: [a] })).rejects.toThrow('internal error: Network is already in use by interface vbr7');
    expect(host.calls.slice(before).every((c) => c.area === 'facts')).toBe(true);
    // A host route counts too, with the route's device.
    await host.links.apply([
      { op: 'createBridge', name: 'uplink0', stp: false, delay: 0 },
      { op: 'addAddress', dev: 'uplink0', address: '10.99.1.1', prefix: 24 },
    ]);
    const c = def(`<network><name>c</name><bridge name='vbr10'/><ip address='10.99.0.1' prefix='16'/></network>`);
    await expect(rt.start(c, { otherActive: [a] })).rejects.toThrow('internal error: Network is already in use by interface uplink0');
  });

  it('two overlapping networks started at the same time: one starts, the other is refused', async () => {
    const rt = runtime();
    const a = def(NAT);
    const b = def(`<network><name>twin</name><forward mode='nat'/><bridge name='vbr6'/><ip address='192.168.70.65' prefix='26'/></network>`);
    const results = await Promise.allSettled([rt.start(a, { otherActive: [] }), rt.start(b, { otherActive: [] })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((refused!.reason as Error).message).toMatch(/^internal error: Network is already in use by interface vbr[67]$/);
    // Once it is stopped, the subnet is free again.
    const ok = results.find((r): r is PromiseFulfilledResult<AppliedNetwork> => r.status === 'fulfilled')!;
    const winner = asLinux(ok.value).name === 'lab' ? a : b;
    await rt.stop(winner, ok.value);
    await expect(rt.start(winner === a ? b : a, { otherActive: [] })).resolves.toMatchObject({ kind: 'virtual' });
  });

  it('rolls back everything when adding the address fails: no bridge, no rules, no dnsmasq', async () => {
    const rt = runtime();
    host.failLine(/^addr add 192\.168\.70\.1/, 'RTNETLINK answers: Permission denied');
    const d = def(NAT);
    await expect(rt.start(d, { otherActive: [] })).rejects.toThrow(
      'Failed to add IP address 192.168.70.1/24 bcast 192.168.70.255 to vbr7: Permission denied',
    );
    expect(await host.linkExists('vbr7')).toBe(false);
    // An IPv4-only network gets its bridge, address and link up in one batch, so nothing else ran yet.
    expect(host.callsOf('links', 'apply')).toHaveLength(1);
    expect(nftBatches()).toEqual([]);
    expect([...host.processTable.processes.values()].filter((p) => p.alive)).toEqual([]);
    expect(await rt.start(d, { otherActive: [] })).toMatchObject({ kind: 'virtual', bridge: 'vbr7' });
  });

  it('with IPv6 the addresses come in a second batch after the sysctls; when it fails, the rules and dnsmasq are undone too', async () => {
    const rt = runtime();
    const d = def(`<network><name>six</name><forward mode='nat'/><bridge name='vbr8'/>
      <ip address='192.168.80.1' prefix='24'><dhcp><range start='192.168.80.10' end='192.168.80.20'/></dhcp></ip>
      <ip family='ipv6' address='fd00:80::1' prefix='64'/></network>`);
    host.failLine(/^addr add fd00:80::1/, 'RTNETLINK answers: Permission denied');
    await expect(rt.start(d, { otherActive: [] })).rejects.toThrow('Failed to add IP address fd00:80::1/64 to vbr8: Permission denied');
    expect(await host.linkExists('vbr8')).toBe(false);
    const [applyBatch, removeBatch] = nftBatches();
    expect(JSON.stringify(applyBatch)).toContain('in_vbr8');
    expect(JSON.stringify(removeBatch)).toContain('"delete":{"chain":{"family":"inet","table":"virtnet","name":"in_vbr8"}}');
    // bind-dynamic: its dnsmasq started with the bridge, and was stopped again.
    expect(host.callsOf('processes', 'startDaemon')).toHaveLength(1);
    expect([...host.processTable.processes.values()].filter((p) => p.alive)).toEqual([]);
    const sysctlWrite = host.calls.findIndex((c) => c.area === 'sysctl');
    const addressBatch = host.calls.findIndex((c) => c.area === 'links' && JSON.stringify(c.args).includes('fd00:80::1'));
    expect(sysctlWrite).toBeGreaterThan(-1);
    expect(sysctlWrite).toBeLessThan(addressBatch);
  });

  it('rolls back when dnsmasq cannot start', async () => {
    const rt = runtime();
    host.failNext('processes', 'startDaemon', new Error('dnsmasq: failed to bind DHCP server socket'));
    await expect(rt.start(def(NAT), { otherActive: [] })).rejects.toThrow('failed to bind');
    expect(await host.linkExists('vbr7')).toBe(false);
    expect(JSON.stringify(nftBatches()[1])).toContain('"delete":{"chain":{"family":"inet","table":"virtnet","name":"nat_vbr7"}}');
  });

  it('a static route that cannot be added is ignored, as in libvirt (with a warning)', async () => {
    const rt = runtime();
    host.failLine(/^route add 10\.70\.0\.0/, 'RTNETLINK answers: Network is unreachable');
    const applied = asLinux(await rt.start(def(NAT), { otherActive: [] }));
    expect(applied.dnsmasq).toBeDefined();
    expect(warnings).toEqual(['Error adding route to vbr7: Network is unreachable']);
  });
});

describe('other forward modes', () => {
  it('bridge mode with an existing bridge creates nothing', async () => {
    const rt = runtime();
    await host.links.apply([{ op: 'createBridge', name: 'br0', stp: false, delay: 0 }]);
    const before = host.callsOf('links').length;
    const applied = asLinux(
      await rt.start(def(`<network><name>hb</name><forward mode='bridge'/><bridge name='br0'/></network>`), { otherActive: [] }),
    );
    expect(applied).toMatchObject({ kind: 'host-bridge', bridge: 'br0', linkUndo: [], firewallRemove: [] });
    expect(host.callsOf('links').length).toBe(before);
  });

  it('bridge mode whose bridge is missing, or is no bridge, does not start and says which (libvirt fails later, at a guest)', async () => {
    const rt = runtime();
    const hb = def(`<network><name>hb</name><forward mode='bridge'/><bridge name='br0'/></network>`);
    await expect(rt.start(hb, { otherActive: [] })).rejects.toThrow(
      "Requested operation is not valid: network 'hb' connects guests to the host's bridge 'br0', but the bridge 'br0' does not exist: create it first",
    );
    await host.links.apply([{ op: 'createVeth', name: 'br0', peer: 'br0p' }]);
    await expect(rt.start(hb, { otherActive: [] })).rejects.toThrow("but 'br0' is not a bridge: create it first");
    expect(host.callsOf('links').length).toBe(1);
  });

  it("private mode with a pf builds the interface pool from the VFs' netdevs; hostdev from their PCI addresses", async () => {
    const sys = join(root, 'sys');
    const { mkdirSync, symlinkSync } = await import('node:fs');
    for (const [i, name] of [
      [0, 'eth2v0'],
      [1, 'eth2v1'],
    ] as const) {
      mkdirSync(join(sys, `pci/0000:03:10.${i}/net/${name}`), { recursive: true });
      mkdirSync(join(sys, 'eth2/device'), { recursive: true });
      symlinkSync(join(sys, `pci/0000:03:10.${i}`), join(sys, `eth2/device/virtfn${i}`));
    }
    const rt = new LinuxRuntime({ host, paths, offload: new RecordingOffload(), flows: new RecordingFlows(), resolvConf: resolv, sysClassNet: sys });
    const priv = asLinux(
      await rt.start(def(`<network><name>pv</name><forward mode='private'><pf dev='eth2'/></forward></network>`), { otherActive: [] }),
    );
    expect(priv.interfacePool).toEqual([
      { type: 'netdev', dev: 'eth2v0', connections: 0 },
      { type: 'netdev', dev: 'eth2v1', connections: 0 },
    ]);
    const hd = asLinux(
      await rt.start(def(`<network><name>hd</name><forward mode='hostdev' managed='yes'><pf dev='eth2'/></forward></network>`), { otherActive: [] }),
    );
    expect(hd.interfacePool?.[1]).toEqual({ type: 'pci', address: { domain: 0, bus: 3, slot: 16, function: 1 }, connections: 0 });
    await expect(
      rt.start(def(`<network><name>nv</name><forward mode='vepa'><pf dev='eth9'/></forward></network>`), { otherActive: [] }),
    ).rejects.toThrow('internal error: Could not get Virtual functions on eth9');
  });
});

describe('live updates', () => {
  it('a static DHCP host is written to the hostsfile and dnsmasq gets SIGHUP (same pid); a DNS host likewise', async () => {
    const { rt, before, applied } = await natStarted();
    const pid = applied.dnsmasq!.pid;
    const after = structuredClone(before);
    after.ips[0]!.hosts.push({ mac: '52:54:00:aa:00:09', name: 'fixed', ip: '192.168.70.9' });
    const next = asLinux(await rt.updateLive(before, after, 'ip-dhcp-host', applied));
    expect(next.dnsmasq?.pid).toBe(pid);
    expect(signals(pid)).toEqual(['SIGHUP']);
    expect(readFileSync(join(paths.dnsmasqDir, 'lab.hostsfile'), 'utf8')).toBe('52:54:00:aa:00:09,192.168.70.9,fixed\n');

    const dns = structuredClone(after);
    dns.dns.hosts.push({ ip: '192.168.70.50', hostnames: ['printer'] });
    const next2 = asLinux(await rt.updateLive(after, dns, 'dns-host', next));
    expect(next2.dnsmasq?.pid).toBe(pid);
    expect(signals(pid)).toEqual(['SIGHUP', 'SIGHUP']);
    expect(readFileSync(join(paths.dnsmasqDir, 'lab.addnhosts'), 'utf8')).toBe('192.168.70.50\tprinter\t\n');
  });

  it('a new DHCP range restarts dnsmasq (new pid) and re-applies the rules in one batch', async () => {
    const { rt, before, applied } = await natStarted();
    const after = structuredClone(before);
    after.ips[0]!.ranges.push({ start: '192.168.70.100', end: '192.168.70.110' });
    const next = asLinux(await rt.updateLive(before, after, 'ip-dhcp-range', applied));
    expect(alive(applied.dnsmasq!.pid)).toBe(false);
    expect(alive(next.dnsmasq!.pid)).toBe(true);
    expect(next.dnsmasq!.pid).not.toBe(applied.dnsmasq!.pid);
    expect(readFileSync(join(paths.dnsmasqDir, 'lab.conf'), 'utf8')).toContain('dhcp-range=192.168.70.100,192.168.70.110,255.255.255.0\n');
  });

  it('the first static host on a network without ranges changes the conf (dhcp-range=GW,static): restart', async () => {
    const rt = runtime();
    const before = def(`<network><name>s</name><forward mode='nat'/><bridge name='vbr5'/><ip address='10.5.0.1' prefix='24'/></network>`);
    const applied = asLinux(await rt.start(before, { otherActive: [] }));
    const after = structuredClone(before);
    after.ips[0]!.hosts.push({ mac: '52:54:00:aa:00:09', ip: '10.5.0.9' });
    after.ips[0]!.dhcp = true;
    const next = asLinux(await rt.updateLive(before, after, 'ip-dhcp-host', applied));
    expect(next.dnsmasq!.pid).not.toBe(applied.dnsmasq!.pid);
  });
});

describe('a live change of UDP port forwards forgets the flows it makes stale', () => {
  const withForward = (d: NetworkDef, port: number): NetworkDef => ({
    ...d,
    portForwards: { forwards: [{ proto: 'udp', port: { start: port, end: port }, to: '192.168.70.5' }], position: 0 },
  });

  it('the flows of an added, then removed, forward are forgotten after its rules change', async () => {
    const flows = new RecordingFlows();
    const rt = runtime({ flows });
    const before = def(NAT);
    const applied = asLinux(await rt.start(before, { otherActive: [] }));
    const after = withForward(before, 51820);
    const next = await rt.updateLive(before, after, 'port-forwards', applied);
    expect(JSON.stringify(nftBatches().at(-1))).toContain('51820');
    await rt.updateLive(after, before, 'port-forwards', next);
    expect(flows.forgotten).toEqual([[{ port: { start: 51820, end: 51820 } }], [{ port: { start: 51820, end: 51820 } }]]);
    expect(warnings).toEqual([]);
  });

  it('a network that starts with UDP forwards forgets their flows (a client that sent while it was down), once their rules are in', async () => {
    // What was forgotten, and whether the forward's rules were in the kernel by then.
    const forgotten: { filters: UdpFlowFilter[]; rulesIn: boolean }[] = [];
    const flows: FlowControl = {
      forgetUdp: async (filters) => {
        if (filters.length > 0) forgotten.push({ filters: [...filters], rulesIn: JSON.stringify(nftBatches()).includes('51820') });
        return undefined;
      },
    };
    const rt = runtime({ flows });
    const udp = withForward(def(NAT), 51820);
    const tcp: PortForwardDef = { proto: 'tcp', port: { start: 22, end: 22 }, to: '192.168.70.5' };
    await rt.start({ ...udp, portForwards: { ...udp.portForwards!, forwards: [...udp.portForwards!.forwards, tcp] } }, { otherActive: [] });
    expect(forgotten).toEqual([{ filters: [{ port: { start: 51820, end: 51820 } }], rulesIn: true }]);
    expect(warnings).toEqual([]);
  });

  it('a network without UDP forwards starts without a word to conntrack', async () => {
    const flows = new RecordingFlows();
    await runtime({ flows }).start(def(NAT), { otherActive: [] });
    expect(flows.forgotten).toEqual([]);
  });

  it('a host without conntrack: one warning, and the forward is applied all the same', async () => {
    const missing = new MissingProgramRunner('conntrack');
    const flows = new ConntrackFlows(missing, null);
    const rt = runtime({ flows });
    const before = def(NAT);
    const applied = asLinux(await rt.start(before, { otherActive: [] }));
    const after = withForward(before, 51820);
    const next = await rt.updateLive(before, after, 'port-forwards', applied);
    expect(JSON.stringify(nftBatches().at(-1))).toContain('51820');
    const again = withForward(before, 5353);
    await rt.updateLive(after, again, 'port-forwards', next);
    expect(JSON.stringify(nftBatches().at(-1))).toContain('5353');
    expect(warnings).toEqual([NO_CONNTRACK_WARNING]);
    expect(missing.calls.map((c) => c.argv)).toEqual([['conntrack', '--version']]);
  });
});

describe('a live update whose dnsmasq configuration fails (issue 10, point 5)', () => {
  it("is refused with dnsmasq's own message when `dnsmasq --test` refuses it; dnsmasq, its files and the rules stay as they were", async () => {
    const { rt, before, applied } = await natStarted();
    const pid = applied.dnsmasq!.pid;
    const confBefore = readFileSync(join(paths.dnsmasqDir, 'lab.conf'), 'utf8');
    const nftBefore = host.callsOf('nft', 'apply').length;
    const after = structuredClone(before);
    after.ips[0]!.ranges.push({ start: '192.168.70.100', end: '192.168.70.110' });
    host.refuseNextCheck('dnsmasq: illegal repeated keyword at line 19 of /x/.lab.conf.0a0b0c0d.check');

    await expect(rt.updateLive(before, after, 'ip-dhcp-range', applied)).rejects.toThrow(
      /^unsupported configuration: dnsmasq refuses the new configuration of network 'lab': dnsmasq: illegal repeated keyword at line 19 of /,
    );
    expect(alive(pid)).toBe(true);
    expect(signals(pid)).toEqual([]);
    expect(host.callsOf('processes', 'startDaemon')).toHaveLength(1);
    expect(readFileSync(join(paths.dnsmasqDir, 'lab.conf'), 'utf8')).toBe(confBefore);
    expect(host.callsOf('nft', 'apply').length).toBe(nftBefore);
    // It checked the new configuration, from a copy that is gone again.
    const [argv] = host.callsOf('processes', 'check')[0]!.args as [string[]];
    expect(argv.slice(0, 2)).toEqual(['dnsmasq', '--test']);
    expect(readdirSync(paths.dnsmasqDir).filter((f) => f.endsWith('.check'))).toEqual([]);
  });

  it('brings the old dnsmasq back on the old files when the new one does not start', async () => {
    const { rt, before, applied } = await natStarted();
    const confBefore = readFileSync(join(paths.dnsmasqDir, 'lab.conf'), 'utf8');
    const after = structuredClone(before);
    after.ips[0]!.ranges.push({ start: '192.168.70.100', end: '192.168.70.110' });
    host.failNext('processes', 'startDaemon', new Error('dnsmasq: failed to create listening socket'));

    await expect(rt.updateLive(before, after, 'ip-dhcp-range', applied)).rejects.toThrow('failed to create listening socket');
    const starts = host.callsOf('processes', 'startDaemon');
    expect(starts).toHaveLength(3);
    const restored = [...host.processTable.processes.values()].filter((p) => p.alive && p.argv[0] === 'dnsmasq');
    expect(restored).toHaveLength(1);
    expect(readFileSync(join(paths.dnsmasqDir, 'lab.conf'), 'utf8')).toBe(confBefore);
    expect(warnings).toEqual([]);
  });
});

describe('adoption by a new runtime over the same directories', () => {
  it('keeps a live dnsmasq (SIGHUP, same pid) and re-applies the rules; restarts a dead one', async () => {
    const d = def(NAT);
    const applied = asLinux(await runtime().start(d, { otherActive: [] }));
    const pid = applied.dnsmasq!.pid;
    const adopted = asLinux((await runtime().adopt(d, JSON.parse(JSON.stringify(applied))))!);
    expect(adopted.dnsmasq?.pid).toBe(pid);
    expect(signals(pid)).toEqual(['SIGHUP']);
    expect(host.callsOf('nft', 'apply').length).toBeGreaterThanOrEqual(2);

    host.crash(pid);
    const again = asLinux((await runtime().adopt(d, adopted))!);
    expect(again.dnsmasq?.pid).not.toBe(pid);
    expect(alive(again.dnsmasq!.pid)).toBe(true);
  });

  it("keeps a running network's remove batch as one JSON text, which its status file holds as the batch", async () => {
    const d = def(NAT);
    const applied = asLinux(await runtime().start(d, { otherActive: [] }));
    expect(applied.firewallRemove).toBeInstanceOf(KeptBatch);
    const kept = applied.firewallRemove as KeptBatch;
    expect(typeof kept.text).toBe('string');
    const written = JSON.parse(JSON.stringify(applied)) as { firewallRemove: unknown[] };
    expect(written.firewallRemove).toEqual(JSON.parse(kept.text));
    expect(written.firewallRemove.length).toBeGreaterThan(0);
    // A record read back from a status file (plain arrays) stops the network as well.
    await runtime().stop(d, written as unknown as AppliedNetwork);
    expect(await host.linkExists('vbr7')).toBe(false);
    expect(applies(written.firewallRemove)).toBe(true);
  });

  it('a network whose bridge vanished is cleaned up (rules, dnsmasq) and reported gone', async () => {
    const d = def(NAT);
    const applied = asLinux(await runtime().start(d, { otherActive: [] }));
    await host.links.apply([{ op: 'deleteLink', name: 'vbr7' }]);
    expect(await runtime().adopt(d, applied)).toBeNull();
    expect(alive(applied.dnsmasq!.pid)).toBe(false);
    expect(applies(batchObjects(applied.firewallRemove))).toBe(true);
  });

  it('refuses a record written by another runtime', async () => {
    await expect(runtime().adopt(def(NAT), { runtime: 'fake' })).rejects.toThrow(
      "internal error: network status was not written by the 'linux' runtime",
    );
  });
});

describe('leases and upstream servers', () => {
  it("reads dnsmasq's lease file for a running network", async () => {
    const rt = runtime();
    const d = def(NAT);
    const applied = asLinux(await rt.start(d, { otherActive: [] }));
    writeFileSync(applied.dnsmasq!.leaseFile, `${Math.floor(Date.now() / 1000) + 3600} 52:54:00:aa:00:01 192.168.70.11 alpha *\n`);
    expect(await rt.leases(d, applied)).toMatchObject([
      { iface: 'vbr7', mac: '52:54:00:aa:00:01', ipAddress: '192.168.70.11', prefix: 24, hostname: 'alpha' },
    ]);
  });

  it('a changed resolv.conf rewrites the servers file and every dnsmasq gets SIGHUP', async () => {
    const rt = runtime();
    const applied = asLinux(await rt.start(def(NAT), { otherActive: [] }));
    expect(await rt.refreshUpstreamServers()).toBe(false);
    writeFileSync(resolv, 'nameserver 198.51.100.1\nnameserver 198.51.100.2\n');
    expect(await rt.refreshUpstreamServers()).toBe(true);
    expect(readFileSync(join(paths.dnsmasqDir, 'resolv.servers'), 'utf8')).toBe('server=198.51.100.1\nserver=198.51.100.2\n');
    expect(signals(applied.dnsmasq!.pid)).toEqual(['SIGHUP']);
  });
});
