/**
 * guest-exec DOMAIN [--] CMD…: virtnet's own command (no virsh
 * counterpart) that runs a command inside a running netns guest's network
 * namespace — a DHCP client, ip, ping — and passes on what it printed: its
 * stdout to stdout, its stderr to stderr, unchanged, and its exit code as
 * virtnet's own (when it is the last command). Words after `--` are all the
 * command's, so its options need no quoting: `guest-exec c7 -- udhcpc -i eth0`.
 *
 * A guest that cannot run commands (stopped, or a tap guest) gives
 * "Failed to execute a command in domain 'NAME'" and the driver's error.
 */
import type { GuestExecResult } from '../../contract/guest-api.js';
import type { CommandDef } from '../command.js';
import { DOMAIN_OPT, lookupGuest } from './guest-client.js';
import { attempt } from './net-lifecycle.js';

export const guestExecCmd: CommandDef = {
  name: 'guest-exec',
  help: 'run a command inside a netns guest',
  desc: "Run a command in the guest's network namespace and print its output; its exit code is virtnet's.",
  opts: [
    { ...DOMAIN_OPT, help: 'domain name or uuid' },
    { name: 'cmd', kind: 'argv', required: true, help: 'the command and its arguments' },
  ],
  async run(sh, cmd) {
    const dom = await lookupGuest(sh, cmd, { byId: true, byUuid: true, byName: true });
    if (!dom) return false;
    const argv = cmd.argv();
    let result: GuestExecResult = { exitCode: 0, stdout: '', stderr: '' };
    const ok = await attempt(sh, sh.t("Failed to execute a command in domain '{domain}'", { domain: dom.info.name }), async () => {
      result = await sh.client().guestExec(dom.info.name, argv);
    });
    if (!ok) return false;
    if (result.stdout !== '') sh.print(result.stdout);
    if (result.stderr !== '') sh.io.err(result.stderr);
    sh.exitStatus = result.exitCode;
    return result.exitCode === 0;
  },
};
