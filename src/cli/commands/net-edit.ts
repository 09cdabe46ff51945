/**
 * net-edit NETWORK, as virsh's virsh-edit.c flow runs it:
 * 1. fetch the persistent XML (--inactive), write it to a temporary file,
 *    run the editor;
 * 2. unchanged → "Network N XML configuration not changed.";
 * 3. otherwise fetch the XML again (another user may have changed it:
 *    "The XML configuration was changed by another user."), then define
 *    the edited text ("Failed." when the daemon refuses it);
 * 4. on a terminal, a failure prints the daemon's error and asks
 *    "Failed. Try again? [y,n,f,?]:" — y edits again, f defines again,
 *    n gives up (exit 1). Without a terminal virsh cannot ask: it prints
 *    "error: Failed." and, since its loop then falls through to success,
 *    "Network (null) XML configuration edited." with exit 0; virtnet
 *    keeps that behaviour byte for byte so scripts see what virsh shows.
 */
import type { CommandDef } from '../command.js';
import { askReedit, readBack, removeTemp, runEditor, writeTempFile } from '../editor.js';
import { lookupNetwork } from '../lookup.js';
import { NETWORK_OPT } from './net-lifecycle.js';

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
            sh.printExtra(`Network ${name} XML configuration not changed.\n`);
            return true;
          }
        }
        let msg: string | undefined;
        const reread = await getXml();
        if (reread !== doc) {
          msg = 'The XML configuration was changed by another user.';
          doc = reread;
        }
        if (msg === undefined) {
          try {
            editedName = (await client.define(edited)).name;
          } catch (err) {
            sh.saveError(err);
            msg = 'Failed.';
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
        sh.error(msg);
        break;
      }
      sh.printExtra(`Network ${editedName ?? '(null)'} XML configuration edited.\n`);
      return true;
    } finally {
      removeTemp(tmp);
    }
  },
};
