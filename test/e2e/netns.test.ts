import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { canUseNetns, createNetns, deleteNetns, inNetns, vethBetween } from './netns.js';

const root = canUseNetns();

describe.skipIf(!root)('test namespaces', () => {
  it('are created with loopback up, connected by veth, and removed with everything inside', () => {
    const a = createNetns('fx');
    const b = createNetns('fx');
    try {
      vethBetween(a, 'ea', b, 'eb');
      inNetns(a, 'ip', ['addr', 'add', '10.250.0.1/30', 'dev', 'ea']);
      inNetns(b, 'ip', ['addr', 'add', '10.250.0.2/30', 'dev', 'eb']);
      expect(inNetns(a, 'ping', ['-c', '1', '-W', '2', '10.250.0.2'])).toContain('1 received');
    } finally {
      deleteNetns(a);
      deleteNetns(b);
    }
    const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(list).not.toContain(a);
    expect(list).not.toContain(b);
  });
});
