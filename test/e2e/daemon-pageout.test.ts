/**
 * The real virtnetd gives back its code's pages once idle (src/host/pageout.ts, issue 17): its
 * resident file-backed memory (smaps_rollup: Rss minus Anonymous) falls markedly once it has gone
 * quiet, and it still answers every request right afterwards. The daemon runs from a private copy of
 * the node binary: the kernel pages out only pages no other process maps, and this test runner (and
 * any other Node.js process on the machine) maps most of the system node's. When it cannot be done
 * (no helper, a kernel that refuses) the log says so once and the daemon works as before; with
 * --no-idle-pageout the helper is never run. From the first page-out on, node's binary carries the
 * kernel's random-read advice, so what the next requests run is read back without read-ahead.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { canUseNetns } from './netns.js';
import { daemonBundle, daemonSite, startServing, type ServingDaemon } from './daemon-process.js';
import { pollUntil } from '../support/poll.js';
import { randomReadFiles } from '../support/smaps.js';

/** The helper is compiled with the C compiler, as the build does; without one there is nothing to page out with. */
const compiler = spawnSync(process.env['CC'] ?? 'cc', ['--version']).status === 0;
/** process_madvise came with Linux 5.10. */
const [major = 0, minor = 0] = release().split('.').map(Number);
const kernel = major > 5 || (major === 5 && minor >= 10);
const root = canUseNetns() && compiler && kernel;

/** Resident file-backed memory of a process (KiB): what the page-out gives back. */
function fileRssKiB(pid: number): number {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1]);
  return field('Rss') - field('Anonymous');
}

/** Define, start, read back, list, stop and remove a network through the daemon's API. */
async function exerciseNetwork(d: ServingDaemon, name: string, bridge: string, subnet: number): Promise<void> {
  const c = await connect({ uri: `unix://${d.socket}` });
  try {
    await c.define(`<network><name>${name}</name><bridge name='${bridge}'/><ip address='192.168.${subnet}.1' netmask='255.255.255.0'/></network>`);
    await c.start(name);
    expect((await c.lookupByName(name)).active).toBe(true);
    expect(await c.getXml(name)).toContain(`<bridge name='${bridge}'`);
    expect((await c.list()).map((n) => n.name)).toContain(name);
    await c.destroy(name);
    await c.undefine(name);
    expect((await c.list()).map((n) => n.name)).not.toContain(name);
  } finally {
    await c.close();
  }
}

/** The quiet periods a daemon started with --expose-gc and --log-level debug has been through (each collects twice). */
function quietPeriods(d: ServingDaemon): number {
  return Math.floor((d.stderr().match(/"msg":"idle garbage collection"/g) ?? []).length / 2);
}

const KEEPS = "an idle virtnetd keeps its code's pages resident";

