/**
 * Helpers for the guest end-to-end tests (test/e2e/guest-*.test.ts): the
 * network and guest drivers in-process over the real Linux runtime and
 * guest backend, bound to a test namespace; a DHCP client run inside a
 * guest through guest-exec (busybox udhcpc with ./udhcpc-script.ts, which
 * configures what it leases); ping through guest-exec; and a sweep that
 * removes guest namespaces a failed test left behind (they are named
 * after the driver's namespace, `NS-GUEST`).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createNetworkDriver, type NetworkDriver } from '../../src/driver/network/index.js';
import { CombinedDriver, createGuestDriver, type GuestDriver } from '../../src/driver/guest/index.js';
import { createLinuxRuntime, type LinuxRuntime } from '../../src/driver/runtime/index.js';
import type { VirtnetPaths } from '../../src/driver/common/paths.js';
import { LinuxGuestBackend } from '../../src/host/guest-linux.js';
import type { LinuxHost } from '../../src/host/linux.js';
import type { HttpVirtnetClient } from '../../src/client/index.js';
import { guestXml } from '../support/guest-testkit.js';
import { pollUntil } from '../support/poll.js';
import { deleteNetns } from './netns.js';
import { makeRoot } from './runtime-fixture.js';
import { udhcpcArgv } from './udhcpc-script.js';

export interface GuestWorld {
  ns: string;
  dir: string;
  paths: VirtnetPaths;
  runtime: LinuxRuntime;
  networks: NetworkDriver;
  guests: GuestDriver;
  driver: CombinedDriver;
  /** Close both drivers (everything keeps running) and open new ones over the same root and namespace. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Both drivers over the real kernel in namespace `ns`, with a private root (runtime-fixture's makeRoot). */
export async function openWorld(ns: string, tag: string): Promise<GuestWorld> {
  const { root: dir, paths } = makeRoot(tag);
  const open = async (): Promise<Pick<GuestWorld, 'runtime' | 'networks' | 'guests' | 'driver'>> => {
    const runtime = await createLinuxRuntime({ netns: ns, paths, firewallLingerMs: 0 });
    const networks = await createNetworkDriver({ paths, runtime });
    const runner = (runtime.host as LinuxHost).runner;
    const guests = await createGuestDriver({ paths, networks, backend: new LinuxGuestBackend({ runner, netns: ns }) });
    return { runtime, networks, guests, driver: new CombinedDriver(networks, guests) };
  };
  const world: GuestWorld = {
    ns,
    dir,
    paths,
    ...(await open()),
    async restart() {
      await world.close();
      Object.assign(world, await open());
    },
    async close() {
      await world.guests.close();
      await world.networks.close();
      world.runtime.close();
    },
  };
  return world;
}

/** Guest namespaces of a driver namespace (named NS-GUEST). */
export function guestNamespaces(ns: string): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${ns}-`));
}

/** Delete the guest namespaces of a driver namespace (their processes first). */
export function deleteGuestNamespaces(ns: string): void {
  for (const g of guestNamespaces(ns)) deleteNetns(g);
}

/** Remove what a failed test left: guest namespaces (processes first), then the root. */
export function sweep(world: GuestWorld | undefined, ns: string | undefined): void {
  if (ns !== undefined) deleteGuestNamespaces(ns);
  if (world !== undefined) rmSync(world.dir, { recursive: true, force: true });
}

/** Run udhcpc on one of a guest's interfaces through guest-exec; the address it got, or undefined. */
export async function guestDhcp(driver: CombinedDriver, guest: string, iface: string): Promise<string | undefined> {
  const r = await driver.guestExec(guest, udhcpcArgv(iface, 15));
  const m = /LEASE (\S+)/.exec(r.stdout);
  return r.exitCode === 0 && m ? m[1] : undefined;
}

/** Whether a guest gets an answer from `addr` (a few tries, one second each). */
export async function guestPing(driver: CombinedDriver, guest: string, addr: string, tries = 3): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    const r = await driver.guestExec(guest, ['ping', '-n', '-q', '-c', '1', '-W', '1', addr]);
    if (r.exitCode === 0) return true;
  }
  return false;
}

/** `ip -j -d link show DEV` in a namespace, or undefined when there is no such device. */
export function linkIn(ns: string, dev: string): Record<string, unknown> | undefined {
  const r = spawnSync('ip', ['-n', ns, '-j', '-d', 'link', 'show', 'dev', dev], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return (JSON.parse(r.stdout) as Record<string, unknown>[])[0];
}

/** Poll until `check` holds. */
export function until(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  return pollUntil(check, { ms, everyMs: 100, what });
}

/** Define and start a netns guest on `network` with `address` (CIDR) on its eth0 and, when given, a default route via `gateway`. */
export async function startGuestAt(client: HttpVirtnetClient, name: string, network: string, address: string, gateway?: string): Promise<void> {
  await client.guestDefine(guestXml(name, { nics: [`network:${network}`] }));
  await client.guestStart(name);
  const steps = [
    ['ip', 'link', 'set', 'eth0', 'up'],
    ['ip', 'addr', 'add', address, 'dev', 'eth0'],
    ...(gateway !== undefined ? [['ip', 'route', 'add', 'default', 'via', gateway]] : []),
  ];
  for (const argv of steps) {
    const r = await client.guestExec(name, argv);
    if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} in ${name}: ${r.stderr}`);
  }
}
