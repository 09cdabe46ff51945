/**
 * net-update's command and section names as virsh accepts them
 * (tools/virsh-network.c, cmdNetworkUpdate): `add` is a synonym of
 * `add-last`, names are case-sensitive, and the enum's placeholder "none"
 * is rejected like any unknown name.
 *
 * virsh reports an unknown name itself (vshError), so no libvirt error
 * class applies: the whole text is what follows "error: ". It is thrown as
 * a VirError of class XML_DETAIL, the class whose message carries its own
 * wording with no prefix, so surfaces print it unchanged.
 */
import { VirError } from '../../util/errors.js';
import type { UpdateCommand, UpdateSection } from './update-common.js';

/** The commands in libvirt's enum order (modify, delete, add-last, add-first). */
export const UPDATE_COMMANDS: readonly UpdateCommand[] = ['modify', 'delete', 'add-last', 'add-first'];

/** The sections in libvirt's enum order. */
export const UPDATE_SECTIONS: readonly UpdateSection[] = [
  'bridge',
  'domain',
  'ip',
  'ip-dhcp-host',
  'ip-dhcp-range',
  'forward',
  'forward-interface',
  'forward-pf',
  'portgroup',
  'dns-host',
  'dns-txt',
  'dns-srv',
];

/** A command name as typed to `net-update`; `add` means `add-last`. */
export function parseUpdateCommand(name: string): UpdateCommand {
  if (name === 'add') return 'add-last';
  const found = UPDATE_COMMANDS.find((c) => c === name);
  if (found === undefined) throw new VirError('XML_DETAIL', `unrecognized command name '${name}'`);
  return found;
}

/** A section name as typed to `net-update`. */
export function parseUpdateSection(name: string): UpdateSection {
  const found = UPDATE_SECTIONS.find((s) => s === name);
  if (found === undefined) throw new VirError('XML_DETAIL', `unrecognized section name '${name}'`);
  return found;
}
