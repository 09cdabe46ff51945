/**
 * The lab (virtnet lab start/stop): N hosts, each with its chassis
 * registered, tunnels to the others and a virtnetd that serves; stopping it
 * leaves no process, namespace or file; a start that fails half-way
 * removes what it made.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLab, stopLab } from '../../src/lab/lab.js';
import { labPrefix } from '../../src/lab/layout.js';
import { OvsdbClient } from '../../src/ovsdb/client.js';
import { select } from '../../src/ovsdb/operations.js';
import { stringOf } from '../../src/ovsdb/values.js';
import { Vswitch } from '../../src/ovn/vswitch.js';
import { endAllDaemons } from './daemon-process.js';
import { startTestLab, type LabFixture } from './lab-fixture.js';
import { canUseNetns } from './netns.js';

const root = canUseNetns();

const namespacesOf = (prefix: string): string[] =>
  readdirSync('/run/netns')
    .filter((n) => n.startsWith(`${prefix}-`))
    .sort();
/** Alive and not a zombie (a detached daemon's zombie waits for init to reap it). */
function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe.skipIf(!root)('the multi-host OVN lab', () => {
  let lab: LabFixture | undefined;
  afterAll(async () => {
    await lab?.stop();
    await endAllDaemons();
  });

  it('starts hosts that register as chassis, tunnel to each other and serve virtnetd, then removes every trace', async () => {
    lab = await startTestLab('basic', 2);
    const { layout, state } = lab;
    expect(state.ready).toBe(true);
    expect(namespacesOf(layout.prefix)).toEqual(
      [layout.central.netns, ...layout.hosts.map((h) => h.netns), layout.underlay.netns, layout.uplink.netns].sort(),
    );

    const sb = await OvsdbClient.connect(layout.central.southbound);
    const [chassis] = await sb.transact('OVN_Southbound', [select('Chassis', [], ['name', 'hostname'])]);
    sb.close();
    expect(chassis.rows.map((r) => stringOf(r.name)).sort()).toEqual(['h1', 'h2']);

    const ovs = await OvsdbClient.connect(layout.hosts[0]!.ovsDb);
    const v = new Vswitch(ovs);
    expect(await v.bridges()).toEqual(['br-ext', 'br-int', 'br-phy']);
    expect((await v.interfaces()).filter((i) => i.type === 'geneve').length).toBe(1);
    expect(await v.externalIds()).toMatchObject({
      'system-id': 'h1',
      'ovn-encap-ip': '192.0.2.11',
      'ovn-bridge-datapath-type': expect.stringMatching(/^(netdev|system)$/),
      'virtnet-overlay-mtu': '1442',
    });
    ovs.close();

    for (const i of [1, 2]) expect(await (await lab.host(i)).list()).toEqual([]);

    const pids = [...state.daemons.map((d) => d.pid), ...state.virtnetds.map((d) => d.pid)];
    expect(pids.length).toBe(3 + 3 * 2 + 2);
    const dir = layout.dir;
    await lab.stop();
    lab = undefined;
    expect(namespacesOf(layout.prefix)).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });

  it('removes what it made when a start fails half-way', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'vnt-lab-fail-'));
    const dir = join(parent, 'lab');
    try {
      const failed = await startLab({ dir, hosts: 1, virtnetd: ['/bin/false'] }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(failed?.message).toMatch(/^operation failed: lab: virtnetd of h1 exited \(1\)/);
      expect(namespacesOf(labPrefix(dir))).toEqual([]);
      expect(existsSync(dir)).toBe(false);
      // Nothing left to remove, and saying so is not an error.
      expect(await stopLab(dir)).toEqual({ ended: [], namespaces: [], removedDir: false });
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
