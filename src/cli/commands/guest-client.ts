/**
 * The guest side of the CLI's connection, and virsh's domain lookup.
 *
 * `lookupGuest` is virsh's virshCommandOptDomainBy: a word that is a whole
 * non-negative C int (blanks before it and a sign allowed) is tried as a
 * running guest's id, a 36-character word as a UUID, then the word as a
 * name. When nothing matches, virsh drops the library error and prints only
 * "failed to get domain 'ARG'".
 */
import type { GuestInfo } from '../../contract/guest-api.js';
import type { OptDef, ParsedCommand } from '../command.js';
import { canonicalUuid } from '../lookup.js';
import { optRequired } from '../options.js';
import type { Shell } from '../shell.js';

/** VIRSH_COMMON_OPT_DOMAIN_FULL. */
export const DOMAIN_OPT: OptDef = { name: 'domain', kind: 'data', required: true, help: 'domain name, id or uuid', complete: 'domain' };

interface LookupWays {
  byId: boolean;
  byUuid: boolean;
  byName: boolean;
}

const BY_ANY: LookupWays = { byId: true, byUuid: true, byName: true };
/** start: a stopped guest has no id. */
export const BY_NAME_OR_UUID: LookupWays = { byId: false, byUuid: true, byName: true };

/** virStrToLong_i(text, NULL, 10): the whole word is a C int in base 10. */
function parseDomainId(text: string): number | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?[0-9]+)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** The guest an argument names, or undefined (the library errors are dropped, as virsh drops them). */
async function findGuest(sh: Shell, arg: string, ways: LookupWays = BY_ANY): Promise<GuestInfo | undefined> {
  const api = sh.client();
  let found: GuestInfo | undefined;
  const id = ways.byId ? parseDomainId(arg) : undefined;
  if (id !== undefined && id >= 0) {
    try {
      found = (await api.guestList({ active: true })).find((g) => g.active && g.id === id);
    } catch {
      found = undefined;
    }
  }
  if (found === undefined && ways.byUuid && arg.length === 36) {
    const uuid = canonicalUuid(arg);
    if (uuid !== undefined) found = await api.guestLookupByUuid(uuid).catch(() => undefined);
  }
  if (found === undefined && ways.byName) found = await api.guestLookupByName(arg).catch(() => undefined);
  sh.resetError();
  return found;
}

/** virshCommandOptDomainBy: the guest of option `domain`, or null after virsh's message. */
export async function lookupGuest(sh: Shell, cmd: ParsedCommand, ways: LookupWays = BY_ANY): Promise<{ info: GuestInfo; arg: string } | null> {
  const arg = optRequired(sh, cmd, 'domain');
  const info = await findGuest(sh, arg, ways);
  if (info === undefined) {
    sh.error(sh.t("failed to get domain '{domain}'", { domain: arg }));
    return null;
  }
  return { info, arg };
}
