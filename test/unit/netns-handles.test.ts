/**
 * Issue 10 point 9: where a daemon makes its guests' namespace handles.
 * The mountinfo lines are this machine's: the host's /run/netns is shared,
 * under `ip netns exec` it is a slave of the host's, under
 * `unshare -m --propagation private` it is private.
 */
import { describe, expect, it } from 'vitest';
import { placeNetnsHandles, propagationOf, type PlacementProbe } from '../../src/host/netns-handles.js';

const ROOT = '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n';
const HOST = `${ROOT}45 27 254:0 /run/netns /run/netns rw,relatime shared:1 - ext4 /dev/vda rw\n46 45 0:4 net:[4026532174] /run/netns/memx rw shared:2 - nsfs nsfs rw\n`;
const EXEC = `${ROOT}111 78 254:0 /run/netns /run/netns rw,relatime master:1 - ext4 /dev/vda rw\n`;
const PRIVATE = `${ROOT}111 78 254:0 /run/netns /run/netns rw,relatime - ext4 /dev/vda rw\n`;

function probe(own: string, others: Record<number, string>, namespaces: Record<string, string> = {}): PlacementProbe & { held: number[] } {
  const held: number[] = [];
  return {
    held,
    candidates: Object.keys(others).map(Number),
    mountinfo: async (pid) => {
      if (pid === 'self') return own;
      const text = others[pid];
      if (text === undefined) throw new Error('EACCES');
      return text;
    },
    mountNamespaceOf: async (pid) => {
      const ns = namespaces[String(pid)];
      if (ns === undefined) throw new Error('EACCES');
      return ns;
    },
    holdMountNamespace: (pid) => {
      held.push(pid);
      return `/proc/99/fd/${pid}`;
    },
  };
}

describe('propagationOf', () => {
  it('reads the /run/netns mount, or the mount above it', () => {
    expect(propagationOf(HOST)).toEqual({ kind: 'shared', group: 1, exact: true });
    expect(propagationOf(EXEC)).toEqual({ kind: 'slave', master: 1, exact: true });
    expect(propagationOf(PRIVATE)).toEqual({ kind: 'private', exact: true });
    expect(propagationOf(ROOT)).toEqual({ kind: 'private', exact: false });
    expect(propagationOf('27 1 254:0 / / rw shared:5 master:3 - ext4 /dev/vda rw\n')).toEqual({ kind: 'shared', group: 5, exact: false });
  });
});

describe('placeNetnsHandles', () => {
  it("the host's mount namespace makes them itself", async () => {
    expect(await placeNetnsHandles(probe(HOST, {}))).toEqual({ kind: 'here' });
  });

  it("under ip netns exec they are made in the master's namespace, found through the parent", async () => {
    const p = probe(EXEC, { 1: EXEC, 4242: HOST });
    expect(await placeNetnsHandles(p)).toEqual({ kind: 'enter', mountNamespace: '/proc/99/fd/4242' });
    expect(p.held).toEqual([4242]);
  });

  it('refused with the reason when no process of the master can be read, or /run/netns is private', async () => {
    const slave = await placeNetnsHandles(probe(EXEC, { 1: EXEC }));
    expect(slave).toMatchObject({ kind: 'refuse' });
    expect(slave.kind === 'refuse' && slave.why).toMatch(
      /mount namespace of its own \(was it started under `ip netns exec`\?\).*no process in the host's mount namespace/,
    );
    const priv = await placeNetnsHandles(probe(PRIVATE, { 1: HOST }, { self: 'mnt:[2]', 1: 'mnt:[1]' }));
    expect(priv.kind === 'refuse' && priv.why).toMatch(/not shared with the host's/);
  });

  it('a private /run/netns shared with the processes around us, or no /run/netns mount yet, is fine', async () => {
    expect(await placeNetnsHandles(probe(PRIVATE, { 1: PRIVATE }, { self: 'mnt:[1]', 1: 'mnt:[1]' }))).toEqual({ kind: 'here' });
    expect(await placeNetnsHandles(probe(ROOT, {}))).toEqual({ kind: 'here' });
  });
});
