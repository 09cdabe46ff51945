/**
 * net-update of the portgroup section (libvirt's virNetworkDefUpdatePortGroup):
 * port groups are matched by name, and at most one may be the default.
 */
import { parsePortGroup } from './parse-netdev.js';
import { operationInvalid } from '../../util/errors.js';
import { type SectionUpdate, checkElementName, insertForCommand, isAddCommand } from './update-common.js';

export function updatePortGroup(u: SectionUpdate): void {
  const { def, command } = u;
  checkElementName(def, u.el, 'portgroup');
  // libvirt parses the whole element even for delete (no partial form).
  const portgroup = parsePortGroup(u.el, { networkName: def.name });

  const groups = def.portGroups;
  const foundName = groups.findIndex((g) => g.name === portgroup.name);
  // libvirt keeps the last default it sees.
  let foundDefault = -1;
  groups.forEach((g, i) => {
    if (g.isDefault === true) foundDefault = i;
  });

  if (foundName < 0 && (command === 'modify' || command === 'delete')) {
    throw operationInvalid(`couldn't find a portgroup entry in network '${def.name}' matching <portgroup name='${portgroup.name}'>`);
  }
  if (foundName >= 0 && isAddCommand(command)) {
    throw operationInvalid(`there is an existing portgroup entry in network '${def.name}' that matches "<portgroup name='${portgroup.name}'>"`);
  }
  if (command !== 'delete' && portgroup.isDefault === true && foundDefault >= 0 && foundDefault !== foundName) {
    throw operationInvalid(`a different portgroup entry in network '${def.name}' is already set as the default. Only one default is allowed.`);
  }

  if (command === 'modify') groups[foundName] = portgroup;
  else if (command === 'delete') groups.splice(foundName, 1);
  else insertForCommand(groups, portgroup, command);
}
