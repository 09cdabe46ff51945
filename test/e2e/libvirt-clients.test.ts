/**
 * Real libvirt clients against a real virtnetd (its own root, networks
 * realised in a test namespace), through the libvirt socket it serves:
 *
 * - Debian's virsh replays every golden flow (virsh 9.0 against libvirt
 *   9.0, the network port flows too) with `-c network:///system?socket=ROOT/run/libvirt/virtnetworkd-sock`:
 *   outputs identical once uuids and MACs are normalised;
 * - python3-libvirt lists, defines, starts, updates, destroys and undefines
 *   a network, creates and deletes a network port as virtqemud does,
 *   receiving lifecycle events through libvirt's default event loop;
 * - `virsh net-event --loop` sees the events virtnet's own CLI causes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GOLDEN_XML_DIR,
  PORT_FLOW_HOST_BRIDGE,
  PORT_XML_DIR,
  loadGoldenFlows,
  loadPortFlows,
  stepEnv,
  type Output,
} from '../unit/cli-golden-harness.js';
import { SYSTEM_PYTHON, VIRSH, hasPythonLibvirt, hasVirsh, runClient, socketUri, virsh } from '../support/libvirt-clients.js';
import { pollUntil } from '../support/poll.js';
import { expectGoldenOutputs } from '../support/golden-compare.js';
import { removeCliBundle, virtnet, virtnetEach } from './cli-harness.js';
import { endAllDaemons, libvirtUriOf, withFreshDaemon } from './daemon-process.js';
import { canUseNetns } from './netns.js';

const ready = canUseNetns() && hasVirsh();

/** A fresh virtnetd in a fresh namespace for `body`, with its libvirt URI. */
function withDaemon(tag: string, body: (o: { uri: string; root: string; virtnetUri: string }) => Promise<void>): Promise<void> {
  return withFreshDaemon(
    tag,
    ['--log-level', 'warn'],
    async ({ daemon, root, env }) => {
      const uri = await libvirtUriOf(daemon);
      expect(uri).toBe(socketUri(join(root, 'run/libvirt/virtnetworkd-sock')));
      await body({ uri, root, virtnetUri: env.VIRTNET_DEFAULT_URI });
    },
    // The port flows' host bridge (doctor-br.xml), which a start requires to exist.
    { hostBridge: PORT_FLOW_HOST_BRIDGE },
  );
}

