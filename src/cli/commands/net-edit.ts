/**
 * net-edit NETWORK, as virsh's virsh-edit.c flow runs it:
 * 1. fetch the persistent XML (--inactive), write it to a temporary file,
 *    run the editor;
 * 2. unchanged → "Network N XML configuration not changed.";
 * 3. otherwise fetch the XML again (another user may have changed it:
 *    "The XML configuration was changed by another user."), then define
 *    the edited text ("Failed." when the daemon refuses it). Unlike virsh,
 *    the define names the network's version read before the editor
 *    opened (If-Match), so a change made in between, even one that lands
 *    after the second fetch, is never saved over: the daemon refuses it
 *    and the same "changed by another user" question is asked;
 * 4. on a terminal, a failure prints the daemon's error and asks
 *    "Failed. Try again? [y,n,f,?]:" — y edits again, f defines again,
 *    n gives up (exit 1). Without a terminal nobody can be asked: virtnet
 *    prints "error: Failed." (or the other-user message) and the reason,
 *    and exits 1. Here it deliberately differs from virsh 9.0, whose loop
 *    falls through to success and prints "Network (null) XML configuration
 *    edited." with exit 0, so a script never learns its edit was lost
 *    (test/golden/virtnet-differs.json records the one golden step).
 */
import type { CommandDef } from '../command.js';
import { askReedit, readBack, removeTemp, runEditor, writeTempFile } from '../editor.js';
import { lookupNetwork } from '../lookup.js';
import { NETWORK_OPT } from '../options.js';
import { VirError } from '../../util/errors.js';

export const netEdit: CommandDef = {
  name: 'net-edit',
  help: 'edit XML configuration for a network',
  desc: 'Edit the XML configuration for a network.',
  opts: [NETWORK_OPT],
  async run(sh, cmd) {
    const net = await lookupNetwork(sh, cmd);
    if (!net) return false;
    const client = sh.client();
    const name = net.info.name;
    const getXml = (): Promise<string> => client.getXml(name, { inactive: true });
    // The version the editor starts from (read before the XML: a change in between is refused, never lost).
    const getVersion = async (): Promise<string | undefined> => (client.versionOf ? client.versionOf(name) : undefined);

    let version = await getVersion();
    let doc = await getXml();
    const tmp = writeTempFile(sh, doc);
    try {
      let edited = '';
      let step: 'edit' | 'define' = 'edit';
      let editedName: string | undefined;
      for (;;) {
        if (step === 'edit') {
          await runEditor(sh, tmp);
          edited = readBack(sh, tmp);
          if (edited === doc) {
            sh.printExtra(sh.t('Network {network} XML configuration not changed.\n', { network: name }));
            return true;
          }
        }
        let msg: string | undefined;
        const changed = sh.t('The XML configuration was changed by another user.');
        const reread = await getXml();
        if (reread !== doc) {
          msg = changed;
          doc = reread;
          version = await getVersion();
        }
        if (msg === undefined) {
          try {
            // Not over a change made while the editor was open: the daemon checks the version under the network's lock.
            editedName = (await client.define(edited, version === undefined ? {} : { ifMatch: version })).name;
          } catch (err) {
            if (err instanceof VirError && err.status === 412) {
              msg = changed;
              version = await getVersion();
              doc = await getXml();
            } else {
              sh.saveError(err);
              msg = sh.t('Failed.');
            }
          }
        }
        if (msg === undefined) break;
        const answer = await askReedit(sh, msg);
        if (answer === 'y') {
          step = 'edit';
          continue;
        }
        if (answer === 'f') {
          step = 'define';
          continue;
        }
        if (answer === 'n') return false;
        // No terminal to ask on: the edit is lost, and the caller must know it (the saved reason follows).
        sh.error(msg);
        return false;
      }
      sh.printExtra(sh.t('Network {network} XML configuration edited.\n', { network: editedName ?? name }));
      return true;
    } finally {
      removeTemp(tmp);
    }
  },
};
