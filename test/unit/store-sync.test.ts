/**
 * What the network store syncs to the disk: a definition (CONFIG) must
 * survive a power loss, so it is fsynced with its directory; a status file
 * (RUN) describes the kernel's state, which a reboot ends, so it is only
 * renamed into place (util/atomic-file.ts). fsync is counted through a
 * wrapper around node:fs's own.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { virtnetPaths } from '../../src/driver/common/paths.js';
import { NetworkStore } from '../../src/driver/network/store.js';

const synced = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fsyncSync: (fd: number) => {
      synced.count++;
      fs.fsyncSync(fd);
    },
  };
});

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('the network store on the disk', () => {
  it('syncs a definition and its directory, but only renames a status file or a port into place', () => {
    const root = mkdtempSync(join(tmpdir(), 'vnt-sync-'));
    roots.push(root);
    const store = new NetworkStore(virtnetPaths(root));
    synced.count = 0;
    store.saveConfig('n', '0b2c1c3e-5f41-4f6b-9d7e-2a1e8a6a9c10', '<network><name>n</name></network>\n');
    expect(synced.count).toBe(2);
    synced.count = 0;
    store.saveStatus('n', '0b2c1c3e-5f41-4f6b-9d7e-2a1e8a6a9c10', '<networkstatus/>\n');
    store.savePort('n', '4d3c2b1a-0000-4000-8000-000000000001', '<networkport/>\n');
    expect(synced.count).toBe(0);
    expect(readFileSync(store.statusPath('n'), 'utf8')).toContain('<networkstatus/>');
  });
});
