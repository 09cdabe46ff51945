#!/usr/bin/env node
/**
 * Regenerates the golden files of virsh's domain commands: each step of
 * each flow below is one `virsh -c test:///NODE.xml ARGS…` process, run in a
 * copy of test/golden/guests/xml, and what virsh printed (stdout, stderr,
 * exit code) is written to test/golden/guests/<flow>.json.
 *
 *   node test/golden/guests/gather.mjs            # every flow
 *   node test/golden/guests/gather.mjs attach     # some flows
 *
 * libvirt 9.0's in-process test driver stands in for a hypervisor (the
 * oracle's qemu driver is not loaded): NODE.xml, built from the `setup` of
 * the flows, holds the networks `default` and `isolated` and the running
 * guests `centos7.0` and `web` (in that order, so their ids are 1 and 2).
 * Nothing persists between processes, so every step starts from that
 * state; a step that needs more (a stopped guest, a second one) chains
 * commands with `;` in one process.
 *
 * The guest files are written the way the test driver prints them
 * (dumpxml --inactive), so they come back unchanged. They are virtnet's
 * (domain type `netns`); the copy virsh reads has the test driver's type
 * `test` instead, and the replays (test/unit/cli-guest-golden.test.ts,
 * cli-guest-driver-golden.test.ts) compare virsh's output with that one
 * substitution undone. Steps whose output only the test driver would give
 * (attaching, detaching: it has no hotplug) are not recorded here.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runVirsh } from '../virsh.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const XML_DIR = join(HERE, 'xml');

/** What every step starts from: networks (active) and guests (running), in this order. */
export const SETUP = { networks: ['default.xml', 'isolated.xml'], guests: ['centos7.0.xml', 'web.xml'] };

const C7_UUID = '11111111-2222-3333-4444-555555555555';

