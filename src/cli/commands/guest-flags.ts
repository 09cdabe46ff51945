/**
 * The options attach-interface and detach-interface share, with virsh's
 * rules: --persistent, --config, --live, --current; --current excludes the
 * other three ("Options --persistent and --current are mutually
 * exclusive", then --current with --live, then with --config).
 *
 * How they become virDomainModificationImpact (AffectFlags):
 * - --config or --persistent: the persistent definition;
 * - --live: the running guest; --persistent adds it when the guest runs;
 * - --current alone: neither (the driver picks live or config);
 * - nothing at all: virsh calls the flag-less API, which means live.
 */
import type { AffectFlags } from '../../contract/guest-api.js';
import type { OptDef, ParsedCommand } from '../command.js';
import { exclusive } from '../options.js';
import type { Shell } from '../shell.js';

export const AFFECT_OPTS: readonly OptDef[] = [
  { name: 'persistent', kind: 'bool', help: 'make live change persistent' },
  { name: 'config', kind: 'bool', help: 'affect next boot' },
  { name: 'live', kind: 'bool', help: 'affect running domain' },
  { name: 'current', kind: 'bool', help: 'affect current domain' },
];

/** The checks virsh makes before anything else. */
export function checkAffectOptions(sh: Shell, cmd: ParsedCommand): void {
  exclusive(sh, cmd, 'persistent', 'current');
  exclusive(sh, cmd, 'current', 'live');
  exclusive(sh, cmd, 'current', 'config');
}

/** The flags of an attach (one call covers config and live). */
export function attachFlags(cmd: ParsedCommand, guestActive: boolean): AffectFlags {
  const flags: AffectFlags = {};
  if (cmd.has('config') || cmd.has('persistent')) flags.config = true;
  if (cmd.has('live') || (cmd.has('persistent') && guestActive)) flags.live = true;
  // Without any option virsh calls virDomainAttachDevice, which is "live".
  if (!flags.config && !flags.live && !cmd.has('current')) flags.live = true;
  return flags;
}
