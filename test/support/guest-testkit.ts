/**
 * Test support for the guest driver (unit tests, the daemon's tests): a
 * network driver over the fake runtime (network-testkit.ts) and a guest
 * driver over the fake guest backend, both on one temporary root and one
 * fake kernel (the backend sees the bridges the networks make), an event
 * recorder, a restart of both drivers over the same state, and guest XML
 * builders. Not used by the daemon.
 */
import type { DriverEvent } from '../../src/contract/network-api.js';
import { countingMacBytes, countingRandomness, countingUuids, startTestDriver, type TestDriver } from './network-testkit.js';
import { FakeGuestBackend } from './fake-guest-backend.js';
import { GuestDriver, type GuestDriverOptions } from '../../src/driver/guest/driver.js';
import { CombinedDriver } from '../../src/driver/guest/index.js';

export interface GuestTestDriver {
  net: TestDriver;
  backend: FakeGuestBackend;
  guests: GuestDriver;
  /** Both APIs, as the daemon serves them. */
  driver: CombinedDriver;
  /** Guest events since the guest driver started. */
  events: DriverEvent[];
  /** Guest events as "Name:Event[:device]". */
  guestEvents(): string[];
  /** Close both drivers (everything keeps running) and start new ones over the same root, kernel and backend state. */
  restart(): Promise<GuestTestDriver>;
  dispose(): Promise<void>;
}

let counter = 0;

export async function startGuestTestDriver(
  options: Partial<Omit<GuestDriverOptions, 'paths' | 'networks' | 'backend'>> = {},
  shared?: { net: TestDriver; backend?: FakeGuestBackend },
): Promise<GuestTestDriver> {
  const net = shared?.net ?? (await startTestDriver());
  const backend =
    shared?.backend ?? new FakeGuestBackend({ links: net.kernel.links, bridgeMacs: net.kernel.bridgeMacs, netns: `vnt-unit-${++counter}` });
  const guests = new GuestDriver({ paths: net.paths, networks: net.driver, backend, random: { macBytes: countingMacBytes() }, ...options });
  const events: DriverEvent[] = [];
  guests.subscribe((e) => events.push(e));
  await guests.initialize();
  const t: GuestTestDriver = {
    net,
    backend,
    guests,
    driver: new CombinedDriver(net.driver, guests),
    events,
    guestEvents: () =>
      events.flatMap((e) => (e.kind === 'guest' ? [`${e.guest.name}:${e.event}${e.device !== undefined ? `:${e.device}` : ''}`] : [])),
    restart: async () => {
      await guests.close();
      const net2 = await net.restart();
      return startGuestTestDriver(options, { net: net2, backend });
    },
    dispose: async () => {
      await guests.close();
      await net.dispose();
    },
  };
  return t;
}

/** Both drivers with reproducible uuids and MACs: each new pair hands out the same ones, in the same order. */
export async function startReproducibleGuestDriver(): Promise<GuestTestDriver> {
  const net = await startTestDriver({ random: countingRandomness() });
  return startGuestTestDriver({ random: { uuid: countingUuids('a0000000'), macBytes: countingMacBytes() } }, { net });
}

/** A guest with interfaces on networks (`network:NAME`) or bridges (`bridge:NAME`), optionally with MACs ("network:default@52:54:00:aa:bb:cc"). */
export function guestXml(name: string, opts: { type?: 'netns' | 'tap'; uuid?: string; nics?: string[]; extra?: string } = {}): string {
  const nics = (opts.nics ?? [])
    .map((spec) => {
      const [kindSource, mac] = spec.split('@') as [string, string | undefined];
      const [kind, source] = kindSource.split(':') as ['network' | 'bridge', string];
      const attr = kind === 'network' ? 'network' : 'bridge';
      return `    <interface type='${kind}'>\n${mac ? `      <mac address='${mac}'/>\n` : ''}      <source ${attr}='${source}'/>\n      <model type='virtio'/>\n    </interface>\n`;
    })
    .join('');
  return (
    `<domain type='${opts.type ?? 'netns'}'>\n  <name>${name}</name>\n` +
    (opts.uuid ? `  <uuid>${opts.uuid}</uuid>\n` : '') +
    (opts.extra ?? '') +
    `  <devices>\n${nics}  </devices>\n</domain>\n`
  );
}

/** virsh attach-interface's element for a network or bridge. */
export function interfaceXml(
  kind: 'network' | 'bridge',
  source: string,
  opts: { mac?: string; model?: string; alias?: string; target?: string } = {},
): string {
  let out = `<interface type='${kind}'>\n  <source ${kind}='${source}'/>\n`;
  if (opts.target) out += `  <target dev='${opts.target}'/>\n`;
  if (opts.mac) out += `  <mac address='${opts.mac}'/>\n`;
  if (opts.model) out += `  <model type='${opts.model}'/>\n`;
  if (opts.alias) out += `  <alias name='${opts.alias}'/>\n`;
  return `${out}</interface>\n`;
}
