/**
 * What the console needs to know about the host that the driver API does
 * not tell: its interfaces (the wizard's forward-device and host-bridge
 * pickers, the topology's uplink) and its routes (the wizard's overlap
 * check, which follows the runtime's rule in src/plan/plan-collision.ts).
 * Read in the namespace the daemon realises networks in, with `ip -j`,
 * through the host layer's fact reader.
 */
import { LinuxFacts } from '../host/facts.js';
import { ExecRunner } from '../host/runner.js';
import type { HostInfoBody, HostInterface, HostRoute } from '../contract/console-api.js';

export type HostInfoReader = () => Promise<HostInfoBody>;

export function linuxHostInfo(netns: string | null): HostInfoReader {
  const facts = new LinuxFacts(new ExecRunner(), netns);
  return async () => {
    const [links, addresses, routes] = await Promise.all([facts.links(), facts.addresses(), facts.routes()]);
    const interfaces: HostInterface[] = links.map((l) => ({
      name: l.name,
      ...(l.kind !== undefined ? { kind: l.kind } : {}),
      up: l.up,
      operstate: l.operstate,
      mac: l.mac,
      mtu: l.mtu,
      ...(l.master !== undefined ? { master: l.master } : {}),
      addresses: addresses.filter((a) => a.dev === l.name).map((a) => `${a.address}/${a.prefix}`),
    }));
    const hostRoutes: HostRoute[] = routes.map((r) => ({
      family: r.family,
      dst: r.dst,
      prefix: r.prefix,
      type: r.type,
      ...(r.dev !== undefined ? { dev: r.dev } : {}),
      ...(r.gateway !== undefined ? { gateway: r.gateway } : {}),
      ...(r.table !== undefined ? { table: r.table } : {}),
    }));
    return { interfaces, routes: hostRoutes };
  };
}
