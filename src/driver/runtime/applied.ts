/**
 * What the Linux runtime records about a running network (the driver's
 * opaque AppliedNetwork, kept in the status file RUN/networks/NAME.xml):
 * exactly what was done on the host, so that a stop — possibly in a later
 * process, after a crash — undoes it without re-deriving anything from the
 * definition, and an adoption knows which dnsmasq to look for.
 *
 * JSON only. `readApplied` checks a record handed back by the driver and
 * throws a plain INTERNAL_ERROR when it is not one of ours.
 */
import type { ForwardInterface } from '../../conf/network/types.js';
import type { UndoLine } from '../../host/link-ops.js';
import type { NftObject } from '../../host/nft.js';
import type { DhcpChecksumMode } from '../../plan/network-plan.js';
import { internalError } from '../../util/errors.js';
import type { AppliedNetwork } from './seam.js';

export const RUNTIME_ID = 'linux';

export interface AppliedDnsmasq {
  pid: number;
  pidFile: string;
  conf: string;
  hostsfile: string;
  addnhosts: string;
  leaseFile: string;
}

export type LinuxApplied = {
  runtime: typeof RUNTIME_ID;
  version: 1;
  name: string;
  kind: 'virtual' | 'host-bridge' | 'external';
  /** The bridge: created by us (virtual) or the host's (host-bridge). */
  bridge?: string;
  /** Undo lines of every link change, newest first (the last one deletes the bridge). */
  linkUndo: UndoLine[];
  /** The nft commands that remove this network's rules (the plan's `remove` batch). */
  firewallRemove: NftObject[];
  checksum?: DhcpChecksumMode;
  dnsmasq?: AppliedDnsmasq;
  /** The interface pool built from `<pf>` at start (libvirt fills the live def's forward pool with it). */
  interfacePool?: ForwardInterface[];
  /**
   * Set on the journal record a start writes before it touches the host
   * (what the start may make, not what it made): the MAC its bridge is
   * created with, so that undoing it after a crash never deletes a bridge
   * of that name the start did not make.
   */
  intent?: { bridgeMac?: string };
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A batch as a running network's record keeps it: a plain copy of its own (through JSON, as the
 * status file holds it) rather than the plan's objects, which V8 kept with a hidden class each
 * (bench/README.md, "Issue 17").
 */
export function keptBatch(batch: readonly object[]): NftObject[] {
  return JSON.parse(JSON.stringify(batch)) as NftObject[];
}

/** The record as ours, after checking its shape. */
export function readApplied(applied: AppliedNetwork): LinuxApplied {
  const a = applied as Record<string, unknown>;
  if (a.runtime !== RUNTIME_ID || a.version !== 1 || typeof a.name !== 'string') {
    throw internalError(`network status was not written by the '${RUNTIME_ID}' runtime`);
  }
  if (a.kind !== 'virtual' && a.kind !== 'host-bridge' && a.kind !== 'external') throw internalError('network status has an unknown kind');
  if (!Array.isArray(a.linkUndo) || !Array.isArray(a.firewallRemove)) throw internalError('network status is incomplete');
  if (a.dnsmasq !== undefined) {
    const d = a.dnsmasq;
    if (!isObj(d) || typeof d.pid !== 'number' || typeof d.pidFile !== 'string' || typeof d.leaseFile !== 'string') {
      throw internalError('network status has an invalid dnsmasq record');
    }
  }
  return applied as unknown as LinuxApplied;
}
