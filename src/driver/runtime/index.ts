/**
 * The network driver's Linux side, for the daemon (and tests, benchmarks):
 * createLinuxRuntime binds a LinuxRuntime to a Host in the daemon's network
 * namespace; the driver sees it only through the NetworkRuntime seam.
 */
export { createLinuxRuntime, LinuxRuntime, type CreateLinuxRuntimeOptions, type LinuxRuntimeOptions } from './linux.js';
export type { LinuxApplied } from './applied.js';
export { RuntimeByKind, type RuntimeKind } from './by-kind.js';
export type {
  AppliedNetwork,
  DryRunContext,
  Journal,
  LiveChange,
  NetworkHealthChange,
  NetworkRuntime,
  PlannedChanges,
  PortAttachment,
  StartContext,
  UpdateContext,
} from './seam.js';
