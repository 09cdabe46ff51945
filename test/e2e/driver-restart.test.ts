/**
 * The network driver over the real Linux runtime, in test namespaces: a
 * driver process defines and starts networks and is killed with SIGKILL; a
 * new driver over the same directories adopts every network (same dnsmasq
 * pid), while a guest's ping through the bridge keeps running; lease events
 * arrive from a second guest's DHCP; after destroy nothing of ours is left
 * in the namespace.
 *
 * The first driver runs in a child process: a small script, written below,
 * bundled with esbuild next to node_modules (so libxml2-wasm resolves) and
 * run with node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../support/poll.js';
import { build } from 'esbuild';
import { nodeEsmBundle } from '../../scripts/node-bundle.mjs';
import { createNetworkDriver, type NetworkDriver, type LeaseEvent } from '../../src/driver/network/index.js';
import { createLinuxRuntime, type LinuxRuntime } from '../../src/driver/runtime/index.js';
import { virtnetPaths } from '../../src/driver/common/paths.js';
import { natXml, isolatedXml } from '../support/network-testkit.js';
import { canUseNetns, createNetns, deleteNetns, inNetns, netnsPids, vethBetween, workloadPids } from './netns.js';
import { dhcp } from './runtime-fixture.js';

const REPO = resolve(import.meta.dirname, '../..');

/** The first driver: runs the operations given as JSON, prints one JSON line, then idles until killed. */
const CHILD_SOURCE = `
import { createNetworkDriver } from './src/driver/network/index.ts';
import { createLinuxRuntime } from './src/driver/runtime/index.ts';
import { virtnetPaths } from './src/driver/common/paths.ts';
const [root, netns, opsJson] = process.argv.slice(2);
const paths = virtnetPaths(root);
try {
  const runtime = await createLinuxRuntime({ netns, paths, firewallLingerMs: 0 });
  const driver = await createNetworkDriver({ paths, runtime });
  for (const [op, ...args] of JSON.parse(opsJson)) await driver[op](...args);
  process.stdout.write(JSON.stringify({ list: await driver.list() }) + '\\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e && e.message) }) + '\\n');
  process.exit(1);
}
setInterval(() => {}, 1 << 30);
`;

async function bundleChild(): Promise<string> {
  const dir = join(REPO, 'node_modules', '.cache', 'virtnet-e2e');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `driver-child-${randomBytes(4).toString('hex')}.mjs`);
  await build({
    stdin: { contents: CHILD_SOURCE, resolveDir: REPO, loader: 'ts', sourcefile: 'driver-child.ts' },
    outfile,
    ...nodeEsmBundle,
    logLevel: 'error',
  });
  return outfile;
}

function runChild(
  bundle: string,
  root: string,
  netns: string,
  ops: unknown[],
): Promise<{ child: ChildProcess; result: { list?: unknown[]; error?: string } }> {
  const child = spawn(process.execPath, [bundle, root, netns, JSON.stringify(ops)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((res, rej) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) res({ child, result: JSON.parse(out.slice(0, nl)) });
    });
    child.on('exit', (code) => rej(new Error(`driver child exited (${code}): ${out}${err}`)));
  });
}

const root = canUseNetns();

