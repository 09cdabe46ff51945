/**
 * net-update's driver half (libvirt's networkUpdate + virNetworkObjUpdate):
 * which defs a request changes and their new values, computed on copies so
 * nothing is touched until everything has succeeded.
 *
 * - Neither --live nor --config ("current"): live if the network runs,
 *   else config.
 * - --live on a stopped network: "network is not running"; --config on a
 *   transient one: "cannot change persistent config of a transient network"
 *   (both OPERATION_INVALID).
 * - The live copy starts from the live def; the config copy from the
 *   persistent def passed through an inactive format/parse round trip, as
 *   libvirt copies it. Each changed copy is checked by another round trip
 *   (live, resp. inactive formatting), which re-runs every parse-time check.
 * - Command and section names are checked first, as virsh checks them
 *   before it calls the driver.
 */
import type { NetworkDef } from '../../conf/network/types.js';
import { formatNetworkXml } from '../../conf/network/format.js';
import { parseNetworkXml } from '../../conf/network/parse.js';
import { collectRefusedValues } from '../../conf/network/refused-values.js';
import { applyUpdate, parseUpdateCommand, parseUpdateSection, type UpdateCommand, type UpdateSection } from '../../conf/network/update.js';
import { operationInvalid } from '../../util/errors.js';
import type { UpdateFlags, UpdateRequest } from '../../contract/network-api.js';

export interface UpdateTarget {
  active: boolean;
  persistent: boolean;
  def: NetworkDef;
  /** The persistent def (newDef when running, else def). */
  persistentDef: NetworkDef;
}

interface UpdatePlan {
  live: boolean;
  config: boolean;
  command: UpdateCommand;
  section: UpdateSection;
  /** The new live def, when live. */
  liveDef?: NetworkDef;
  /** The new persistent def, when config. */
  configDef?: NetworkDef;
}

/** virNetworkObjUpdateModificationImpact + virNetworkObjConfigChangeSetup. */
export function resolveUpdateFlags(target: Pick<UpdateTarget, 'active' | 'persistent'>, flags: UpdateFlags): { live: boolean; config: boolean } {
  let live = flags.live === true;
  let config = flags.config === true;
  if (!live && !config) {
    if (target.active) live = true;
    else config = true;
  }
  if (!target.active && live) throw operationInvalid('network is not running');
  if (config && !target.persistent) throw operationInvalid('cannot change persistent config of a transient network');
  return { live, config };
}

/** A copy of `def` through the formatter and the parser (virNetworkDefCopy). */
export function roundTrip(def: NetworkDef, inactive: boolean): NetworkDef {
  return parseNetworkXml(formatNetworkXml(def, { inactive }));
}

export function planUpdate(target: UpdateTarget, request: UpdateRequest): UpdatePlan {
  const command = parseUpdateCommand(request.command);
  const section = parseUpdateSection(request.section);
  const { live, config } = resolveUpdateFlags(target, request.flags ?? {});
  const plan: UpdatePlan = { live, config, command, section };
  if (live) {
    plan.liveDef = applyUpdate(target.def, command, section, request.parentIndex, request.xml);
    roundTrip(plan.liveDef, false);
  }
  if (config) {
    // A config an earlier virtnet saved may hold values now refused: the update may be what removes them (the result is checked whole).
    const base = collectRefusedValues(() => roundTrip(target.persistentDef, true)).result;
    plan.configDef = applyUpdate(base, command, section, request.parentIndex, request.xml);
    roundTrip(plan.configDef, true);
  }
  return plan;
}
