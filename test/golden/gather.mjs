#!/usr/bin/env node
/**
 * Regenerates the golden files of virsh's output: each flow below is run,
 * step by step, with the real virsh against the libvirt 9.0 oracle
 * (../shared/anchors/libvirt, URI network:///system), and what virsh printed
 * (stdout, stderr, exit code) is written to test/golden/<flow>.json.
 *
 *   node test/golden/gather.mjs            # every flow
 *   node test/golden/gather.mjs nat errors # some flows
 *
 * Steps run with test/golden/xml as the working directory, so file names in
 * the output are the relative names the steps use. net-edit steps set
 * $VISUAL to one of the scripts in test/golden/editors. The oracle must hold
 * no network when a flow starts (bridge names depend on it); every flow
 * removes what it made, and a failed run cleans up by name.
 *
 * The test (test/unit/cli-golden.test.ts) replays the same steps through the
 * CLI against the real network driver over the fake runtime, and test/e2e/cli-golden.test.ts against a
 * real virtnetd, comparing after uuids and MACs are normalised.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runVirsh } from './virsh.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const XML_DIR = join(HERE, 'xml');
const EDITORS = join(HERE, 'editors');
const URI = process.env.VIRSH_URI ?? 'network:///system';

/** A step: the virsh arguments after `-c URI`, and optionally an editor script. */
const s = (args, editor) => (editor ? { args, editor } : { args });

