/**
 * The rules of live/config changes to a guest, as libvirt applies them to
 * attach and detach:
 *
 * - `resolveImpact` is virDomainObjUpdateModificationImpact: neither flag
 *   means "current" (live when running, else config); live on a guest that
 *   is not running fails with "domain is not running", config on a
 *   transient guest with "transient domains do not have any persistent
 *   config" (both OPERATION_INVALID);
 * - `findInterface` is virDomainNetFindIdx for the device a detach names:
 *   by MAC when it has one ("no device matching MAC address M found",
 *   DEVICE_MISSING; "multiple devices matching MAC address M found",
 *   OPERATION_FAILED), else the only interface there is.
 */
import type { GuestDef, GuestInterface } from '../../conf/guest/types.js';
import { VirError, operationFailed, operationInvalid } from '../../util/errors.js';
import type { AffectFlags } from '../../contract/guest-api.js';

interface Impact {
  live: boolean;
  config: boolean;
}

export function resolveImpact(flags: AffectFlags, state: { active: boolean; persistent: boolean }): Impact {
  let live = flags.live === true;
  let config = flags.config === true;
  if (!live && !config) {
    if (state.active) live = true;
    else config = true;
  }
  if (live && !state.active) throw operationInvalid('domain is not running');
  if (config && !state.persistent) throw operationInvalid('transient domains do not have any persistent config');
  return { live, config };
}

/** The index of the interface a detach's device element names. */
export function findInterface(def: GuestDef, device: GuestInterface): number {
  if (device.mac !== undefined) {
    const mac = device.mac;
    const matches: number[] = [];
    def.interfaces.forEach((iface, i) => {
      if (iface.mac === mac) matches.push(i);
    });
    if (matches.length === 0) throw new VirError('DEVICE_MISSING', `no device matching MAC address ${mac} found`);
    if (matches.length > 1) throw operationFailed(`multiple devices matching MAC address ${mac} found`);
    return matches[0]!;
  }
  if (def.interfaces.length === 0) throw new VirError('DEVICE_MISSING', 'no device found');
  if (def.interfaces.length > 1) throw operationFailed('multiple matching devices found');
  return 0;
}
