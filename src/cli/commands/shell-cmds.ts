/**
 * The commands of the shell itself (virsh's "Virsh itself" group: help, cd,
 * echo, exit, pwd, quit, connect) and `uri`, with virsh's options, texts
 * and behaviour. None of them needs the daemon except `uri`.
 */
import { chdirSync, strerror } from './fs-helpers.js';
import { errnoText } from '../i18n/errors.js';
import type { CommandDef } from '../command.js';
import { allGroupsHelp, commandHelp, groupHelp } from '../help.js';
import { optString } from '../options.js';
import { escapeXml } from '../../xml/escape.js';

export const helpCmd: CommandDef = {
  name: 'help',
  help: 'print help',
  desc: 'Prints global help, command specific help, or help for a\n    group of related commands',
  opts: [
    {
      name: 'command',
      kind: 'string',
      help: 'Prints global help, command specific help, or help for a group of related commands',
      complete: 'command',
    },
  ],
  noConnect: true,
  async run(sh, cmd) {
    const name = cmd.raw('command');
    if (name === undefined) {
      sh.print(allGroupsHelp(sh.groups, sh.tr));
      return true;
    }
    const def = sh.findCommand(name);
    if (def) {
      sh.print(commandHelp(def, sh.tr));
      return true;
    }
    const group = sh.findGroup(name);
    if (group) {
      sh.print(groupHelp(group, sh.tr));
      return true;
    }
    sh.error(sh.t("command or command group '{name}' doesn't exist", { name }));
    return false;
  },
};

export const cdCmd: CommandDef = {
  name: 'cd',
  help: 'change the current directory',
  desc: 'Change the current directory.',
  opts: [{ name: 'dir', kind: 'string', help: 'directory to switch to (default: home or else root)', complete: 'file' }],
  noConnect: true,
  async run(sh, cmd) {
    if (!sh.interactive) {
      sh.error(sh.t('cd: command valid only in interactive mode'));
      return false;
    }
    const dir = optString(sh, cmd, 'dir') ?? sh.env['HOME'] ?? '/';
    try {
      sh.cwd = chdirSync(sh.cwd, dir);
      return true;
    } catch (err) {
      sh.error(sh.t('cd: {why}: {dir}', { why: errnoText(strerror(err), sh.tr), dir }));
      return false;
    }
  },
};

/** virBufferEscapeShell: quote for a POSIX shell only when needed. */
function shellQuote(s: string): string {
  if (s === '') return "''";
  if (!/[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/.test(s)) return s;
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** vshStringToArray: split on ',', with ',,' as a literal comma. */
function splitCommas(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ',') {
      if (s[i + 1] === ',') {
        cur += ',';
        i++;
        continue;
      }
      out.push(cur);
      cur = '';
    } else {
      cur += s[i];
    }
  }
  out.push(cur);
  return out;
}

export const echoCmd: CommandDef = {
  name: 'echo',
  help: 'echo arguments. Used for internal testing.',
  desc: 'Echo back arguments, possibly with quoting. Used for internal testing.',
  opts: [
    { name: 'shell', kind: 'bool', help: 'escape for shell use' },
    { name: 'xml', kind: 'bool', help: 'escape for XML use' },
    { name: 'split', kind: 'bool', help: "split each argument on ','; ',,' is an escape sequence" },
    { name: 'err', kind: 'bool', help: 'output to stderr' },
    { name: 'string', kind: 'argv', help: 'arguments to echo' },
  ],
  noConnect: true,
  async run(sh, cmd) {
    const words: string[] = [];
    for (const arg of cmd.argv()) {
      for (let w of cmd.has('split') ? splitCommas(arg) : [arg]) {
        if (cmd.has('xml')) w = escapeXml(w);
        if (cmd.has('shell')) w = shellQuote(w);
        words.push(w);
      }
    }
    const text = words.join(' ');
    if (cmd.has('err')) sh.error(text);
    else sh.print(text);
    return true;
  },
};

export const exitCmd: CommandDef = {
  name: 'exit',
  help: 'quit this interactive terminal',
  desc: '',
  opts: [],
  noConnect: true,
  async run(sh) {
    sh.interactive = false;
    return true;
  },
};

export const quitCmd: CommandDef = { ...exitCmd, name: 'quit' };

export const pwdCmd: CommandDef = {
  name: 'pwd',
  help: 'print the current directory',
  desc: 'Print the current directory.',
  opts: [],
  noConnect: true,
  async run(sh) {
    sh.print(`${sh.cwd}\n`);
    return true;
  },
};

export const connectCmd: CommandDef = {
  name: 'connect',
  help: '(re)connect to hypervisor',
  desc: 'Connect to local hypervisor. This is built-in command after shell start up.',
  opts: [
    { name: 'name', kind: 'string', emptyOk: true, help: 'hypervisor connection URI' },
    { name: 'readonly', kind: 'bool', help: 'read-only connection' },
  ],
  noConnect: true,
  async run(sh, cmd) {
    const name = cmd.raw('name');
    return sh.open(name === undefined || name === '' ? sh.uri : name, cmd.has('readonly'));
  },
};

/** The daemon's default socket, as a URI (what `uri` prints without -c). */
const DEFAULT_URI = 'unix:///run/virtnet/virtnetd.sock';

export const uriCmd: CommandDef = {
  name: 'uri',
  help: 'print the hypervisor canonical URI',
  desc: '',
  opts: [{ name: 'libvirt', kind: 'bool', help: 'print the URI libvirt clients (virsh, virt-manager, bindings) use for this daemon' }],
  async run(sh, cmd) {
    if (cmd.has('libvirt')) {
      const uri = await sh.client().libvirtUri?.();
      if (uri === undefined) {
        sh.error(sh.t('this virtnetd does not serve libvirt clients (it was started with --no-libvirt-socket, or a libvirt daemon owns the socket)'));
        return false;
      }
      sh.print(`${uri}\n`);
      return true;
    }
    sh.print(`${sh.uri ?? DEFAULT_URI}\n`);
    return true;
  },
};
