/**
 * libvirt's `default` network, as libvirt's package installs it: on a root
 * that has no network yet, the first start defines `default` (NAT,
 * 192.168.122.1/24, DHCP .2–.254), marks it autostart and starts it. The
 * marker STATE/default-network records that the decision was taken, so it is
 * taken once: a `default` undefined later never comes back, and a root that
 * already had networks never gets one.
 *
 * When 192.168.122.0/24 overlaps a route of the namespace the networks live
 * in (the host's, or the sandbox's), the subnet is the first free one of
 * 192.168.124.0/24 … 192.168.254.0/24, as libvirt's packaging picks it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkDriverApi } from '../../contract/network-api.js';
import type { RouteRecord } from '../../host/facts-parse.js';
import { occupiedSubnets } from '../../plan/plan-collision.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { parseIp, subnetsOverlap } from '../../util/ip.js';
import type { VirtnetPaths } from '../common/paths.js';
import { errorText, type DriverLogger } from '../common/log.js';

const DEFAULT_NETWORK_NAME = 'default';
/** libvirt's subnet for `default`: 192.168.122.0/24. */
const DEFAULT_THIRD_OCTET = 122;

/** STATE/default-network: present once the first start has decided about `default`. */
export function defaultNetworkMarkerPath(paths: VirtnetPaths): string {
  return join(paths.stateDir, 'default-network');
}

/** The network XML of `default` on 192.168.N.0/24 (libvirt's default.xml; the driver adds uuid, bridge and MAC). */
function defaultNetworkXml(thirdOctet: number): string {
  const net = `192.168.${thirdOctet}`;
  return (
    `<network>\n  <name>${DEFAULT_NETWORK_NAME}</name>\n  <forward mode='nat'/>\n` +
    `  <ip address='${net}.1' netmask='255.255.255.0'>\n    <dhcp>\n      <range start='${net}.2' end='${net}.254'/>\n    </dhcp>\n  </ip>\n</network>\n`
  );
}

/** What 192.168.N.0/24 overlaps among these routes: the interface, or undefined when free. */
function usedBy(thirdOctet: number, routes: readonly RouteRecord[]): string | undefined {
  const network = parseIp(`192.168.${thirdOctet}.0`);
  if (!network) return undefined;
  return occupiedSubnets([], routes).find((o) => subnetsOverlap(network, 24, o.network, o.prefix))?.iface;
}

interface DefaultSubnetChoice {
  /** The third octet of the chosen 192.168.N.0/24; undefined when every candidate is in use. */
  thirdOctet?: number;
  /** The interface that holds 192.168.122.0/24, when it is taken. */
  defaultTakenBy?: string;
}

/** libvirt's subnet, else the first free one of 192.168.124–254.0/24. */
export function chooseDefaultSubnet(routes: readonly RouteRecord[]): DefaultSubnetChoice {
  const takenBy = usedBy(DEFAULT_THIRD_OCTET, routes);
  if (takenBy === undefined) return { thirdOctet: DEFAULT_THIRD_OCTET };
  for (let n = 124; n <= 254; n++) if (usedBy(n, routes) === undefined) return { thirdOctet: n, defaultTakenBy: takenBy };
  return { defaultTakenBy: takenBy };
}

export type DefaultNetworkOutcome =
  /** Decided at an earlier start (the marker exists). */
  | { kind: 'decided-before' }
  /** The root already had networks: none is added, now or later. */
  | { kind: 'networks-exist' }
  /** Every candidate subnet is in use: nothing defined, tried again at the next start. */
  | { kind: 'no-free-subnet'; takenBy: string }
  | { kind: 'defined'; subnet: string; takenBy?: string; started: boolean; startError?: string };

interface DefaultNetworkContext {
  paths: VirtnetPaths;
  driver: NetworkDriverApi;
  /** The IPv4 routes of the namespace the networks live in. */
  routes(): Promise<RouteRecord[]>;
  /** Start it now (the daemon's autostart is on). */
  start: boolean;
  logger: DriverLogger;
}

/** Define `default` on a root with no network yet, once (see the header). */
export async function defineDefaultNetworkOnce(ctx: DefaultNetworkContext): Promise<DefaultNetworkOutcome> {
  const marker = defaultNetworkMarkerPath(ctx.paths);
  if (existsSync(marker)) return { kind: 'decided-before' };
  const record = (text: string): void => writeFileAtomic(marker, `${text}\n`, { mode: 0o644 });
  if ((await ctx.driver.list()).length > 0) {
    record('not defined: the root had networks at its first start');
    return { kind: 'networks-exist' };
  }
  const choice = chooseDefaultSubnet(await ctx.routes());
  if (choice.thirdOctet === undefined) {
    const takenBy = choice.defaultTakenBy ?? '?';
    ctx.logger.warn(
      { network: DEFAULT_NETWORK_NAME, takenBy },
      "not defining the 'default' network: 192.168.122.0/24 and 192.168.124-254.0/24 are all in use",
    );
    return { kind: 'no-free-subnet', takenBy };
  }
  const subnet = `192.168.${choice.thirdOctet}.0/24`;
  await ctx.driver.define(defaultNetworkXml(choice.thirdOctet));
  await ctx.driver.setAutostart(DEFAULT_NETWORK_NAME, true);
  record(`defined on ${subnet}`);
  const takenBy = choice.defaultTakenBy !== undefined ? { takenBy: choice.defaultTakenBy } : {};
  if (choice.defaultTakenBy !== undefined) {
    ctx.logger.warn(
      { network: DEFAULT_NETWORK_NAME, subnet, takenBy: choice.defaultTakenBy },
      `192.168.122.0/24 is in use by ${choice.defaultTakenBy}: the 'default' network uses ${subnet}`,
    );
  }
  ctx.logger.info({ network: DEFAULT_NETWORK_NAME, subnet }, "defined the 'default' network (NAT, autostart)");
  if (!ctx.start) return { kind: 'defined', subnet, ...takenBy, started: false };
  try {
    await ctx.driver.start(DEFAULT_NETWORK_NAME);
    return { kind: 'defined', subnet, ...takenBy, started: true };
  } catch (err) {
    ctx.logger.error({ network: DEFAULT_NETWORK_NAME, err: errorText(err) }, "cannot start the 'default' network");
    return { kind: 'defined', subnet, ...takenBy, started: false, startError: errorText(err) };
  }
}
