/**
 * Debian's real virsh against virtnet's libvirt socket, over the real
 * network driver and the fake runtime (test/support/network-testkit.ts): every golden flow (virsh 9.0
 * against libvirt 9.0, test/golden/*.json) replayed step by step with
 * `virsh -c network:///system?socket=…` must print what virsh printed
 * against libvirt, once uuids and MACs are normalised. Skipped where virsh
 * is not installed (.ci/run installs libvirt-clients).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, it } from 'vitest';
import { expectGoldenOutputs } from '../support/golden-compare.js';
import { startLibvirtListener } from '../../src/libvirt-rpc/server.js';
import { countingRandomness, startTestDriver } from '../support/network-testkit.js';
import { GOLDEN_XML_DIR, loadGoldenFlows, stepEnv, type Output } from './cli-golden-harness.js';
import { hasVirsh, socketUri, virsh } from '../support/libvirt-clients.js';

describe.skipIf(!hasVirsh())('real virsh through the libvirt socket, over the real network driver', () => {
  for (const flow of loadGoldenFlows()) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'vnt-rpc-virsh-'));
      const t = await startTestDriver({ random: countingRandomness() });
      const listener = await startLibvirtListener({ root, driver: t.driver, version: '0.1.0', logger: pino({ level: 'silent' }) });
      try {
        const uri = socketUri(listener.socket);
        const ours: Output[] = [];
        for (const step of flow.steps) ours.push(await virsh(uri, step.args, { cwd: GOLDEN_XML_DIR, env: stepEnv(step) }));
        expectGoldenOutputs(flow.steps, ours, 'virsh');
      } finally {
        await listener.close();
        await t.dispose();
        rmSync(root, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
