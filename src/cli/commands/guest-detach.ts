/**
 * detach-interface DOMAIN TYPE [--mac MAC] [--print-xml]
 * [--persistent|--config|--live|--current], as virsh 9.0 runs it:
 *
 * 1. the exclusive flags, then the guest ("failed to get domain" alone);
 * 2. the option values; from here on every failure ends with
 *    "Failed to detach interface" (after virsh's own message, before the
 *    library error);
 * 3. with --config or --persistent: the interface is picked in the
 *    inactive XML and detached from the persistent definition;
 * 4. then, with --live, --persistent on a running guest, or when step 3
 *    did not run: picked in the live XML and detached live (no option at
 *    all means live, --current alone lets the driver choose);
 * 5. "Interface detached successfully".
 *
 * The pick is virsh's (guest-devices.ts: by type, then --mac, with its
 * four messages), and what goes to the driver is the element exactly as
 * libxml2 dumps it from the guest's XML (xmlNodeDump: double quotes, the
 * document's own indentation, no final newline). --print-xml prints that
 * element for each step instead of detaching. libxml2 is loaded only when
 * the command runs.
 */
import type { AffectFlags } from '../../contract/guest-api.js';
import type { CommandDef } from '../command.js';
import { optRequired, optString } from '../options.js';
import { CommandAbort, type Shell } from '../shell.js';
import { DOMAIN_OPT, lookupGuest } from './guest-client.js';
import { domainInterfaces, pickDetachInterface, VirshMessage } from './guest-devices.js';
import { AFFECT_OPTS, checkAffectOptions } from './guest-flags.js';

/** The element of the interface detach-interface picks in `xml`, or undefined after virsh's message. */
async function pickInterface(sh: Shell, xml: string, type: string, mac: string | undefined): Promise<string | undefined> {
  const ifaces = await domainInterfaces(xml);
  try {
    return ifaces[pickDetachInterface(ifaces, type, mac)]!.dump;
  } catch (err) {
    if (!(err instanceof VirshMessage)) throw err;
    sh.error(sh.describeError(err));
    return undefined;
  }
}

export const detachInterfaceCmd: CommandDef = {
  name: 'detach-interface',
  help: 'detach network interface',
  desc: 'Detach network interface.',
  opts: [
    DOMAIN_OPT,
    { name: 'type', kind: 'data', required: true, help: 'network interface type' },
    { name: 'mac', kind: 'string', help: 'MAC address' },
    ...AFFECT_OPTS,
    { name: 'print-xml', kind: 'bool', help: 'print XML document rather than detach the interface' },
  ],
  async run(sh, cmd) {
    checkAffectOptions(sh, cmd);
    const dom = await lookupGuest(sh, cmd);
    if (!dom) return false;
    const name = dom.info.name;
    const api = sh.client();
    const printXml = cmd.has('print-xml');
    const current = cmd.has('current');
    const persistent = cmd.has('persistent');

    const step = async (inactive: boolean, flags: AffectFlags, type: string, mac: string | undefined): Promise<boolean> => {
      let element: string | undefined;
      try {
        element = await pickInterface(sh, await api.guestGetXml(name, { inactive }), type, mac);
      } catch (err) {
        sh.saveError(err);
        return false;
      }
      if (element === undefined) return false;
      if (printXml) {
        sh.print(element);
        return true;
      }
      try {
        await api.guestDetachDevice(name, element, flags);
        return true;
      } catch (err) {
        sh.saveError(err);
        return false;
      }
    };

    let ok = false;
    try {
      const type = optRequired(sh, cmd, 'type');
      const mac = optString(sh, cmd, 'mac');
      const affectConfig = cmd.has('config') || persistent;
      ok = true;
      if (affectConfig) ok = await step(true, { config: true }, type, mac);
      const affectLive = cmd.has('live') || (persistent && dom.info.active);
      if (ok && (affectLive || !affectConfig)) {
        const flags: AffectFlags = affectLive || !current ? { live: true } : {};
        ok = await step(false, flags, type, mac);
      }
    } catch (err) {
      if (!(err instanceof CommandAbort)) throw err;
      ok = false;
    }
    if (!ok) sh.error(sh.t('Failed to detach interface'));
    else if (!printXml) sh.printExtra(sh.t('Interface detached successfully\n'));
    return ok;
  },
};
