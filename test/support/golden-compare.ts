/**
 * The check every golden-flow replay ends with: each step's output, once uuids, MACs, the schema's
 * path and the version are normalised, is the one virsh 9.0 gave (test/golden/). Failures name the
 * step and its command line.
 */
import { expect } from 'vitest';
import { networkSchemaPath } from '../../src/conf/network/schema.js';
import { normaliseFlow, type GoldenStep, type Output } from '../unit/cli-golden-harness.js';

/** Expect `ours` (one output a step, run by `program`) to be the flow's recorded outputs. */
export function expectGoldenOutputs(steps: readonly GoldenStep[], ours: readonly Output[], program: 'virsh' | 'virtnet'): void {
  const schema = networkSchemaPath();
  const want = normaliseFlow(steps, schema);
  const got = normaliseFlow(ours, schema);
  for (let i = 0; i < steps.length; i++) {
    const label = `step ${i + 1}: ${program} ${(steps[i]?.args ?? []).join(' ')}`;
    expect({ step: label, ...got[i] }).toEqual({ step: label, ...want[i] });
  }
}
