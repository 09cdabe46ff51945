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
  firewallRemove: RemoveBatch;
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
 * A running network's remove batch as its record keeps it: its JSON text, one string instead of ~90
 * objects (~2.4 KB against ~6 KiB of heap for a NAT network; bench/README.md, "Issue 17"). It is
 * written to the status file as the array it stands for (`toJSON`), so the file is the same; a record
 * read back from a status file holds the plain array until the network's batch is replaced. (Made
 * again by the planner instead, it would cost a plan, ~0.7 ms, at every status write and stop.)
 */
export class KeptBatch {
  constructor(readonly text: string) {}

  objects(): NftObject[] {
    return JSON.parse(this.text) as NftObject[];
  }

  toJSON(): NftObject[] {
    return this.objects();
  }
}

/** A record's remove batch: as the record keeps it, or as a status file gave it back. */
export type RemoveBatch = NftObject[] | KeptBatch;

/** A batch as a running network's record keeps it: its JSON text (KeptBatch). */
export function keptBatch(batch: readonly object[]): KeptBatch {
  return new KeptBatch(JSON.stringify(batch));
}

/** The batch's commands, to run. */
export function batchObjects(batch: RemoveBatch): NftObject[] {
  return batch instanceof KeptBatch ? batch.objects() : batch;
}

/** The batch's JSON text, to compare. */
export function batchText(batch: RemoveBatch): string {
  return batch instanceof KeptBatch ? batch.text : JSON.stringify(batch);
}

/** The record as ours, after checking its shape. */
export function readApplied(applied: AppliedNetwork): LinuxApplied {
  const a = applied as Record<string, unknown>;
  if (a.runtime !== RUNTIME_ID || a.version !== 1 || typeof a.name !== 'string') {
    throw internalError(`network status was not written by the '${RUNTIME_ID}' runtime`);
  }
  if (a.kind !== 'virtual' && a.kind !== 'host-bridge' && a.kind !== 'external') throw internalError('network status has an unknown kind');
  if (!Array.isArray(a.linkUndo) || !(Array.isArray(a.firewallRemove) || a.firewallRemove instanceof KeptBatch))
    throw internalError('network status is incomplete');
  if (a.dnsmasq !== undefined) {
    const d = a.dnsmasq;
    if (!isObj(d) || typeof d.pid !== 'number' || typeof d.pidFile !== 'string' || typeof d.leaseFile !== 'string') {
      throw internalError('network status has an invalid dnsmasq record');
    }
  }
  return applied as unknown as LinuxApplied;
}