if (!compiler) console.warn('daemon-pageout: skipped, no C compiler (cc or $CC) to build virtnet-pageout');
if (!kernel) console.warn(`daemon-pageout: skipped, Linux ${release()} has no process_madvise (5.10 or later)`);
describe.skipIf(!root)('virtnetd pages out its code once idle', () => {
  const site = daemonSite('po');

  it('has markedly fewer file-backed pages resident once quiet, and answers requests right after', async () => {
    // A private node: its pages are this daemon's alone. Beside the daemon's bundle, on the repository's
    // file system: on a tmpfs /tmp its pages would be shared memory, which only swap can take.
    const node = join(dirname(await daemonBundle()), 'node');
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
    // As soon as it is quiet (virtnetd waits two quiet minutes by default).
    const d = await startServing(['--root', join(site.dir, 'r1'), '--netns', site.ns, '--idle-pageout-after', '0'], {
      node,
      nodeArgs: ['--expose-gc'],
    });
    const serving = fileRssKiB(d.pid);
    // The start was work: once quiet, the daemon pages out.
    expect(randomReadFiles(d.pid).has(realpathSync(node))).toBe(false);
    await pollUntil(() => fileRssKiB(d.pid) < serving / 2, {
      ms: 60_000,
      everyMs: 200,
      what: `virtnetd's resident file pages to fall below half of ${serving} KiB (now ${fileRssKiB(d.pid)} KiB)`,
    });
    // From the first page-out on, node's binary is read back page by page (virtnet-read-advice.node).
    expect([...randomReadFiles(d.pid)]).toEqual([realpathSync(node)]);
    await exerciseNetwork(d, 'po1', 'vbr-po1', 181);
    // Worked again: pages out again once quiet.
    const worked = fileRssKiB(d.pid);
    await pollUntil(() => fileRssKiB(d.pid) < worked, { ms: 60_000, everyMs: 200, what: 'a page-out after the requests' });
    await exerciseNetwork(d, 'po2', 'vbr-po2', 182);
    expect(d.stderr()).not.toContain(KEEPS);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  }, 120_000);

  it('says once, and works on, when the helper is missing or the kernel refuses; runs nothing with --no-idle-pageout', async () => {
    const missing = join(site.dir, 'no-such-helper');
    const gone = await startServing(['--root', join(site.dir, 'r2'), '--netns', site.ns], { prefix: ['env', `VIRTNET_PAGEOUT_HELPER=${missing}`] });
    await exerciseNetwork(gone, 'po3', 'vbr-po3', 183);
    expect(gone.stderr().split(KEEPS)).toHaveLength(2);
    expect(gone.stderr()).toContain(`VIRTNET_PAGEOUT_HELPER names ${missing}, which does not exist; ${KEEPS}`);
    gone.child.kill('SIGTERM');
    expect(await gone.exited).toBe(0);

    // A kernel without process_madvise, as the helper reports it; the stand-in notes each run.
    const runs = join(site.dir, 'runs');
    const refusing = join(site.dir, 'refusing-helper');
    writeFileSync(
      refusing,
      `#!/bin/sh\necho run >> '${runs}'\necho 'virtnet-pageout: process_madvise: ENOSYS (Function not implemented)' >&2\nexit 1\n`,
    );
    chmodSync(refusing, 0o755);
    const env = ['env', `VIRTNET_PAGEOUT_HELPER=${refusing}`];
    const debug = ['--log-level', 'debug'];
    const refused = await startServing(['--root', join(site.dir, 'r3'), '--netns', site.ns, '--idle-pageout-after', '0', ...debug], {
      prefix: env,
      nodeArgs: ['--expose-gc'],
    });
    await pollUntil(() => refused.stderr().includes(KEEPS), { ms: 60_000, everyMs: 200, what: 'the refusal to be logged' });
    expect(refused.stderr()).toContain(`this kernel has no process_madvise (Linux 5.10 or later has it); ${KEEPS}`);
    // Work, and another quiet period: not asked again, not said again.
    const before = quietPeriods(refused);
    await exerciseNetwork(refused, 'po4', 'vbr-po4', 184);
    await pollUntil(() => quietPeriods(refused) > before, { ms: 60_000, everyMs: 200, what: 'another quiet period' });
    // The page-out would come right after the period's second collection: wait for what would have followed it.
    await new Promise((r) => setTimeout(r, 1000));
    expect(readFileSync(runs, 'utf8')).toBe('run\n');
    expect(refused.stderr().split(KEEPS)).toHaveLength(2);
    await exerciseNetwork(refused, 'po5', 'vbr-po5', 185);
    refused.child.kill('SIGTERM');
    expect(await refused.exited).toBe(0);

    // By default it waits two quiet minutes: after the collections of a quiet period, the helper has not run yet.
    writeFileSync(runs, '');
    const patient = await startServing(['--root', join(site.dir, 'r5'), '--netns', site.ns, ...debug], { prefix: env, nodeArgs: ['--expose-gc'] });
    await exerciseNetwork(patient, 'po7', 'vbr-po7', 187);
    await pollUntil(() => quietPeriods(patient) >= 1, { ms: 60_000, everyMs: 200, what: 'a quiet period' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(readFileSync(runs, 'utf8')).toBe('');
    patient.child.kill('SIGTERM');
    expect(await patient.exited).toBe(0);

    // Switched off: quiet periods come and go, the helper is never run, nothing is said.
    const off = await startServing(['--root', join(site.dir, 'r4'), '--netns', site.ns, '--no-idle-pageout', ...debug], {
      prefix: env,
      nodeArgs: ['--expose-gc'],
    });
    await exerciseNetwork(off, 'po6', 'vbr-po6', 186);
    await pollUntil(() => quietPeriods(off) >= 1, { ms: 60_000, everyMs: 200, what: 'a quiet period' });
    // The page-out comes after the period's second collection: wait for what would have followed it.
    await new Promise((r) => setTimeout(r, 1000));
    expect(existsSync(runs) ? readFileSync(runs, 'utf8') : '').toBe('');
    expect(off.stderr()).not.toContain(KEEPS);
    off.child.kill('SIGTERM');
    expect(await off.exited).toBe(0);
  }, 180_000);
});
