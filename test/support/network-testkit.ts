/**
 * Test support for the network driver (unit tests, benchmarks): a driver
 * over a fresh temporary root and the FakeRuntime, a second driver over the
 * same root and fake kernel (a daemon restart), an event recorder, and
 * network XML builders. Not used by the daemon.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DriverEvent } from '../../src/contract/network-api.js';
import { createFakeRuntimeState, FakeRuntime, type FakeRuntimeState } from './fake-runtime.js';
import { NetworkDriver, type NetworkDriverOptions } from '../../src/driver/network/driver.js';
import { virtnetPaths, type VirtnetPaths } from '../../src/driver/common/paths.js';
import type { DefineRandomness } from '../../src/conf/network/defaults.js';

export interface TestDriver {
  root: string;
  paths: VirtnetPaths;
  kernel: FakeRuntimeState;
  runtime: FakeRuntime;
  driver: NetworkDriver;
  /** Every event delivered since the driver started. */
  events: DriverEvent[];
  /** Lifecycle events as "Name:Event". */
  lifecycle(): string[];
  /** Stop this driver (networks keep running) and start another over the same root and kernel. */
  restart(options?: Partial<NetworkDriverOptions>): Promise<TestDriver>;
  /** Close the driver and delete the root. */
  dispose(): Promise<void>;
}

export async function startTestDriver(
  options: Partial<NetworkDriverOptions> = {},
  shared?: { root: string; kernel: FakeRuntimeState },
): Promise<TestDriver> {
  const root = shared?.root ?? mkdtempSync(join(tmpdir(), 'virtnet-driver-'));
  const kernel = shared?.kernel ?? createFakeRuntimeState();
  const paths = virtnetPaths(root);
  const runtime = new FakeRuntime({ kernel, dnsmasqDir: paths.dnsmasqDir });
  const driver = new NetworkDriver({ paths, runtime, leaseDebounceMs: 10, ...options });
  const events: DriverEvent[] = [];
  driver.subscribe((e) => events.push(e));
  await driver.initialize();
  const t: TestDriver = {
    root,
    paths,
    kernel,
    runtime,
    driver,
    events,
    lifecycle: () => events.flatMap((e) => (e.kind === 'lifecycle' ? [`${e.network.name}:${e.event}`] : [])),
    restart: async (more = {}) => {
      await driver.close();
      return startTestDriver({ ...options, ...more }, { root, kernel });
    },
    dispose: async () => {
      await driver.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return t;
}

/** Deterministic MAC bytes: 52:54:00:00:00:01, :02, ... */
export function countingMacBytes(start = 1): (size: number) => Uint8Array {
  let n = start;
  return (size: number) => {
    const v = n++;
    const out = new Uint8Array(size);
    for (let i = size - 1, x = v; i >= 0; i--, x = Math.floor(x / 256)) out[i] = x % 256;
    return out;
  };
}

/** Deterministic uuids: PREFIX-0000-4000-8000-000000000001, ...02, ... (a version 4 layout). */
export function countingUuids(prefix = 'f0000000'): () => string {
  let n = 0;
  return () => `${prefix}-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;
}

/** The network driver's randomness made reproducible (NetworkDriverOptions.random): each new driver hands out the same uuids and MACs. */
export function countingRandomness(): DefineRandomness {
  return { randomUuid: countingUuids(), randomBytes: countingMacBytes() };
}

/** An isolated network, optionally with an IPv4 /24 10.A.B.1 and extra XML inside <network>. */
export function isolatedXml(name: string, opts: { subnet?: string; uuid?: string; extra?: string; bridge?: string } = {}): string {
  return (
    `<network>\n  <name>${name}</name>\n` +
    (opts.uuid ? `  <uuid>${opts.uuid}</uuid>\n` : '') +
    (opts.bridge ? `  <bridge name='${opts.bridge}'/>\n` : '') +
    (opts.extra ?? '') +
    (opts.subnet ? `  <ip address='${opts.subnet}.1' netmask='255.255.255.0'/>\n` : '') +
    '</network>\n'
  );
}

/** A static DHCP host of a network: <host mac name ip/>. */
export interface DhcpHost {
  mac: string;
  name: string;
  ip: string;
}

/**
 * A NAT network with DHCP on SUBNET.0/24 (SUBNET is `A.B.C`), like libvirt's bench.sh builds: the
 * range is .2-.254 unless `range` gives the first and last host numbers, and `dhcp: false` leaves
 * DHCP out; `bridge` names its bridge, `extra` is XML written before <ip>, `hosts` are static DHCP hosts.
 */
export function natXml(
  name: string,
  subnet: string,
  opts: { uuid?: string; bridge?: string; range?: readonly [number, number]; extra?: string; hosts?: readonly DhcpHost[]; dhcp?: boolean } = {},
): string {
  const [first, last] = opts.range ?? [2, 254];
  const hosts = (opts.hosts ?? []).map((h) => `      <host mac='${h.mac}' name='${h.name}' ip='${h.ip}'/>\n`).join('');
  const ip = `  <ip address='${subnet}.1' netmask='255.255.255.0'`;
  return (
    `<network>\n  <name>${name}</name>\n` +
    (opts.uuid ? `  <uuid>${opts.uuid}</uuid>\n` : '') +
    "  <forward mode='nat'/>\n" +
    (opts.bridge ? `  <bridge name='${opts.bridge}'/>\n` : '') +
    (opts.extra ?? '') +
    (opts.dhcp === false
      ? `${ip}/>\n`
      : `${ip}>\n    <dhcp>\n      <range start='${subnet}.${first}' end='${subnet}.${last}'/>\n${hosts}    </dhcp>\n  </ip>\n`) +
    '</network>\n'
  );
}