describe.skipIf(!ready)('real libvirt clients through virtnetd', () => {
  afterAll(async () => {
    await endAllDaemons();
    removeCliBundle();
  });

  const flows = [
    ...loadGoldenFlows().map((flow) => ({ flow, cwd: GOLDEN_XML_DIR })),
    ...loadPortFlows().map((flow) => ({ flow, cwd: PORT_XML_DIR })),
  ];
  for (const { flow, cwd } of flows) {
    it(`virsh replays ${flow.flow}: ${flow.about}`, async () => {
      await withDaemon('lv', async ({ uri }) => {
        const ours: Output[] = [];
        for (const step of flow.steps) ours.push(await virsh(uri, step.args, { cwd, env: stepEnv(step) }));
        expectGoldenOutputs(flow.steps, ours, 'virsh');
      });
    }, 120_000);
  }

  it.skipIf(!hasPythonLibvirt())(
    'python3-libvirt manages a network and receives its lifecycle events',
    async () => {
      await withDaemon('py', async ({ uri, root }) => {
        const xml = join(root, 'pynet.xml');
        writeFileSync(
          xml,
          "<network><name>pynet</name><forward mode='nat'/><ip address='192.168.150.1' netmask='255.255.255.0'><dhcp><range start='192.168.150.2' end='192.168.150.254'/></dhcp></ip></network>\n",
        );
        const r = await runClient(SYSTEM_PYTHON, [join(import.meta.dirname, 'libvirt-python-client.py'), uri, xml], { timeoutMs: 60_000 });
        expect(r.stderr).toBe('');
        expect(r.rc).toBe(0);
        const lines = r.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        const step = (name: string) => lines.find((l) => l['step'] === name);
        expect(step('open')).toEqual({ step: 'open', type: 'network', uri, lib: 9_000_000, hostname_ok: true });
        expect(step('before')).toEqual({ step: 'before', all: [], active: [], defined: [] });
        expect(step('defined')).toMatchObject({ name: 'pynet', active: 0, persistent: 1 });
        expect(step('started')).toEqual({
          step: 'started',
          active: 1,
          bridge: 'virbr0',
          autostart: 0,
          inactive_listed: [],
          active_listed: ['pynet'],
        });
        expect(step('updated')).toEqual({ step: 'updated', live_has_host: true, config_has_host: true });
        expect(step('leases')).toEqual({ step: 'leases', leases: [] });
        const portUuid = '7a7b7c7d-0000-4000-8000-000000000001';
        expect(step('port')).toMatchObject({ uuid: portUuid, listed: [portUuid], found: portUuid });
        expect(step('port')?.['xml']).toContain("<plug type='network' bridge='virbr0'/>");
        expect(Object.values(step('port')?.['params'] as object)).toEqual([0, 0, 0, 0, 0, 0, 0]);
        expect(step('port-deleted')).toEqual({ step: 'port-deleted', listed: [] });
        expect(step('missing')).toEqual({
          step: 'missing',
          code: 43,
          domain: 19,
          message: "Network not found: no network with matching name 'no-such-network'",
        });
        expect(step('destroyed')).toEqual({ step: 'destroyed', active: 0 });
        expect(step('undefined')).toEqual({ step: 'undefined', names: [] });
        // DEFINED, STARTED, STOPPED, UNDEFINED
        expect(lines.filter((l) => 'event' in l).map((l) => l['event'])).toEqual(
          [0, 2, 3, 1].map((event) => ({ network: 'pynet', event, detail: 0 })),
        );
      });
    },
    120_000,
  );

  it('virtnet names the libvirt URI, and takes it as its own', async () => {
    await withDaemon('uri', async ({ uri, virtnetUri }) => {
      const printed = await virtnet(['uri', '--libvirt'], { env: { VIRTNET_DEFAULT_URI: virtnetUri } });
      expect(printed).toEqual({ stdout: `${uri}\n\n`, stderr: '', rc: 0 });
      expect((await virtnet(['-c', uri, 'net-define', 'isolated.xml'], { cwd: GOLDEN_XML_DIR })).rc).toBe(0);
      expect((await virsh(uri, ['net-list', '--all', '--name'])).stdout).toBe('isolated\n\n');
    });
  }, 120_000);

  it("virsh net-event --loop sees what virtnet's own CLI does", async () => {
    await withDaemon('ev', async ({ uri, virtnetUri }) => {
      const env = { VIRTNET_DEFAULT_URI: virtnetUri };
      let out = '';
      const watcher: ChildProcess = spawn(VIRSH, ['-c', uri, 'net-event', '--loop', '--event', 'lifecycle', '--timeout', '60'], {
        env: { PATH: process.env['PATH'] ?? '', LC_ALL: 'C' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      watcher.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
      const ended = new Promise<number | null>((r) => watcher.once('exit', (code) => r(code)));
      try {
        // virsh registers its callback after connecting; define and undefine a probe until it reports one.
        await pollUntil(
          async () => {
            await virtnet(['net-define', 'isolated.xml'], { cwd: GOLDEN_XML_DIR, env });
            await virtnet(['net-undefine', 'isolated'], { env });
            return out.includes('for network isolated: Defined');
          },
          { ms: 20_000, everyMs: 200, what: 'virsh net-event to report the probe' },
        );
        out = '';
        await virtnetEach(
          [
            ['net-define', 'nat.xml'],
            ['net-start', 'nat'],
            ['net-destroy', 'nat'],
            ['net-undefine', 'nat'],
          ],
          { cwd: GOLDEN_XML_DIR, env },
        );
        await pollUntil(() => out.includes('Undefined'), { ms: 10_000, everyMs: 50, what: 'the Undefined event' });
        expect(out).toBe(
          [
            "event 'lifecycle' for network nat: Defined",
            "event 'lifecycle' for network nat: Started",
            "event 'lifecycle' for network nat: Stopped",
            "event 'lifecycle' for network nat: Undefined",
            '',
          ].join('\n'),
        );
      } finally {
        watcher.kill('SIGINT');
        await Promise.race([ended, new Promise((r) => setTimeout(r, 3000))]);
        if (watcher.exitCode === null) watcher.kill('SIGKILL');
      }
    });
  }, 120_000);
});
