/**
 * attach-interface DOMAIN TYPE SOURCE [--target --mac --model --alias]
 * [--print-xml] [--persistent|--config|--live|--current], in virsh's order:
 * the exclusive flags, the option values (empty ones refused), the type
 * ("No support for T in command 'attach-interface'"), the device element
 * (guest-devices.ts; --print-xml prints it and stops, without looking the
 * guest up), then the guest, then the attach.
 *
 * Types virsh knows but virtnet does not connect (direct, hostdev,
 * vhostuser) fail as the driver would refuse them: after the guest is
 * found, "Failed to attach interface" and libvirt's "Unsupported net type".
 */
import type { CommandDef } from '../command.js';
import { optRequired, optString } from '../options.js';
import { DOMAIN_OPT, lookupGuest } from './guest-client.js';
import { attachInterfaceXml, VirshMessage } from './guest-devices.js';
import { AFFECT_OPTS, attachFlags, checkAffectOptions } from './guest-flags.js';
import { attempt } from './net-lifecycle.js';

export const attachInterfaceCmd: CommandDef = {
  name: 'attach-interface',
  help: 'attach network interface',
  desc: 'Attach new network interface.',
  opts: [
    DOMAIN_OPT,
    { name: 'type', kind: 'data', required: true, help: 'network interface type' },
    { name: 'source', kind: 'data', required: true, help: 'source of network interface' },
    { name: 'target', kind: 'string', help: 'target network name' },
    { name: 'mac', kind: 'string', help: 'MAC address' },
    { name: 'model', kind: 'string', help: 'model type' },
    { name: 'alias', kind: 'string', help: 'custom alias name of interface device' },
    ...AFFECT_OPTS,
    { name: 'print-xml', kind: 'bool', help: 'print XML document rather than attach the interface' },
  ],
  async run(sh, cmd) {
    checkAffectOptions(sh, cmd);
    const type = optRequired(sh, cmd, 'type');
    const source = optRequired(sh, cmd, 'source');
    const target = optString(sh, cmd, 'target');
    const mac = optString(sh, cmd, 'mac');
    const model = optString(sh, cmd, 'model');
    const alias = optString(sh, cmd, 'alias');

    let xml: string | undefined;
    let refused: unknown;
    try {
      xml = attachInterfaceXml({
        type,
        source,
        ...(target !== undefined ? { target } : {}),
        ...(mac !== undefined ? { mac } : {}),
        ...(model !== undefined ? { model } : {}),
        ...(alias !== undefined ? { alias } : {}),
      });
    } catch (err) {
      if (err instanceof VirshMessage) {
        sh.error(sh.describeError(err));
        return false;
      }
      refused = err;
    }

    if (cmd.has('print-xml')) {
      if (xml === undefined) {
        sh.saveError(refused);
        return false;
      }
      sh.print(xml);
      return true;
    }

    const dom = await lookupGuest(sh, cmd);
    if (!dom) return false;
    const flags = attachFlags(cmd, dom.info.active);
    const ok = await attempt(sh, sh.t('Failed to attach interface'), async () => {
      if (xml === undefined) throw refused;
      await sh.client().guestAttachDevice(dom.info.name, xml, flags);
    });
    if (ok) sh.printExtra(sh.t('Interface attached successfully\n'));
    return ok;
  },
};
