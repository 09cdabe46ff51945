import type { LinkOp } from '../../src/host/link-ops.js';

/** A batch that fails at its third step: bridge FRESH with 10.1.0.1/24, then bridge EXISTING again (File exists), so FRESH must be rolled back. */
export const clashingBridgeBatch = (fresh: string, existing: string): LinkOp[] => [
  { op: 'createBridge', name: fresh, stp: true, delay: 0 },
  { op: 'addAddress', dev: fresh, address: '10.1.0.1', prefix: 24 },
  { op: 'createBridge', name: existing, stp: true, delay: 0 },
];
