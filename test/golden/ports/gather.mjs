#!/usr/bin/env node
/**
 * Regenerates the golden files of virsh's network port commands
 * (net-port-list, net-port-create, net-port-dumpxml, net-port-delete): each
 * step of each flow below is one `virsh -c network:///system ARGS…` process
 * against the libvirt 9.0 oracle (../shared/anchors/libvirt), run in
 * test/golden/ports/xml, and what virsh printed (stdout, stderr, exit code)
 * is written to test/golden/ports/<flow>.json.
 *
 *   flock /work/coord/lvanchor.lock node test/golden/ports/gather.mjs
 *
 * The oracle is shared: its networks are named doctor-* (refused when one
 * is there already), have their own bridge names, and every flow removes
 * what it made, also after a failure. Port uuids are the documents' own.
 *
 * The replays: test/unit/cli-port-golden.test.ts (the real network driver
 * over the fake runtime) and test/e2e/cli-port-golden.test.ts (a real
 * virtnetd), comparing after uuids and MACs are normalised.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runVirsh } from '../virsh.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const XML_DIR = join(HERE, 'xml');
const URI = process.env.VIRSH_URI ?? 'network:///system';

const A = '5d0c7a10-0000-4000-8000-00000000000a';
const B = '5d0c7a10-0000-4000-8000-00000000000b';
const C = '5d0c7a10-0000-4000-8000-00000000000c';
const E = '5d0c7a10-0000-4000-8000-00000000000e';

export const FLOWS = {
  ports: {
    about: 'ports on a NAT network: settings from the document, its portgroup or the network, what is refused, listing, XML, deletion, a restart',
    steps: [
      ['net-define', 'doctor-nat.xml'],
      ['net-port-list', 'doctor-nat'],
      ['net-port-create', 'doctor-nat', 'port-a.xml'],
      ['net-start', 'doctor-nat'],
      ['net-port-list', 'doctor-nat'],
      ['net-port-create', 'doctor-nat', 'port-a.xml', '--validate'],
      ['net-port-create', '--network', 'doctor-nat', '--file', 'port-b.xml'],
      ['-q', 'net-port-create', 'doctor-nat', 'port-c.xml'],
      ['net-port-create', 'doctor-nat', 'port-e.xml'],
      ['net-port-create', 'doctor-nat', 'port-a.xml'],
      ['net-port-create', 'doctor-nat', 'port-floor.xml'],
      ['net-port-create', 'doctor-nat', 'port-outfloor.xml'],
      ['net-port-create', 'doctor-nat', 'port-ovs.xml'],
      ['net-port-create', 'doctor-nat', 'port-plug.xml'],
      ['net-port-create', 'doctor-nat', 'port-nouuid.xml'],
      ['net-port-create', 'doctor-nat', 'port-badmac.xml'],
      ['net-port-create', 'doctor-nat', 'port-malformed.xml'],
      ['net-port-create', 'doctor-nat', 'doctor-nat.xml'],
      ['net-port-create', 'doctor-nat', 'nosuch.xml'],
      ['net-port-create', 'nosuch', 'port-a.xml'],
      ['net-port-create', 'nosuch', 'nosuch.xml'],
      ['net-port-create', 'doctor-nat'],
      ['net-port-list', 'doctor-nat'],
      ['net-port-list', 'doctor-nat', '--uuid'],
      ['net-port-list', '--table', 'doctor-nat'],
      ['net-port-list', 'doctor-nat', '--uuid', '--table'],
      ['-q', 'net-port-list', 'doctor-nat'],
      ['net-port-list', 'nosuch'],
      ['net-port-list'],
      ['net-port-dumpxml', 'doctor-nat', A],
      ['net-port-dumpxml', 'doctor-nat', B],
      ['net-port-dumpxml', '--network', 'doctor-nat', '--port', C],
      ['net-port-dumpxml', 'doctor-nat', E],
      ['net-port-dumpxml', 'doctor-nat', A, '--xpath', '//owner/name'],
      ['net-port-dumpxml', 'doctor-nat', C, '--xpath', '//tag', '--wrap'],
      ['net-port-dumpxml', 'doctor-nat', '5d0c7a10-0000-4000-8000-000000000099'],
      ['net-port-dumpxml', 'doctor-nat', 'nonsense'],
      ['net-port-dumpxml', 'nosuch', A],
      ['net-port-dumpxml', 'doctor-nat'],
      ['net-dumpxml', 'doctor-nat'],
      ['net-port-delete', 'doctor-nat', B],
      ['net-port-delete', 'doctor-nat', B],
      ['net-port-delete', 'nosuch', B],
      ['-q', 'net-port-delete', 'doctor-nat', E],
      ['net-port-delete', 'doctor-nat'],
      ['net-port-list', 'doctor-nat', '--uuid'],
      ['net-destroy', 'doctor-nat'],
      ['net-port-list', 'doctor-nat'],
      ['net-start', 'doctor-nat'],
      ['net-port-list', 'doctor-nat', '--uuid'],
      ['net-destroy', 'doctor-nat'],
      ['net-undefine', 'doctor-nat'],
      ['help', 'net-port-list'],
      ['help', 'net-port-create'],
      ['help', 'net-port-dumpxml'],
      ['help', 'net-port-delete'],
    ],
    cleanup: ['doctor-nat'],
  },
  plugs: {
    about: 'each kind of plug: a host bridge, macvtap in vepa mode (the least used interface), passthrough (exclusive)',
    steps: [
      ['net-create', 'doctor-br.xml'],
      ['net-port-create', 'doctor-br', 'port-a.xml'],
      ['net-port-dumpxml', 'doctor-br', A],
      ['net-dumpxml', 'doctor-br'],
      ['net-destroy', 'doctor-br'],
      ['net-create', 'doctor-vepa.xml'],
      ['net-port-create', 'doctor-vepa', 'port-a.xml'],
      ['net-port-create', 'doctor-vepa', 'port-b.xml'],
      ['net-port-create', 'doctor-vepa', 'port-c.xml'],
      ['net-port-dumpxml', 'doctor-vepa', A],
      ['net-port-dumpxml', 'doctor-vepa', B],
      ['net-port-dumpxml', 'doctor-vepa', C],
      ['net-dumpxml', 'doctor-vepa'],
      ['net-port-delete', 'doctor-vepa', A],
      ['net-port-create', 'doctor-vepa', 'port-e.xml'],
      ['net-port-dumpxml', 'doctor-vepa', E, '--xpath', '//plug'],
      ['net-dumpxml', 'doctor-vepa'],
      ['net-destroy', 'doctor-vepa'],
      ['net-create', 'doctor-pass.xml'],
      ['net-port-create', 'doctor-pass', 'port-a.xml'],
      ['net-port-create', 'doctor-pass', 'port-b.xml'],
      ['net-port-dumpxml', 'doctor-pass', A, '--xpath', '//plug'],
      ['net-dumpxml', 'doctor-pass'],
      ['net-destroy', 'doctor-pass'],
    ],
    cleanup: ['doctor-br', 'doctor-vepa', 'doctor-pass'],
  },
};

const virsh = (args) => runVirsh(URI, args, XML_DIR);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  for (const [name, flow] of Object.entries(FLOWS)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    const present = virsh(['-q', 'net-list', '--all', '--name'])
      .stdout.split('\n')
      .filter((n) => flow.cleanup.includes(n.trim()));
    if (present.length > 0) {
      process.stderr.write(`gather: the oracle holds ${present.join(', ')} already\n`);
      process.exit(1);
    }
    const steps = [];
    try {
      for (const args of flow.steps) steps.push({ args, ...virsh(args) });
    } finally {
      for (const n of flow.cleanup) {
        virsh(['-q', 'net-destroy', n]);
        virsh(['-q', 'net-undefine', n]);
      }
    }
    const file = join(HERE, `${name}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ flow: name, about: flow.about, oracle: 'libvirt 9.0.0 (Debian 12), virsh -c network:///system', steps }, null, 2)}\n`,
    );
    process.stdout.write(`${name}: ${steps.length} steps -> ${file}\n`);
  }
}
