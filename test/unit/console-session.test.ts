/**
 * The console's sealed sessions (src/api/console-session.ts): a session
 * survives a daemon restart (a new store with the same key, token and file),
 * ends when the token changes, at logout (also across a restart), when
 * unused too long or too old, and when too many others are in use; a
 * cookie that is not sealed with the key is no session; each end has its
 * reason for the login page.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionStore, type SessionStoreOptions } from '../../src/api/console-session.js';

let dir: string;
let clock: number;
const key = 'k'.repeat(64);
const token = 't'.repeat(64);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtnet-sessions-'));
  clock = 1_000_000;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const store = (over: SessionStoreOptions = {}): SessionStore =>
  new SessionStore({ key, token, file: join(dir, 'console-sessions'), now: () => clock, ...over });

describe('console sessions', () => {
  it('survive a restart of the daemon, with the same CSRF token', () => {
    const s = store().create();
    const after = store().get(s.id);
    expect(after?.csrf).toBe(s.csrf);
  });

  it('end when the token changes, and say so', () => {
    const s = store().create();
    const other = store({ token: 'u'.repeat(64) });
    expect(other.get(s.id)).toBeUndefined();
    expect(other.endReason(s.id)).toBe('token');
  });

  it('end at logout, also after a restart, remembered in a file only root reads', () => {
    const a = store();
    const s = a.create();
    a.delete(s.id);
    expect(a.endReason(s.id)).toBe('logout');
    expect(store().endReason(s.id)).toBe('logout');
    expect(statSync(join(dir, 'console-sessions')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'console-sessions'), 'utf8')).not.toContain(s.id);
  });

  it('end when unused too long, or too old, whatever the use', () => {
    const a = store({ idleMs: 1000, maxAgeMs: 10_000 });
    const s = a.create();
    clock += 900;
    expect(a.get(s.id)).toBeDefined();
    clock += 1001;
    expect([a.get(s.id), a.endReason(s.id)]).toEqual([undefined, 'idle']);
    const t = a.create();
    for (let i = 0; i < 12; i++) {
      clock += 900;
      a.get(t.id);
    }
    expect(a.endReason(t.id)).toBe('expired');
  });

  it('push the least recently used out when too many are in use', () => {
    const a = store({ maxSessions: 2 });
    const [x, y] = [a.create(), a.create()];
    a.get(x.id);
    const z = a.create();
    expect([a.endReason(y.id), a.get(x.id) !== undefined, a.get(z.id) !== undefined]).toEqual(['evicted', true, true]);
  });

  it('are not made up: a cookie not sealed with the key is none', () => {
    const s = store().create();
    expect(store({ key: 'j'.repeat(64) }).endReason(s.id)).toBe('invalid');
    const [v, id, issued, fp] = s.id.split('.');
    expect(store().get(`${v}.${id}.${issued}.${fp}.${'A'.repeat(22)}`)).toBeUndefined();
    expect(store().get('forged')).toBeUndefined();
    expect(store().endReason(undefined)).toBeUndefined();
  });
});
