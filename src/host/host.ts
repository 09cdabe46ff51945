/**
 * The one interface the network driver uses to touch a host: facts, link
 * transactions, nftables, sysctls, daemons and kernel features, all bound to
 * one network namespace. LinuxHost (linux.ts) carries it out on the kernel;
 * FakeHost (test/support/fake-host.ts) records calls and keeps state in memory so the driver is
 * unit-tested without root. The host never decides anything: it is given a
 * plan's pieces and carries them out, returning how to undo them.
 */
import type { HostFacts } from './facts.js';
import type { KernelFeatures } from './features.js';
import type { LinkOp, UndoLine } from './link-ops.js';
import type { AppliedLinkChanges, RevertResult } from './link-transaction.js';
import type { NetnsBinding } from './netns.js';
import type { Nftables } from './nft.js';
import type { Processes } from './processes.js';
import type { Sysctls } from './sysctl.js';

export interface LinkExecutor {
  /**
   * Apply link, address and route changes as one transaction. On failure,
   * what was applied is undone and the failing step's error is thrown
   * (a LinkTransactionError). On success, returns the undo script.
   */
  apply(ops: readonly LinkOp[]): Promise<AppliedLinkChanges>;
  /** Run an undo script (best effort; lines whose target is already gone count as done). */
  revert(undo: readonly UndoLine[]): Promise<RevertResult>;
  /**
   * Delete links of the bound namespace, several in one kernel call where
   * the host can (link-delete.ts); links already gone count as deleted.
   */
  deleteLinks(names: readonly string[]): Promise<RevertResult>;
  /**
   * Watch the bound namespace for links that stop forwarding on their way
   * out: deleted, or closed by a group deletion (link-monitor.ts). Events
   * before the watch is running are not reported. Optional: a host without
   * it makes stops wait for their deletions to end.
   */
  watchClosing?(onClosed: (name: string) => void): LinkWatch;
}

/** A running watch of the host; close() ends it. */
export interface LinkWatch {
  close(): Promise<void>;
}

export interface Host {
  /** The bound namespace name, or null for the current namespace. */
  readonly netns: NetnsBinding;
  readonly facts: HostFacts;
  readonly links: LinkExecutor;
  readonly nft: Nftables;
  readonly sysctl: Sysctls;
  readonly processes: Processes;
  readonly features: KernelFeatures;
  /** Whether a network device of that name exists in the namespace (same as facts.linkExists). */
  linkExists(name: string): Promise<boolean>;
}
