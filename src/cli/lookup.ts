/**
 * Finding the network a command names, as virsh's
 * virshCommandOptNetworkBy does: a 36-character argument is first tried as
 * a UUID, then (or otherwise) as a name; on failure the command prints
 * "failed to get network 'ARG'" and the last library error follows it.
 *
 * The UUID is parsed on this side, like libvirt's client library does
 * (virUUIDParse: 32 hex digits, dashes anywhere, blanks around), so a
 * malformed one fails with libvirt's text and the daemon always receives
 * the canonical lower-case form.
 */
import type { NetworkInfo } from '../contract/network-api.js';
import { VirError } from '../util/errors.js';
import type { ParsedCommand } from './command.js';
import { optRequired } from './options.js';
import type { Shell } from './shell.js';

const UUID_STRING_LEN = 36;

/** virUUIDParse, returning the canonical form, or undefined when malformed. */
export function canonicalUuid(text: string): string | undefined {
  let i = 0;
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  let hex = '';
  for (; hex.length < 32; i++) {
    if (i >= text.length) return undefined;
    const c = text[i] as string;
    if (c === '-') continue;
    if (!/[0-9a-fA-F]/.test(c)) return undefined;
    hex += c.toLowerCase();
  }
  for (; i < text.length; i++) if (!/\s/.test(text[i] as string)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether `arg` is looked up by name alone: only an argument of a UUID's length is tried as a UUID first. */
export function byNameOnly(arg: string): boolean {
  return arg.length !== UUID_STRING_LEN;
}

export interface LookupWays {
  byUuid: boolean;
  byName: boolean;
}

const BY_UUID_OR_NAME: LookupWays = { byUuid: true, byName: true };

/** Look up the network in option `optname`; null after printing the failure. */
export async function lookupNetwork(
  sh: Shell,
  cmd: ParsedCommand,
  ways: LookupWays = BY_UUID_OR_NAME,
  optname = 'network',
): Promise<{ info: NetworkInfo; arg: string } | null> {
  const arg = optRequired(sh, cmd, optname);
  const info = await lookupNetworkArg(sh, arg, ways);
  return info ? { info, arg } : null;
}

/** The lookup itself, for an argument already read. */
export async function lookupNetworkArg(sh: Shell, arg: string, ways: LookupWays = BY_UUID_OR_NAME): Promise<NetworkInfo | null> {
  const client = sh.client();
  let found: NetworkInfo | undefined;
  if (ways.byUuid && !byNameOnly(arg)) {
    const uuid = canonicalUuid(arg);
    if (uuid === undefined) {
      sh.saveError(new VirError('XML_DETAIL', 'uuidstr in virNetworkLookupByUUIDString must be a valid UUID'));
    } else {
      try {
        found = await client.lookupByUuid(uuid);
      } catch (err) {
        sh.saveError(err);
      }
    }
  }
  if (found === undefined && ways.byName) {
    try {
      found = await client.lookupByName(arg);
    } catch (err) {
      sh.saveError(err);
    }
  }
  if (found === undefined) {
    sh.error(sh.t("failed to get network '{network}'", { network: arg }));
    return null;
  }
  sh.resetError();
  return found;
}
