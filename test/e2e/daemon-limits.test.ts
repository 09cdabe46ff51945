/**
 * The real virtnetd cannot be knocked over from its read-only sockets
 * (issue 10, point 6): a user who is not root (`nobody`) opens thousands of
 * connections to both 0666 sockets (the REST API's and libvirt's) and holds
 * them; the daemon keeps serving root on the read-write socket (a network
 * starts, with ip, nft and its processes) and stays alive. Its descriptor
 * limit is pinned to 1024 (prlimit, soft = hard, so the daemon cannot raise
 * it) to make the flood a few thousand connections instead of twenty
 * thousand. And a daemon started with a low soft limit raises it to the hard
 * one before it serves.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { canUseNetns } from './netns.js';
import { daemonSite, startServing } from './daemon-process.js';
import { nodeAsNobody } from '../support/as-nobody.js';
import { pollUntil } from '../support/poll.js';

const root = canUseNetns() && spawnSync('setpriv', ['--version']).status === 0 && spawnSync('prlimit', ['--version']).status === 0;

/** Connections per read-only socket. */
const FLOOD = 1500;

/** As nobody: open `count` connections to `path`, print how many are still open every 100 ms, hold them until stdin ends. */
const FLOOD_SCRIPT = `
const net = require('net');
const [path, count] = [process.argv[1], Number(process.argv[2])];
let open = 0, started = 0, peak = 0;
const socks = [];
function more() {
  for (let i = 0; i < 200 && started < count; i++, started++) {
    const s = net.createConnection(path);
    s.on('connect', () => { open++; peak = Math.max(peak, open); });
    s.on('error', () => {});
    s.on('close', (hadErr) => { if (s.connectedOnce) open--; });
    s.once('connect', () => (s.connectedOnce = true));
    socks.push(s);
  }
  if (started < count) setTimeout(more, 5);
}
more();
setInterval(() => console.log('open ' + open + ' started ' + started + ' peak ' + peak), 100);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

/** As nobody, `count` connections to `path`, held until stop(); last() is what the flooder last saw (peak: most open at once). */
function floodAsNobody(path: string, count: number): { last(): { open: number; started: number; peak: number }; stop(): Promise<unknown> } {
  let out = '';
  const flood = spawn('prlimit', [`--nofile=${count + 100}:${count + 100}`, ...nodeAsNobody(FLOOD_SCRIPT, path, String(count))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((res) => flood.once('exit', res));
  flood.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  return {
    last() {
      const m = [...out.matchAll(/open (-?\d+) started (\d+) peak (\d+)/g)].pop();
      return { open: Number(m?.[1] ?? 0), started: Number(m?.[2] ?? 0), peak: Number(m?.[3] ?? 0) };
    },
    stop() {
      flood.stdin?.end();
      return exited;
    },
  };
}

/** The soft and hard RLIMIT_NOFILE of a process. */
function openFilesOf(pid: number): { soft: number; hard: number } {
  const m = /^Max open files\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return { soft: Number(m?.[1]), hard: Number(m?.[2]) };
}

describe.skipIf(!root)('virtnetd under a connection flood from nobody', () => {
  const site = daemonSite('fl', { open: true });

  it("serves root on the read-write socket and stays up while nobody holds thousands of connections to both read-only sockets (REST and libvirt's)", async () => {
    const r = join(site.dir, 'r');
    const d = await startServing(['--root', r, '--netns', site.ns], { prefix: ['prlimit', '--nofile=1024:1024'] });
    const libvirtReadonly = join(r, 'run/libvirt/virtnetworkd-sock-ro');
    const floods = [floodAsNobody(d.readonlySocket, FLOOD), floodAsNobody(libvirtReadonly, FLOOD)];
    try {
      for (const f of floods) await pollUntil(() => f.last().started === FLOOD, { ms: 60_000, everyMs: 100, what: 'the flood to start' });

      // Root still gets in, and a start (ip, nft, processes: descriptors) works.
      const c = await connect({ uri: `unix://${d.socket}` });
      await c.define(`<network><name>flood1</name><bridge name='vbr-fl1'/><ip address='192.168.171.1' netmask='255.255.255.0'/></network>`);
      await c.start('flood1');
      expect((await c.lookupByName('flood1')).active).toBe(true);
      await c.destroy('flood1');
      await c.undefine('flood1');
      await c.close();
      // Of nobody's connections, the daemon keeps at most its per-uid share on each socket (after letting in at least that many).
      for (const [i, f] of floods.entries()) {
        expect(f.last().peak).toBeGreaterThanOrEqual(64);
        await pollUntil(() => f.last().open <= 64, {
          ms: 30_000,
          everyMs: 100,
          what: `the daemon to close nobody's connections beyond its share on ${i === 0 ? 'the REST' : "libvirt's"} read-only socket (open: ${f.last().open})`,
        });
      }
    } finally {
      await Promise.all(floods.map((f) => f.stop()));
    }
    // Alive, and it stops cleanly.
    expect(() => process.kill(d.pid, 0)).not.toThrow();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  }, 120_000);

  it('raises its soft descriptor limit to the hard one before it serves', async () => {
    const d = await startServing(['--root', join(site.dir, 'r2'), '--netns', site.ns, '--no-libvirt-socket'], {
      prefix: ['prlimit', '--nofile=256:8192'],
    });
    expect(openFilesOf(d.pid)).toEqual({ soft: 8192, hard: 8192 });
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  }, 60_000);
});
