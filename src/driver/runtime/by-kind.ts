/**
 * One NetworkRuntime made of several, each for a kind of network: a new
 * definition goes to the first runtime that takes it (an OVN network to the
 * OVN runtime), everything else to the default one (the Linux runtime); a
 * running network goes back to the runtime its record names (its
 * `runtime` field), so stop, adopt and update reach the one that started it
 * even in a later process. The network driver sees one runtime.
 */
import type { NetworkDef } from '../../conf/network/types.js';
import { operationUnsupported } from '../../util/errors.js';
import type { DhcpLease } from '../../contract/network-api.js';
import type { NicPlug } from '../../host/guest-backend.js';
import type {
  AppliedNetwork,
  DryRunContext,
  LiveChange,
  PlannedChanges,
  NetworkHealthChange,
  NetworkRuntime,
  PortAttachment,
  StartContext,
  UpdateContext,
} from './seam.js';

export interface RuntimeKind {
  /** The `runtime` field of the records this runtime writes. */
  id: string;
  runtime: NetworkRuntime;
  /** Whether a definition is this runtime's to start. */
  takes(def: NetworkDef): boolean;
}

export class RuntimeByKind implements NetworkRuntime {
  constructor(
    private readonly kinds: readonly RuntimeKind[],
    private readonly fallback: NetworkRuntime,
  ) {}

  private forDef(def: NetworkDef): NetworkRuntime {
    return this.kinds.find((k) => k.takes(def))?.runtime ?? this.fallback;
  }

  private forApplied(applied: AppliedNetwork): NetworkRuntime {
    return this.kinds.find((k) => k.id === applied.runtime)?.runtime ?? this.fallback;
  }

  start(def: NetworkDef, context: StartContext): Promise<AppliedNetwork> {
    return this.forDef(def).start(def, context);
  }

  stop(def: NetworkDef, applied: AppliedNetwork): Promise<void> {
    return this.forApplied(applied).stop(def, applied);
  }

  adopt(def: NetworkDef, applied: AppliedNetwork): Promise<AppliedNetwork | null> {
    return this.forApplied(applied).adopt(def, applied);
  }

  updateLive(before: NetworkDef, after: NetworkDef, section: LiveChange, applied: AppliedNetwork, context?: UpdateContext): Promise<AppliedNetwork> {
    return this.forApplied(applied).updateLive(before, after, section, applied, context);
  }

  async dryRun(def: NetworkDef, context: DryRunContext): Promise<PlannedChanges> {
    const runtime = context.before ? this.forApplied(context.before.applied) : this.forDef(def);
    if (!runtime.dryRun) throw operationUnsupported(`a dry run of network '${def.name}' (its runtime cannot tell what it would change)`);
    return runtime.dryRun(def, context);
  }

  leases(def: NetworkDef, applied: AppliedNetwork): Promise<DhcpLease[]> {
    return this.forApplied(applied).leases(def, applied);
  }

  cleanup(def: NetworkDef): Promise<void> {
    return this.forDef(def).cleanup(def);
  }

  linkExists(name: string): Promise<boolean> {
    return this.fallback.linkExists(name);
  }

  async attachPort(def: NetworkDef, applied: AppliedNetwork, port: PortAttachment): Promise<NicPlug | undefined> {
    return this.forApplied(applied).attachPort?.(def, applied, port);
  }

  async detachPort(def: NetworkDef, applied: AppliedNetwork, port: PortAttachment): Promise<void> {
    await this.forApplied(applied).detachPort?.(def, applied, port);
  }

  async settlePrevious(): Promise<void> {
    for (const r of [...this.kinds.map((k) => k.runtime), this.fallback]) await r.settlePrevious?.();
  }

  async prunePorts(def: NetworkDef, applied: AppliedNetwork, held: readonly PortAttachment[]): Promise<void> {
    await this.forApplied(applied).prunePorts?.(def, applied, held);
  }

  watchHealth(listener: (change: NetworkHealthChange) => void): () => void {
    const stops = [...this.kinds.map((k) => k.runtime), this.fallback].flatMap((r) => (r.watchHealth ? [r.watchHealth(listener)] : []));
    return () => {
      for (const stop of stops) stop();
    };
  }

  async reconcileOwned(networks: readonly { def: NetworkDef; applied?: AppliedNetwork }[]): Promise<void> {
    for (const r of [...this.kinds.map((k) => k.runtime), this.fallback]) await r.reconcileOwned?.(networks);
  }
}
