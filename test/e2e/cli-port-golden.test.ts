/**
 * The network port commands end to end: the golden flows (virsh 9.0's
 * output, test/golden/ports/*.json) replayed step by step with the built CLI
 * against a real virtnetd whose networks run in a test namespace; and the
 * ports a client made surviving a daemon restart (they used to live in
 * memory only).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPortFlows, PORT_FLOW_HOST_BRIDGE, PORT_XML_DIR, type Output } from '../unit/cli-golden-harness.js';
import { expectGoldenOutputs } from '../support/golden-compare.js';
import { removeCliBundle, virtnet } from './cli-harness.js';
import { endAllDaemons, startServing, withFreshDaemon } from './daemon-process.js';
import { canUseNetns } from './netns.js';

const root = canUseNetns();
const PORT_A = '5d0c7a10-0000-4000-8000-00000000000a';
const PORT_C = '5d0c7a10-0000-4000-8000-00000000000c';

describe.skipIf(!root)('virsh golden files of the network port commands, through the real CLI and virtnetd', () => {
  afterAll(async () => {
    await endAllDaemons();
    removeCliBundle();
  });

  for (const flow of loadPortFlows()) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      await withFreshDaemon(
        'pg',
        ['--log-level', 'warn', '--no-libvirt-socket'],
        async ({ env }) => {
          const ours: Output[] = [];
          for (const step of flow.steps) ours.push(await virtnet(step.args, { cwd: PORT_XML_DIR, env }));
          expectGoldenOutputs(flow.steps, ours, 'virtnet');
        },
        { hostBridge: PORT_FLOW_HOST_BRIDGE },
      );
    }, 120_000);
  }

  it('keeps the ports a client made over a daemon restart, with their XML and the network counts', async () => {
    await withFreshDaemon('pr', ['--log-level', 'warn', '--no-libvirt-socket'], async ({ daemon: first, args, env }) => {
      const cli = (...a: string[]) => virtnet(a, { cwd: PORT_XML_DIR, env });
      expect((await cli('net-create', 'doctor-nat.xml')).rc).toBe(0);
      expect((await cli('net-port-create', 'doctor-nat', 'port-a.xml')).rc).toBe(0);
      expect((await cli('net-port-create', 'doctor-nat', 'port-c.xml')).rc).toBe(0);
      const before = [
        await cli('net-port-dumpxml', 'doctor-nat', PORT_A),
        await cli('net-port-dumpxml', 'doctor-nat', PORT_C),
        await cli('net-dumpxml', 'doctor-nat'),
      ];
      expect(before[2]?.stdout).toMatch(/^<network connections='2' /);
      first.child.kill('SIGTERM');
      await first.exited;

      await startServing(args);
      const after = [
        await cli('net-port-dumpxml', 'doctor-nat', PORT_A),
        await cli('net-port-dumpxml', 'doctor-nat', PORT_C),
        await cli('net-dumpxml', 'doctor-nat'),
      ];
      expect(after).toEqual(before);
      expect((await cli('net-port-list', 'doctor-nat', '--uuid')).stdout).toBe(`${PORT_A}\n${PORT_C}\n\n`);
    });
  }, 120_000);
});
