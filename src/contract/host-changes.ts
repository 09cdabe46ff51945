/**
 * Dry runs (net-start / net-create / net-update --dry-run, the console's
 * "What changes on the host"): what a start or a live update would change
 * on the host, worked out and checked without changing anything.
 */
import type { UpdateRequest } from './network-api.js';

export type DryRunRequest =
  | { action: 'start'; name: string }
  | { action: 'create'; xml: string; validate?: boolean }
  | { action: 'update'; name: string; update: UpdateRequest };

export type DryRunAction = DryRunRequest['action'];

export interface SysctlChange {
  key: string;
  value: string;
  /** Its value now; absent when the key does not exist yet (a device still to be made). */
  now?: string;
}

export interface FileChange {
  path: string;
  content: string;
}

export interface HostChanges {
  network: string;
  action: DryRunAction;
  /** Commands on links, in order: `ip link add …`, `ip address add …`, `ip route add …`, `ethtool -K … tx off`. */
  links: string[];
  sysctls: SysctlChange[];
  /** The nftables batch, one command (nft's JSON) a line; empty when the rules stay as they are. */
  nftables: string[];
  /** What `nft -c` said of the batch: 'ok' or its error; absent when there is no batch to check. */
  nftCheck?: string;
  /** Files written, with their new content (dnsmasq's conf, hosts file and DNS hosts). */
  files: FileChange[];
  /** Processes started or signalled: `dnsmasq --conf-file=…`, `dnsmasq (pid N): SIGHUP`. */
  processes: string[];
  /** An update only: whether the saved definition changes as well. */
  config?: boolean;
}

/** Whether a dry run found nothing to change on the host. */
export const changesNothing = (c: HostChanges): boolean =>
  c.links.length === 0 && c.sysctls.length === 0 && c.nftables.length === 0 && c.files.length === 0 && c.processes.length === 0;
