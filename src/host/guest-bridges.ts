/**
 * bridge-show's data from `ip -j -d link`: every bridge with its id, STP
 * state and ports, as `brctl show` lists them (bridges and ports sorted by
 * name, as brctl reads them from sysfs with alphasort; the id as
 * "8000.525400123456"). Pure, so it is tested on captured output.
 */
import type { LinkRecord } from './facts-parse.js';
import type { BridgePortsInfo } from './guest-backend.js';
import { brctlBridgeId } from './guest-names.js';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function bridgePortsFromLinks(links: readonly LinkRecord[]): BridgePortsInfo[] {
  const bridges = links.filter((l) => l.kind === 'bridge');
  return bridges
    .map((br) => ({
      bridge: br.name,
      bridgeId: brctlBridgeId(br.bridge?.bridgeId ?? '', br.mac),
      stp: br.bridge?.stp ?? false,
      ports: links
        .filter((l) => l.master === br.name)
        .map((l) => l.name)
        .sort(byName),
    }))
    .sort((a, b) => byName(a.bridge, b.bridge));
}
