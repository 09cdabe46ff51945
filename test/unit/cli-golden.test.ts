/**
 * Every golden flow (virsh 9.0's output for the tutorial flows and the
 * error cases, test/golden/*.json) replayed through the CLI against the
 * real network driver over the fake runtime: stdout, stderr and the exit code of each step must be
 * virsh's, byte for byte once uuids and MACs are normalised, under
 * LC_ALL=C with a Spanish LANG (the C locale wins).
 */
import { describe, it } from 'vitest';
import { expectGoldenOutputs } from '../support/golden-compare.js';
import { runCli } from '../../src/cli/run-cli.js';
import type { VirtnetClient } from '../../src/client/types.js';
import { driverClient } from '../support/driver-client.js';
import { countingRandomness, startTestDriver } from '../support/network-testkit.js';
import { GOLDEN_XML_DIR, loadGoldenFlows, stepEnv, type Output } from './cli-golden-harness.js';

async function run(client: VirtnetClient, args: string[], env: Record<string, string>): Promise<Output> {
  let stdout = '';
  let stderr = '';
  const rc = await runCli(args, {
    io: { out: (t) => (stdout += t), err: (t) => (stderr += t), stdinIsTTY: false },
    connect: async () => client,
    // virsh's own output whatever LANG says (LC_ALL=C wins, as with gettext).
    env: { PATH: process.env['PATH'], LC_ALL: 'C', LANG: 'es_ES.UTF-8', ...env },
    cwd: GOLDEN_XML_DIR,
  });
  return { stdout, stderr, rc };
}

describe('virsh golden files, through the real network driver', () => {
  for (const flow of loadGoldenFlows('virtnet')) {
    it(`${flow.flow}: ${flow.about}`, async () => {
      const t = await startTestDriver({ random: countingRandomness() });
      const ours: Output[] = [];
      try {
        for (const step of flow.steps) ours.push(await run(driverClient(t.driver), step.args, stepEnv(step)));
      } finally {
        await t.dispose();
      }
      expectGoldenOutputs(flow.steps, ours, 'virtnet');
    }, 20_000);
  }
});
