/**
 * The host layer's public surface, for the driver: the Host interface, the
 * Linux implementation bound to a network namespace, and
 * the data types that cross the boundary (link operations, undo scripts, facts,
 * nftables JSON, sysctl keys, daemon specs).
 */
export type { Host, LinkExecutor } from './host.js';
export { LinuxHost, type LinuxHostOptions } from './linux.js';
export { HostError } from './errors.js';
export type { AddressRecord, BridgeData, LinkRecord, RouteRecord, TunData } from './facts-parse.js';
export type { HostFacts } from './facts.js';
export type { KernelFeatures } from './features.js';
export { SELF_NETNS, type LinkOp, type MacvlanMode, type UndoLine, isValidIfname } from './link-ops.js';
export { LinkTransactionError, type AppliedLinkChanges, type RevertFailure, type RevertResult } from './link-transaction.js';
export type { NetnsBinding } from './netns.js';
export type { NftFamily, NftObject, NftTableRef, Nftables } from './nft.js';
export type { DaemonSignal, DaemonSpec, ProcessInfo, Processes } from './processes.js';
export { ipv6ConfKey, type SysctlEntry, type SysctlKey, type Sysctls } from './sysctl.js';
export {
  ExecRunner,
  MemoryCommandLog,
  type CommandLogEntry,
  type CommandLogger,
  type CommandResult,
  type CommandRunner,
  type CommandSpec,
} from './runner.js';