describe.skipIf(!root)('network driver on the real kernel: kill -9 and adoption', () => {
  let hns: string;
  let guest: string;
  let guest2: string;
  let dir: string;
  let bundle: string;
  let child: ChildProcess | undefined;
  let ping: ChildProcess | undefined;
  let driver: NetworkDriver | undefined;
  let runtime: LinuxRuntime | undefined;

  beforeAll(async () => {
    hns = createNetns('drv');
    guest = createNetns('drg');
    guest2 = createNetns('drh');
    dir = mkdtempSync(join(tmpdir(), 'vnt-drv-'));
    bundle = await bundleChild();
  }, 60_000);

  afterAll(async () => {
    ping?.kill('SIGKILL');
    if (child?.exitCode === null) child.kill('SIGKILL');
    await driver?.close();
    runtime?.close();
    // deleting the namespaces ends dnsmasq (by pid) and takes links and rules along
    for (const ns of [guest2, guest, hns]) if (ns) deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
    if (bundle) rmSync(bundle, { force: true });
  });

  it('keeps every network and a running ping across a SIGKILL of the driver, then destroys without a trace', async () => {
    const paths = virtnetPaths(join(dir, 'root'));

    // 1. the first driver, in a child process
    const first = await runChild(bundle, join(dir, 'root'), hns, [
      ['define', natXml('natnet', '10.77.1')],
      ['setAutostart', 'natnet', true],
      ['start', 'natnet'],
      ['define', isolatedXml('isonet', { subnet: '10.77.2' })],
      ['start', 'isonet'],
      ['create', isolatedXml('trnet', { subnet: '10.77.3' })],
    ]);
    child = first.child;
    expect(first.result.error).toBeUndefined();
    expect(first.result.list).toEqual([
      expect.objectContaining({ name: 'isonet', active: true, persistent: true, bridge: 'virbr1' }),
      expect.objectContaining({ name: 'natnet', active: true, persistent: true, autostart: true, bridge: 'virbr0' }),
      expect.objectContaining({ name: 'trnet', active: true, persistent: false, bridge: 'virbr2' }),
    ]);
    const bridges = (): string[] =>
      inNetns(hns, 'ip', ['-o', 'link', 'show', 'type', 'bridge'])
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(': ')[1]!.split('@')[0]!)
        .sort();
    expect(bridges()).toEqual(['virbr0', 'virbr1', 'virbr2']);
    const pidFile = join(paths.networkStatusDir, 'natnet.pid');
    const dnsmasqPid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(netnsPids(hns)).toContain(dnsmasqPid);

    // 2. a guest on natnet gets a lease and pings the gateway, continuously
    vethBetween(hns, 'vg0', guest, 'eth0');
    inNetns(hns, 'ip', ['link', 'set', 'vg0', 'master', 'virbr0']);
    const guestIp = dhcp(guest)?.ip;
    expect(guestIp).toMatch(/^10\.77\.1\.\d+$/);
    const guestMac = /link\/ether ([0-9a-f:]+)/.exec(inNetns(guest, 'ip', ['-o', 'link', 'show', 'eth0']))![1]!;
    const replies: number[] = [];
    ping = spawn('ip', ['netns', 'exec', guest, 'ping', '-n', '-i', '0.2', '10.77.1.1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    ping.stdout!.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/icmp_seq=(\d+)/g)) replies.push(Number(m[1]));
    });
    await pollUntil(() => replies.length >= 3, { ms: 10_000, everyMs: 100, what: 'the first ping replies' });

    // 3. SIGKILL the driver: nothing of the network goes away
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const atKill = replies.length;
    await pollUntil(() => replies.length >= atKill + 3, { ms: 15_000, everyMs: 100, what: 'replies with no driver running' });

    // 4. a new driver over the same directories adopts everything
    runtime = await createLinuxRuntime({ netns: hns, paths, firewallLingerMs: 0 });
    driver = await createNetworkDriver({ paths, runtime });
    // The lease watch starts with the first subscriber: subscribe now, long before the second guest asks.
    const events: LeaseEvent[] = [];
    driver.subscribe((e) => {
      if (e.kind === 'lease') events.push(e);
    });
    expect(driver.startupReport).toMatchObject({
      adopted: ['isonet', 'natnet', 'trnet'],
      vanished: [],
      dropped: [],
      autostartRan: false,
      problems: [],
    });
    expect(await driver.list()).toEqual([
      expect.objectContaining({ name: 'isonet', active: true, persistent: true }),
      expect.objectContaining({ name: 'natnet', active: true, persistent: true, autostart: true }),
      expect.objectContaining({ name: 'trnet', active: true, persistent: false }),
    ]);
    expect(bridges()).toEqual(['virbr0', 'virbr1', 'virbr2']);
    expect(Number(readFileSync(pidFile, 'utf8').trim())).toBe(dnsmasqPid);
    expect(netnsPids(hns)).toContain(dnsmasqPid);
    expect(await driver.getXml('natnet')).toContain("<port start='1024' end='65535'/>");
    const leases = await driver.leases('natnet');
    expect(leases).toEqual([expect.objectContaining({ mac: guestMac, ipAddress: guestIp, protocol: 'ipv4', prefix: 24, iface: 'virbr0' })]);

    // the ping never stopped: replies keep coming, none lost around the restart
    const afterAdopt = replies.length;
    await pollUntil(() => replies.length >= afterAdopt + 3, { ms: 15_000, everyMs: 100, what: 'replies after the adoption' });
    ping.kill('SIGINT');
    await new Promise((r) => ping!.once('exit', r));
    const seqs = [...new Set(replies)].sort((a, b) => a - b);
    const missing = seqs[seqs.length - 1]! - seqs[0]! + 1 - seqs.length;
    expect(missing).toBeLessThanOrEqual(1);

    // 5. lease events: a second guest's DHCP is seen
    vethBetween(hns, 'vh0', guest2, 'eth0');
    inNetns(hns, 'ip', ['link', 'set', 'vh0', 'master', 'virbr0']);
    const guest2Ip = dhcp(guest2)?.ip;
    await pollUntil(() => events.some((e) => e.action === 'add' && e.lease.ipAddress === guest2Ip), {
      ms: 10_000,
      everyMs: 100,
      what: 'the lease event',
    });
    expect(events.find((e) => e.lease.ipAddress === guest2Ip)).toMatchObject({ kind: 'lease', action: 'add', network: { name: 'natnet' } });

    // 6. destroy everything: nothing of ours is left in the namespace
    for (const ns of [guest, guest2]) inNetns(ns, 'ip', ['link', 'del', 'eth0']);
    for (const name of ['natnet', 'isonet', 'trnet']) await driver.destroy(name);
    for (const name of ['natnet', 'isonet']) await driver.undefine(name);
    expect(await driver.list()).toEqual([]);
    expect(bridges()).toEqual([]);
    expect(inNetns(hns, 'ip', ['-o', 'link', 'show']).trim().split('\n')).toHaveLength(1); // lo
    expect(inNetns(hns, 'nft', ['list', 'tables'])).not.toContain('virtnet');
    await pollUntil(() => workloadPids(hns).length === 0, { ms: 5000, everyMs: 100, what: 'dnsmasq to be gone' });
    expect(readdirSync(paths.networkStatusDir).filter((f) => f !== 'autostarted')).toEqual([]);
    expect(readdirSync(paths.networkConfigDir).filter((f) => f !== 'autostart')).toEqual([]);
    expect(readdirSync(paths.dnsmasqDir).filter((f) => /\.(conf|hostsfile|addnhosts|leases)$/.test(f))).toEqual([]);
    expect(existsSync(join(paths.networkAutostartDir, 'natnet.xml'))).toBe(false);
  }, 120_000);
});
