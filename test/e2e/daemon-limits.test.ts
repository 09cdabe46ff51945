/**
 * The real virtnetd cannot be knocked over from its read-only socket
 * (issue 10, point 6): a user who is not root (`nobody`) opens thousands of
 * connections to the 0666 socket and holds them; the daemon keeps serving
 * root on the read-write socket (a network starts, with ip, nft and its
 * processes) and stays alive. Its descriptor limit is pinned to 1024
 * (prlimit, soft = hard, so the daemon cannot raise it) to make the flood
 * a few thousand connections instead of twenty thousand.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { canUseNetns, createNetns, deleteNetns } from './netns.js';
import { endAllDaemons, startServing } from './daemon-process.js';
import { pollUntil } from '../support/poll.js';

const root = canUseNetns() && spawnSync('setpriv', ['--version']).status === 0 && spawnSync('prlimit', ['--version']).status === 0;

const FLOOD = 3000;

/** As nobody: open `count` connections to `path`, print how many are still open every 100 ms, hold them until stdin ends. */
const FLOOD_SCRIPT = `
const net = require('net');
const [path, count] = [process.argv[1], Number(process.argv[2])];
let open = 0, started = 0;
const socks = [];
function more() {
  for (let i = 0; i < 200 && started < count; i++, started++) {
    const s = net.createConnection(path);
    s.on('connect', () => open++);
    s.on('error', () => {});
    s.on('close', (hadErr) => { if (s.connectedOnce) open--; });
    s.once('connect', () => (s.connectedOnce = true));
    socks.push(s);
  }
  if (started < count) setTimeout(more, 5);
}
more();
setInterval(() => console.log('open ' + open + ' started ' + started), 100);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

describe.skipIf(!root)('virtnetd under a connection flood from nobody', () => {
  let ns: string;
  let dir: string;

  beforeAll(() => {
    ns = createNetns('fl');
    dir = mkdtempSync(join(tmpdir(), 'vnt-flood-'));
    chmodSync(dir, 0o755);
  });
  afterAll(async () => {
    await endAllDaemons();
    deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves root on the read-write socket and stays up while nobody holds thousands of read-only connections', async () => {
    const r = join(dir, 'r');
    const d = await startServing(['--root', r, '--netns', ns, '--no-libvirt-socket'], { prefix: ['prlimit', '--nofile=1024:1024'] });
    let out = '';
    const flood = spawn(
      'prlimit',
      [
        `--nofile=${FLOOD + 100}:${FLOOD + 100}`,
        'setpriv',
        '--reuid=nobody',
        '--regid=nogroup',
        '--clear-groups',
        process.execPath,
        '-e',
        FLOOD_SCRIPT,
        d.readonlySocket,
        String(FLOOD),
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const floodExited = new Promise((res) => flood.once('exit', res));
    flood.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
    const last = (): { open: number; started: number } => {
      const m = [...out.matchAll(/open (-?\d+) started (\d+)/g)].pop();
      return { open: Number(m?.[1] ?? 0), started: Number(m?.[2] ?? 0) };
    };
    try {
      await pollUntil(() => last().started === FLOOD, { ms: 60_000, everyMs: 100, what: 'the flood to start' });

      // Root still gets in, and a start (ip, nft, processes: descriptors) works.
      const c = await connect({ uri: `unix://${d.socket}` });
      await c.define(`<network><name>flood1</name><bridge name='vbr-fl1'/><ip address='192.168.171.1' netmask='255.255.255.0'/></network>`);
      await c.start('flood1');
      expect((await c.lookupByName('flood1')).active).toBe(true);
      await c.destroy('flood1');
      await c.undefine('flood1');
      await c.close();
      // Of nobody's connections, the daemon keeps at most its per-uid share.
      await pollUntil(() => last().open <= 64, {
        ms: 30_000,
        everyMs: 100,
        what: `the daemon to close nobody's connections beyond its share (open: ${last().open})`,
      });
    } finally {
      flood.stdin?.end();
      await floodExited;
    }
    // Alive, and it stops cleanly.
    expect(() => process.kill(d.pid, 0)).not.toThrow();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  }, 120_000);
});
