/**
 * net-update of the forward-interface section
 * (libvirt's virNetworkDefUpdateForwardInterface): netdev entries of the
 * <forward> pool, matched by dev name. libvirt reads the one attribute of
 * the snippet itself rather than through an element parser, and so do we.
 */
import { attr } from '../../xml/reader.js';
import { VirError, operationInvalid, xmlError } from '../../util/errors.js';
import { type SectionUpdate, checkElementName, insertForCommand, isAddCommand } from './update-common.js';

export function updateForwardInterface(u: SectionUpdate): void {
  const { def, command } = u;
  checkElementName(def, u.el, 'interface');
  if (command === 'modify') {
    throw new VirError('OPERATION_UNSUPPORTED', 'forward interface entries cannot be modified, only added or deleted');
  }
  const dev = attr(u.el, 'dev');
  if (dev === undefined) throw xmlError('missing dev attribute in <interface> element');

  const pool = def.forward.interfaces;
  const i = pool.findIndex((f) => f.type === 'netdev' && f.dev === dev);
  if (isAddCommand(command)) {
    if (i >= 0) {
      throw operationInvalid(`there is an existing interface entry in network '${def.name}' that matches "<interface dev='${dev}'>"`);
    }
    insertForCommand(pool, { type: 'netdev', dev, connections: 0 }, command);
    return;
  }
  // delete
  const found = pool[i];
  if (found === undefined) {
    throw operationInvalid(`couldn't find an interface entry in network '${def.name}' matching <interface dev='${dev}'>`);
  }
  if (found.connections > 0) {
    throw operationInvalid(
      `unable to delete interface '${dev}' in network '${def.name}'. It is currently being used by ${found.connections} domains.`,
    );
  }
  pool.splice(i, 1);
}
