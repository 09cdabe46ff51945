/**
 * define, undefine, start and destroy: virsh's domain lifecycle commands
 * with its lines. define and start name the guest by its real name (start
 * takes a name or a UUID, not an id: a stopped guest has none); undefine
 * and destroy repeat the word the user typed. Failures print virsh's
 * summary, then the daemon's error.
 */
import type { CommandDef } from '../command.js';
import { optRequired } from '../options.js';
import { readFileAll } from './fs-helpers.js';
import { BY_NAME_OR_UUID, DOMAIN_OPT, lookupGuest } from './guest-client.js';
import { attempt, callOnFound } from './net-lifecycle.js';

export const defineCmd: CommandDef = {
  name: 'define',
  help: "define (but don't start) a domain from an XML file",
  desc: 'Define a domain.',
  opts: [{ name: 'file', kind: 'data', required: true, help: 'file containing an XML domain description', complete: 'file' }],
  async run(sh, cmd) {
    const from = optRequired(sh, cmd, 'file');
    const xml = readFileAll(sh.cwd, from);
    return attempt(
      sh,
      sh.t('Failed to define domain from {file}', { file: from }),
      () => sh.client().guestDefine(xml),
      (dom) => sh.printExtra(sh.t("Domain '{domain}' defined from {file}\n", { domain: dom.name, file: from })),
    );
  },
};

export const undefineCmd: CommandDef = {
  name: 'undefine',
  help: 'undefine a domain',
  desc: 'Undefine an inactive domain, or convert persistent to transient.',
  opts: [DOMAIN_OPT],
  async run(sh, cmd) {
    return callOnFound(
      sh,
      await lookupGuest(sh, cmd),
      'domain',
      "Failed to undefine domain '{domain}'",
      "Domain '{domain}' has been undefined\n",
      (name) => sh.client().guestUndefine(name),
    );
  },
};

export const startCmd: CommandDef = {
  name: 'start',
  help: 'start a (previously defined) inactive domain',
  desc: 'Start a domain.',
  opts: [{ ...DOMAIN_OPT, help: 'name of the inactive domain', completeFilter: { inactive: true } }],
  async run(sh, cmd) {
    const dom = await lookupGuest(sh, cmd, BY_NAME_OR_UUID);
    if (!dom) return false;
    const name = dom.info.name;
    if (dom.info.active) {
      sh.error(sh.t('Domain is already active'));
      return false;
    }
    return attempt(
      sh,
      sh.t("Failed to start domain '{domain}'", { domain: name }),
      () => sh.client().guestStart(name),
      () => sh.printExtra(sh.t("Domain '{domain}' started\n", { domain: name })),
    );
  },
};

export const destroyCmd: CommandDef = {
  name: 'destroy',
  help: 'destroy (stop) a domain',
  desc: 'Forcefully stop a given domain, but leave its resources intact.',
  opts: [{ ...DOMAIN_OPT, completeFilter: { active: true } }],
  async run(sh, cmd) {
    return callOnFound(sh, await lookupGuest(sh, cmd), 'domain', "Failed to destroy domain '{domain}'", "Domain '{domain}' destroyed\n", (name) =>
      sh.client().guestDestroy(name),
    );
  },
};