export const FLOWS = {
  list: {
    about:
      'list: the default, --all, --inactive, --persistent/--transient, --name/--uuid/--id, --title, -q, and what stopping, starting, defining and undefining change',
    steps: [
      ['list'],
      ['list', '--all'],
      ['list', '--inactive'],
      ['list', '--name'],
      ['list', '--uuid'],
      ['list', '--id'],
      ['list', '--all', '--title'],
      ['list', '--name', '--uuid', '--id'],
      ['list', '--all', '--name', '--id'],
      ['list', '--table', '--name'],
      ['list', '--table', '--uuid'],
      ['list', '--table', '--id'],
      ['-q', 'list', '--all'],
      ['destroy web; list; list --all; list --inactive --name; list --all --id; list --all --uuid --id'],
      ['define fedora.xml; list --all; list --persistent --name; list --inactive --persistent --name; list --all --transient'],
      ['undefine web; list --all --persistent --name; list --transient --name; destroy web; list --all'],
    ],
  },
  lifecycle: {
    about: 'define, start, destroy, undefine: their lines, by name, uuid and id, and their errors',
    steps: [
      [
        'define fedora.xml; list --all; start fedora; list; dumpxml fedora; start fedora; destroy fedora; destroy fedora; undefine fedora; list --all',
      ],
      [
        'define --file fedora.xml; start 33333333-4444-5555-6666-777777777777; destroy 33333333-4444-5555-6666-777777777777; undefine 33333333-4444-5555-6666-777777777777',
      ],
      ['destroy centos7.0; list --all; start centos7.0; list --all'],
      ['destroy 1; start 1'],
      [`destroy ${C7_UUID}; start ${C7_UUID}`],
      ['start centos7.0'],
      ['define fedora.xml; define fedora.xml; undefine fedora; undefine fedora'],
      ['undefine centos7.0; list --all; list --transient; destroy centos7.0; list --all'],
      ['define', 'malformed.xml'],
      ['define', 'no-name.xml'],
      ['define', 'bad-mac.xml'],
      ['define', 'dup-name.xml'],
      ['define', 'dup-uuid.xml'],
      ['define', 'nosuch.xml'],
      ['define'],
      ['start', 'nosuch'],
      ['destroy', 'nosuch'],
      ['undefine', 'nosuch'],
      ['start', '2'],
      ['destroy', '7'],
      ['-q', 'destroy web; start web; list --all'],
    ],
  },
  inspect: {
    about: 'dumpxml (live, --inactive, by id, uuid and name, --xpath), domiflist, domifaddr, and lookups that fail',
    steps: [
      ['dumpxml', 'centos7.0'],
      ['dumpxml', '--inactive', 'centos7.0'],
      ['dumpxml', '1'],
      ['dumpxml', '01'],
      ['dumpxml', ' 2'],
      ['dumpxml', '+2'],
      ['dumpxml', C7_UUID],
      ['dumpxml', 'web'],
      ['dumpxml', 'web', '--xpath', '//mac'],
      ['dumpxml', 'web', '--xpath', '//interface[2]', '--wrap'],
      ['dumpxml', 'nosuch'],
      ['dumpxml', '7'],
      ['dumpxml', '2 '],
      ['dumpxml', '11111111-2222-3333-4444-55555555555g'],
      ['dumpxml', '11111111222233334444555555555555'],
      ['domiflist', 'centos7.0'],
      ['domiflist', 'web'],
      ['domiflist', '--inactive', 'web'],
      ['domiflist', '2'],
      ['-q', 'domiflist', 'web'],
      ['domiflist', 'nosuch'],
      ['destroy web; domiflist web; domiflist web --inactive'],
      ['domifaddr', 'centos7.0'],
      ['domifaddr', 'centos7.0', '--full'],
      ['domifaddr', 'centos7.0', '--interface', 'c7eth0'],
      ['domifaddr', 'centos7.0', '--interface', 'nosuch'],
      ['domifaddr', 'centos7.0', '--source', 'lease'],
      ['-q', 'domifaddr', 'centos7.0'],
      ['domifaddr', 'centos7.0', '--source', 'bogus'],
      ['domifaddr', 'nosuch', '--source', 'bogus'],
      ['domifaddr', 'centos7.0', '--interface', ''],
      ['domifaddr', 'nosuch'],
      ['destroy centos7.0; domifaddr centos7.0'],
    ],
  },
  attach: {
    about: "attach-interface's device element (--print-xml), its type check, option rules and messages",
    steps: [
      ['attach-interface', 'centos7.0', 'network', 'isolated', '--print-xml'],
      ['attach-interface', '--domain', 'centos7.0', '--source', 'isolated', '--type', 'network', '--model', 'virtio', '--print-xml'],
      [
        'attach-interface',
        'centos7.0',
        'bridge',
        'br0',
        '--target',
        'tap7',
        '--mac',
        '52:54:00:11:22:33',
        '--model',
        'e1000',
        '--alias',
        'ua-web',
        '--print-xml',
      ],
      ['attach-interface', 'nosuch', 'network', 'default', '--print-xml', '--config', '--live'],
      ['-q', 'attach-interface', 'centos7.0', 'network', 'default', '--print-xml'],
      ['attach-interface', 'centos7.0', 'foo', 'default'],
      ['attach-interface', 'centos7.0', 'user', 'default', '--print-xml'],
      ['attach-interface', 'centos7.0', 'ethernet', 'x'],
      ['attach-interface', 'nosuch', 'foo', 'default'],
      ['attach-interface', 'nosuch', 'network', 'default'],
      ['attach-interface', 'nosuch', 'network', 'default', '--config'],
      ['attach-interface', 'centos7.0', 'network', 'isolated', '--config', '--live', '--current'],
      ['attach-interface', 'centos7.0', 'network', 'isolated', '--persistent', '--current'],
      ['attach-interface', 'centos7.0', 'network', 'isolated', '--current', '--config'],
      ['attach-interface', 'centos7.0', 'network', ''],
      ['attach-interface', 'centos7.0', '', 'isolated'],
      ['attach-interface', 'centos7.0', 'network', 'isolated', '--mac', ''],
      ['attach-interface', 'centos7.0', 'network', 'isolated', '--target', ''],
      ['attach-interface', 'centos7.0', 'network', 'isolated', '--model', ''],
      ['attach-interface', 'centos7.0', 'network', 'isolated', '--alias', ''],
      ['attach-interface', 'centos7.0', 'foo', 'x', '--mac', ''],
      ['attach-interface', 'centos7.0', 'network'],
      ['attach-interface', 'centos7.0'],
      ['attach-interface', '--type', 'network', '--source', 'default'],
    ],
  },
  detach: {
    about: "detach-interface: virsh's pick by type and --mac with its four messages, --print-xml, option rules",
    steps: [
      ['detach-interface', 'centos7.0', 'bridge'],
      ['detach-interface', 'web', 'bridge'],
      ['detach-interface', 'web', 'network'],
      ['detach-interface', 'web', 'bridge', '--mac', '52:54:00:00:00:99'],
      ['detach-interface', 'web', 'network', '--mac', '52:54:00:00:00:12'],
      ['detach-interface', 'web', 'bogus'],
      ['detach-interface', 'centos7.0', 'network', '--print-xml'],
      ['detach-interface', 'centos7.0', 'network', '--print-xml', '--config', '--live'],
      ['detach-interface', 'web', 'bridge', '--mac', '52:54:0:0:0:10', '--print-xml'],
      ['detach-interface', '--domain', 'web', '--type', 'bridge', '--mac', '52:54:00:00:00:11', '--print-xml', '--persistent'],
      ['-q', 'detach-interface', 'centos7.0', 'network', '--print-xml'],
      ['destroy web; detach-interface web network --config'],
      ['destroy web; detach-interface web bridge --mac 52:54:00:00:00:10 --print-xml --config'],
      ['detach-interface', 'nosuch', 'network'],
      ['detach-interface', 'nosuch', 'network', '--current', '--live'],
      ['detach-interface', 'centos7.0', 'network', '--persistent', '--current'],
      ['detach-interface', 'centos7.0', 'network', '--config', '--current'],
      ['detach-interface', 'centos7.0', ''],
      ['detach-interface', 'centos7.0', 'network', '--mac', ''],
      ['detach-interface', 'centos7.0'],
    ],
  },
};