/** Every flow: its steps, and the networks to remove afterwards (not recorded). */
export const FLOWS = {
  isolated: {
    about: 'an isolated network with DHCP: define, inspect, start, autostart, edit, stop, undefine',
    steps: [
      s(['net-define', 'isolated.xml']),
      s(['net-dumpxml', 'isolated']),
      s(['net-list', '--all']),
      s(['net-list']),
      s(['net-start', 'isolated']),
      s(['net-info', 'isolated']),
      s(['net-list']),
      s(['net-dumpxml', 'isolated']),
      s(['net-autostart', 'isolated']),
      s(['net-list', '--all', '--autostart']),
      s(['net-info', 'isolated']),
      s(['net-edit', 'isolated'], 'shrink-range.sh'),
      s(['net-dumpxml', '--inactive', 'isolated']),
      s(['net-dumpxml', 'isolated']),
      s(['net-edit', 'isolated'], 'keep.sh'),
      s(['net-autostart', '--disable', 'isolated']),
      s(['net-destroy', 'isolated']),
      s(['net-list', '--all']),
      s(['net-dumpxml', 'isolated']),
      s(['net-undefine', 'isolated']),
      s(['net-list', '--all']),
    ],
    cleanup: ['isolated'],
  },
  routed: {
    about: 'a routed network: define, start, inspect by name and uuid, stop, undefine',
    steps: [
      s(['net-define', '--file', 'routed.xml']),
      s(['net-dumpxml', 'routed']),
      s(['net-start', '--network', 'routed']),
      s(['net-list', '--name']),
      s(['net-list', '--all', '--persistent']),
      s(['net-list', '--transient']),
      s(['net-info', 'routed']),
      s(['net-dumpxml', 'routed']),
      s(['net-autostart', 'routed']),
      s(['net-list', '--all', '--no-autostart']),
      s(['net-list', '--all', '--autostart', '--name']),
      s(['net-edit', 'routed'], 'shrink-range.sh'),
      s(['net-dumpxml', 'routed', '--inactive']),
      s(['net-destroy', 'routed']),
      s(['net-list', '--inactive']),
      s(['net-dumpxml', 'routed']),
      s(['net-undefine', 'routed']),
    ],
    cleanup: ['routed'],
  },
  nat: {
    about: 'a NAT network with a static host: live XML, leases, net-update in every target, edit, stop, undefine',
    steps: [
      s(['net-define', 'nat.xml']),
      s(['net-dumpxml', 'nat']),
      s(['net-start', 'nat']),
      s(['net-dumpxml', 'nat']),
      s(['net-dumpxml', 'nat', '--inactive']),
      s(['net-info', 'nat']),
      s(['net-dhcp-leases', 'nat']),
      s(['net-dhcp-leases', 'nat', '--mac', '52:54:00:00:00:01']),
      s(['net-dhcp-leases', 'nat', '--mac', 'zz:zz']),
      s(['net-update', 'nat', 'add', 'ip-dhcp-host', 'dhcp-host.xml', '--live', '--config']),
      s(['net-dumpxml', 'nat']),
      s(['net-update', 'nat', 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:03' name='vm3' ip='192.168.120.12'/>", '--config']),
      s(['net-dumpxml', 'nat', '--inactive']),
      s(['net-update', 'nat', 'delete', 'ip-dhcp-host', "<host mac='52:54:00:00:00:03'/>"]),
      s(['net-update', 'nat', 'delete', 'ip-dhcp-host', "<host mac='52:54:00:00:00:03'/>", '--config']),
      s(['net-update', 'nat', 'modify', 'ip-dhcp-host', "<host mac='52:54:00:00:00:02' name='vm2b' ip='192.168.120.21'/>", '--live']),
      s(['net-update', 'nat', 'add-first', 'dns-host', "<host ip='192.168.120.50'><hostname>web</hostname></host>", '--current']),
      s([
        'net-update',
        '--network',
        'nat',
        '--command',
        'add-last',
        '--section',
        'ip-dhcp-range',
        '--xml',
        "<range start='192.168.120.2' end='192.168.120.254'/>",
      ]),
      s(['net-update', 'nat', 'add', 'bridge', "<bridge name='virbr9'/>"]),
      s(['net-update', 'nat', 'add', 'nosuch', '<host/>']),
      s(['net-update', 'nat', 'append', 'ip-dhcp-host', '<host/>']),
      s(['net-update', 'nat', 'add', 'ip-dhcp-host', "<range start='192.168.120.2' end='192.168.120.9'/>"]),
      s(['net-update', 'nat', 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:04' ip='192.168.120.13'/>", '--parent-index', '1']),
      s(['net-update', 'nat', 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:04' ip='192.168.120.13'/>", '--parent-index', 'x']),
      s(['net-update', 'nat', 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:04' ip='192.168.120.13'/>", '--current', '--live']),
      s(['net-update', 'nat', 'add', 'ip-dhcp-host', 'nosuch-file.xml']),
      s(['net-dumpxml', 'nat', '--xpath', '//host']),
      s(['net-dumpxml', 'nat', '--xpath', '//dhcp/host[1]/@name']),
      s(['net-dumpxml', 'nat', '--xpath', '//range', '--wrap']),
      s(['net-dumpxml', 'nat', '--xpath', '//nothing', '--wrap']),
      s(['net-dumpxml', 'nat', '--xpath', 'count(//host)']),
      s(['net-edit', 'nat'], 'shrink-range.sh'),
      s(['net-destroy', 'nat']),
      s(['net-update', 'nat', 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:05' ip='192.168.120.14'/>", '--live']),
      s(['net-update', 'nat', 'delete', 'ip-dhcp-host', 'dhcp-host.xml']),
      s(['net-dumpxml', 'nat']),
      s(['net-undefine', 'nat']),
    ],
    cleanup: ['nat'],
  },
  transient: {
    about: 'a transient network: create, inspect, what it refuses, destroy (it vanishes)',
    steps: [
      s(['net-create', 'transient.xml']),
      s(['net-list', '--all']),
      s(['net-list', '--transient']),
      s(['net-list', '--persistent']),
      s(['net-info', 'transient']),
      s(['net-dumpxml', 'transient']),
      s(['net-dumpxml', 'transient', '--inactive']),
      s(['net-autostart', 'transient']),
      s(['net-undefine', 'transient']),
      s(['net-update', 'transient', 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:06' ip='192.168.130.10'/>", '--config']),
      s(['net-create', 'transient.xml']),
      s(['net-destroy', 'transient']),
      s(['net-list', '--all']),
      s(['net-info', 'transient']),
    ],
    cleanup: ['transient'],
  },
  persistence: {
    about: 'undefining a running network makes it transient; destroying it then removes it',
    steps: [
      s(['net-define', 'isolated.xml']),
      s(['net-start', 'isolated']),
      s(['net-define', 'isolated.xml']),
      s(['net-undefine', 'isolated']),
      s(['net-info', 'isolated']),
      s(['net-list', '--all']),
      s(['net-define', 'isolated.xml']),
      s(['net-info', 'isolated']),
      s(['net-undefine', 'isolated']),
      s(['net-destroy', 'isolated']),
      s(['net-list', '--all']),
    ],
    cleanup: ['isolated'],
  },
  errors: {
    about:
      'duplicate name, already active, not active, unknown network, malformed XML, bad forward mode, DHCP range outside the subnet, overlapping subnet',
    steps: [
      s(['net-define', 'isolated.xml']),
      s(['net-define', 'dup-name.xml']),
      s(['net-start', 'isolated']),
      s(['net-start', 'isolated']),
      s(['net-create', 'isolated.xml']),
      s(['net-destroy', 'isolated']),
      s(['net-destroy', 'isolated']),
      s(['net-info', 'nosuch']),
      s(['net-start', 'nosuch']),
      s(['net-dumpxml', 'nosuch']),
      s(['net-undefine', 'nosuch']),
      s(['net-autostart', 'nosuch', '--disable']),
      s(['net-uuid', 'nosuch']),
      s(['net-name', 'nosuch']),
      s(['net-name', '00000000-0000-0000-0000-000000000000']),
      s(['net-name', '0000000g-0000-0000-0000-000000000000']),
      s(['net-info', '00000000-0000-0000-0000-000000000000']),
      s(['net-define', 'malformed.xml']),
      s(['net-create', 'malformed.xml']),
      s(['net-define', 'bad-forward.xml']),
      s(['net-define', 'dhcp-outside.xml']),
      s(['net-define', 'no-name.xml']),
      s(['net-define', 'wrong-root.xml']),
      s(['net-define', 'nosuch-file.xml']),
      s(['net-define', '--validate', 'schema-invalid.xml']),
      s(['net-create', 'schema-invalid.xml', '--validate']),
      s(['net-define', 'overlap-a.xml', '--validate']),
      s(['net-define', 'overlap-b.xml']),
      s(['net-start', 'overlapa']),
      s(['net-start', 'overlapb']),
      s(['net-destroy', 'overlapa']),
      s(['net-start', 'overlapb']),
      s(['net-edit', 'overlapa'], 'break-name.sh'),
      s(['net-destroy', 'overlapb']),
      s(['net-undefine', 'overlapa']),
      s(['net-undefine', 'overlapb']),
      s(['net-undefine', 'isolated']),
    ],
    cleanup: ['isolated', 'overlapa', 'overlapb', 'broken', 'badforward', 'dhcpoutside', 'wrongroot', 'schemainvalid'],
  },
  quiet: {
    about: 'the same commands with -q: no trailing blank line, no success messages, tables without headers',
    steps: [
      s(['-q', 'net-define', 'isolated.xml']),
      s(['-q', 'net-list', '--all']),
      s(['-q', 'net-start', 'isolated']),
      s(['-q', 'net-info', 'isolated']),
      s(['-q', 'net-list', '--name']),
      s(['-q', 'net-uuid', 'isolated']),
      s(['-q', 'net-autostart', 'isolated']),
      s(['-q', 'net-dhcp-leases', 'isolated']),
      s(['-q', 'net-start', 'isolated']),
      s(['-q', 'net-edit', 'isolated'], 'keep.sh'),
      s(['-q', 'net-destroy', 'isolated']),
      s(['-q', 'net-undefine', 'isolated']),
      s(['-q', 'net-list', '--all']),
    ],
    cleanup: ['isolated'],
  },
  chain: {
    about: 'several commands in one argument, separated by semicolons, as one process',
    steps: [
      s(['net-define isolated.xml; net-start isolated; net-list; net-destroy isolated; net-undefine isolated']),
      s(['net-start nosuch; net-list --all']),
      s(['net-list --all; net-start nosuch']),
      s(['net-list; exit; net-list']),
      s(["echo 'a b' \"c;d\" e\\ f; echo --shell 'x y'; echo --xml '<a>'"]),
      s(['net-list --all; nosuch']),
    ],
    cleanup: ['isolated'],
  },
  parser: {
    about: "vsh's parser: options by position or by name, --opt=value, and its messages",
    steps: [
      s(['nosuch']),
      s(['net-list', '--bogus']),
      s(['net-start']),
      s(['net-update', 'x', 'add']),
      s(['net-start', 'a', 'b']),
      s(['net-start', '--network']),
      s(['net-start', '--network=']),
      s(['net-start', '']),
      s(['net-list', '--all=yes']),
      s(['net-start', '--network', 'a', '--network', 'b']),
      s(['net-list', '--name', '--uuid']),
      s(['net-list', '--table', '--name']),
      s(['net-info', '--network=nosuch']),
      s(['net-info', '--', '--nosuch']),
      s(['net-event', '--timeout', '0', '--event', 'lifecycle']),
      s(['net-event', '--event', 'bogus']),
      s(['net-event']),
      s(['net-event', '--list']),
      s(['net-event', '--event', 'lifecycle', '--timeout', '1']),
      s(['--bogus']),
      s(['-z']),
      s(['-c']),
      s(['--version']),
      s(['-v']),
      s(['net-list', '-h']),
      s(['cd', '/tmp']),
      s(['echo', 'a', 'b c']),
    ],
    cleanup: [],
  },
  help: {
    about: 'help CMD and CMD --help in vsh layout',
    steps: [
      s(['help', 'net-define']),
      s(['net-start', '--help']),
      s(['help', 'net-create']),
      s(['help', 'net-destroy']),
      s(['help', 'net-undefine']),
      s(['help', 'net-autostart']),
      s(['help', 'net-edit']),
      s(['help', 'net-dumpxml']),
      s(['help', 'net-info']),
      s(['help', 'net-uuid']),
      s(['help', 'net-name']),
      s(['help', 'net-update']),
      s(['help', 'net-dhcp-leases']),
      s(['help', 'net-event']),
      s(['help', 'help']),
      s(['help', 'echo']),
      s(['help', 'exit']),
      s(['help', 'nosuch']),
      s(['-q', 'help', 'net-info']),
      s(['net-info', '--help', '--bogus']),
    ],
    cleanup: [],
  },
};

const virsh = (args, env = {}) => runVirsh(URI, args, XML_DIR, env);

function listAll() {
  return virsh(['-q', 'net-list', '--all', '--name'])
    .stdout.split('\n')
    .filter((l) => l.trim() !== '');
}

function cleanup(names) {
  for (const n of names) {
    virsh(['-q', 'net-destroy', n]);
    virsh(['-q', 'net-undefine', n]);
  }
}

const wanted = process.argv.slice(2);
for (const [name, flow] of Object.entries(FLOWS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const present = listAll();
  if (present.length > 0) {
    process.stderr.write(`gather: the oracle holds networks (${present.join(', ')}); a flow must start from none\n`);
    process.exit(1);
  }
  const steps = [];
  try {
    for (const step of flow.steps) {
      const env = step.editor ? { VISUAL: join(EDITORS, step.editor), EDITOR: join(EDITORS, step.editor) } : {};
      steps.push({ ...step, ...virsh(step.args, env) });
    }
  } finally {
    cleanup(flow.cleanup);
  }
  const file = join(HERE, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ flow: name, about: flow.about, oracle: 'libvirt 9.0.0 (Debian 12), virsh -c network:///system', steps }, null, 2)}\n`,
  );
  process.stdout.write(`${name}: ${steps.length} steps -> ${file}\n`);
}
