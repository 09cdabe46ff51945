/**
 * net-forward-add / net-forward-remove's driver half: which definitions a
 * change touches and their new values, computed on copies (as net-update's
 * update.ts), and the check of a starting network's forwards against the
 * running ones.
 *
 * - --live / --config as net-update: --live on a stopped network "network
 *   is not running", --config on a transient one "cannot change persistent
 *   config of a transient network".
 * - Neither: the live definition if the network runs, *and* the persistent
 *   one if it has one. A side that already holds the forward (add) or holds
 *   none of the selected ones (remove) is left as it is, so a forward added
 *   with --config alone can be made live without an error; a change that
 *   touches no side fails as an explicit one would.
 * - A forward may overlap no forward of another network, running or
 *   defined: the kernel's maps would refuse it where both run.
 */
import type { ForwardSelector } from '../../conf/network/port-forward.js';
import {
  addPortForward,
  findOverlap,
  holdsForward,
  overlapError,
  removePortForwards,
  selectedForwards,
} from '../../conf/network/port-forward-edit.js';
import type { PortForwardDef } from '../../conf/network/port-forward-types.js';
import type { NetworkDef } from '../../conf/network/types.js';
import type { UpdateFlags } from '../../contract/network-api.js';
import { resolveUpdateFlags, roundTrip, type UpdateTarget } from './update.js';

export type ForwardChange = { add: PortForwardDef } | { remove: ForwardSelector };

export interface ForwardPlan {
  live: boolean;
  config: boolean;
  liveDef?: NetworkDef;
  configDef?: NetworkDef;
}

/** One side of a change, or undefined when an implicit change leaves it as it is. */
function changeSide(def: NetworkDef, change: ForwardChange, implicit: boolean): NetworkDef | undefined {
  if ('add' in change) {
    if (implicit && holdsForward(def, change.add)) return undefined;
    return addPortForward(def, change.add);
  }
  if (implicit && selectedForwards(def, change.remove).length === 0) return undefined;
  return removePortForwards(def, change.remove);
}

/**
 * The new live and persistent definitions of a forward change. `others`
 * are the other networks' definitions (live and persistent), which an
 * added forward may not overlap.
 */
export function planForwardChange(target: UpdateTarget, change: ForwardChange, flags: UpdateFlags, others: Iterable<NetworkDef>): ForwardPlan {
  const implicit = flags.live !== true && flags.config !== true;
  const sides = implicit ? { live: target.active, config: target.persistent } : resolveUpdateFlags(target, flags);
  if ('add' in change) {
    const overlap = findOverlap(change.add, others);
    if (overlap) throw overlapError(target.def.name, change.add, overlap);
  }
  const plan: ForwardPlan = { live: false, config: false };
  const liveDef = sides.live ? changeSide(target.def, change, implicit) : undefined;
  const configDef = sides.config ? changeSide(roundTrip(target.persistentDef, true), change, implicit) : undefined;
  if (liveDef === undefined && configDef === undefined) {
    // Nothing to do on either side: fail as the explicit change of the side that counts would.
    changeSide(sides.live ? target.def : target.persistentDef, change, false);
  }
  if (liveDef !== undefined) {
    roundTrip(liveDef, false);
    plan.live = true;
    plan.liveDef = liveDef;
  }
  if (configDef !== undefined) {
    roundTrip(configDef, true);
    plan.config = true;
    plan.configDef = configDef;
  }
  return plan;
}

/** A starting network's forwards against the running networks': the first overlap is an error. */
export function checkForwardsFree(def: NetworkDef, running: readonly NetworkDef[]): void {
  for (const f of def.portForwards?.forwards ?? []) {
    const overlap = findOverlap(f, running);
    if (overlap) throw overlapError(def.name, f, overlap);
  }
}
