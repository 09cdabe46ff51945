/**
 * The network port golden files (virsh 9.0 against libvirt 9.0,
 * test/golden/ports/*.json, gathered by test/golden/ports/gather.mjs)
 * replayed through the CLI against the real network driver over the fake
 * runtime: every step's stdout, stderr and exit code must be virsh's once
 * uuids and MACs are normalised.
 */
import { describe, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import type { VirtnetClient } from '../../src/client/types.js';
import { startTestDriver } from '../support/network-testkit.js';
import { driverClient } from '../support/driver-client.js';
import { expectGoldenOutputs } from '../support/golden-compare.js';
import { loadPortFlows, PORT_XML_DIR, type Output } from './cli-golden-harness.js';

async function run(client: VirtnetClient, args: string[]): Promise<Output> {
  let stdout = '';
  let stderr = '';
  const rc = await runCli(args, {
    io: { out: (t) => (stdout += t), err: (t) => (stderr += t), stdinIsTTY: false },
    connect: async () => client,
    env: { PATH: process.env['PATH'] },
    cwd: PORT_XML_DIR,
  });
  return { stdout, stderr, rc };
}

describe('virsh golden files of the network port commands, through the real network driver', () => {
  for (const flow of loadPortFlows()) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      const t = await startTestDriver();
      try {
        const ours: Output[] = [];
        for (const step of flow.steps) ours.push(await run(driverClient(t.driver), step.args));
        expectGoldenOutputs(flow.steps, ours, 'virtnet');
      } finally {
        await t.dispose();
      }
    }, 30_000);
  }
});