/** A file as the test driver reads it: domain type `test`. */
const forTestDriver = (text) => text.replaceAll("<domain type='netns'", "<domain type='test'");

/** The test driver's node file: the setup's networks and guests. */
export function nodeXml() {
  const body = [...SETUP.networks, ...SETUP.guests].map((f) => forTestDriver(readFileSync(join(XML_DIR, f), 'utf8'))).join('');
  return `<node>\n${body}</node>\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = mkdtempSync(join(tmpdir(), 'vnt-guest-gather-'));
  try {
    const node = join(dir, 'node.xml');
    writeFileSync(node, nodeXml());
    const cwd = join(dir, 'xml');
    mkdirSync(cwd);
    for (const f of readdirSync(XML_DIR)) writeFileSync(join(cwd, f), forTestDriver(readFileSync(join(XML_DIR, f), 'utf8')));
    const uri = `test://${node}`;
    const wanted = process.argv.slice(2);
    for (const [name, flow] of Object.entries(FLOWS)) {
      if (wanted.length > 0 && !wanted.includes(name)) continue;
      const steps = flow.steps.map((args) => ({ args, ...runVirsh(uri, args, cwd) }));
      const file = join(HERE, `${name}.json`);
      const oracle = 'libvirt 9.0.0 (Debian 12), virsh -c test:///NODE.xml (the test driver)';
      writeFileSync(file, `${JSON.stringify({ flow: name, about: flow.about, oracle, setup: SETUP, steps }, null, 2)}\n`);
      process.stdout.write(`${name}: ${steps.length} steps -> ${file}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
