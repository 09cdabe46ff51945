/**
 * The network port commands end to end: the golden flows (virsh 9.0's
 * output, test/golden/ports/*.json) replayed step by step with the built CLI
 * against a real virtnetd whose networks run in a test namespace; and the
 * ports a client made surviving a daemon restart (they used to live in
 * memory only).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { networkSchemaPath } from '../../src/conf/network/schema.js';
import { loadPortFlows, normaliseFlow, PORT_FLOW_HOST_BRIDGE, PORT_XML_DIR, type Output } from '../unit/cli-golden-harness.js';
import { removeCliBundle, virtnet } from './cli-harness.js';
import { endAllDaemons, startServing } from './daemon-process.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';

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
      const ns = createNetns('pg');
      inNetns(ns, 'ip', ['link', 'add', PORT_FLOW_HOST_BRIDGE, 'type', 'bridge']);
      const dir = mkdtempSync(join(tmpdir(), 'vnt-port-golden-'));
      try {
        const d = await startServing(['--root', dir, '--netns', ns, '--log-level', 'warn', '--no-libvirt-socket']);
        const env = { VIRTNET_DEFAULT_URI: `unix://${d.socket}` };
        const ours: Output[] = [];
        for (const step of flow.steps) ours.push(await virtnet(step.args, { cwd: PORT_XML_DIR, env }));
        const schema = networkSchemaPath();
        const want = normaliseFlow(flow.steps, schema);
        const got = normaliseFlow(ours, schema);
        for (let i = 0; i < flow.steps.length; i++) {
          const label = `step ${i + 1}: virtnet ${(flow.steps[i]?.args ?? []).join(' ')}`;
          expect({ step: label, ...got[i] }).toEqual({ step: label, ...want[i] });
        }
      } finally {
        await endAllDaemons();
        deleteNetns(ns);
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }

  it('keeps the ports a client made over a daemon restart, with their XML and the network counts', async () => {
    const ns = createNetns('pr');
    const dir = mkdtempSync(join(tmpdir(), 'vnt-port-restart-'));
    try {
      const args = ['--root', dir, '--netns', ns, '--log-level', 'warn', '--no-libvirt-socket'];
      const first = await startServing(args);
      const env = { VIRTNET_DEFAULT_URI: `unix://${first.socket}` };
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
    } finally {
      await endAllDaemons();
      deleteNetns(ns);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
