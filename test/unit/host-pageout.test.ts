/**
 * The idle page-out's runner (src/host/pageout.ts), with stand-in helpers (shell scripts written
 * here): a missing helper or a kernel that refuses is said once, in words, and nothing fails; a helper
 * that works is run once per call, never twice at a time. The read advice is given once, when the first
 * page-out has started; the real addon, compiled here, marks node's binary for random reads.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReadAdvice, nodeHeadersDir } from '../../scripts/build-native.mjs';
import { findPageoutHelper, findReadAdviceAddon, loadReadAdvice, SelfPageout } from '../../src/host/pageout.js';
import { randomReadFiles } from '../support/smaps.js';

const dir = mkdtempSync(join(tmpdir(), 'vnt-pageout-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let scripts = 0;
/** A stand-in helper that notes each run (its arguments) in its own file, then runs `body`. */
function helper(body: string): { path: string; runs: () => string[] } {
  const path = join(dir, `helper-${++scripts}`);
  const log = `${path}.runs`;
  writeFileSync(path, `#!/bin/sh\necho "$@" >> '${log}'\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, runs: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

const KEEPS = "an idle virtnetd keeps its code's pages resident (it works the same, with a larger RSS)";
const READ_AHEAD = "virtnetd's code paged out when idle is read back with read-ahead (a few MiB more resident after the next burst of requests)";

describe('findPageoutHelper', () => {
  it('finds the built helper, is switched off by VIRTNET_PAGEOUT_HELPER set empty, and says when it is missing', () => {
    const built = join(dir, 'virtnet-pageout');
    writeFileSync(built, '');
    expect(findPageoutHelper({}, [join(dir, 'nowhere'), dir])).toEqual({ path: built });
    expect(findPageoutHelper({ VIRTNET_PAGEOUT_HELPER: '' }, [dir])).toEqual({ off: true });
    expect(findPageoutHelper({ VIRTNET_PAGEOUT_HELPER: join(dir, 'gone') }, [dir])).toEqual({
      missing: `VIRTNET_PAGEOUT_HELPER names ${join(dir, 'gone')}, which does not exist`,
    });
    expect(findPageoutHelper({}, [join(dir, 'nowhere')])).toEqual({
      missing: 'virtnet-pageout was not built (npm run build makes it with a C compiler, cc or $CC)',
    });
    rmSync(built);
  });
});

describe('SelfPageout', () => {
  it('says once that there is no helper, and then does nothing', async () => {
    const said: string[] = [];
    const pageout = new SelfPageout({ helper: { missing: 'virtnet-pageout was not built' }, onUnavailable: (m) => said.push(m) });
    expect(pageout.available).toBe(false);
    await pageout.pageOut();
    await pageout.pageOut();
    expect(said).toEqual([`virtnet-pageout was not built; ${KEEPS}`]);
  });

  it('says nothing when switched off', async () => {
    const said: string[] = [];
    const pageout = new SelfPageout({ helper: { off: true }, onUnavailable: (m) => said.push(m) });
    await pageout.pageOut();
    expect(pageout.available).toBe(false);
    expect(said).toEqual([]);
  });

  it.each([
    ['process_madvise', 'ENOSYS', 'Function not implemented', 'this kernel has no process_madvise (Linux 5.10 or later has it)'],
    ['process_madvise', 'EINVAL', 'Invalid argument', 'this kernel does not take MADV_PAGEOUT (Linux 5.4 or later does)'],
    [
      'process_madvise',
      'EPERM',
      'Operation not permitted',
      'the kernel refused process_madvise (EPERM: it needs CAP_SYS_NICE and ptrace access to virtnetd)',
    ],
    ['pidfd_open', 'ENOSYS', 'Function not implemented', 'this kernel has no pidfd_open (Linux 5.3 or later has it)'],
    ['/proc/1/maps', 'EOTHER', 'Bad things', 'virtnet-pageout: /proc/1/maps: Bad things'],
  ])('a kernel that refuses (%s %s) is said once, in words, and the helper is not run again', async (step, errno, text, words) => {
    const stub = helper(`echo 'virtnet-pageout: ${step}: ${errno} (${text})' >&2\nexit 1`);
    const said: string[] = [];
    const pageout = new SelfPageout({ helper: { path: stub.path }, onUnavailable: (m) => said.push(m) });
    await pageout.pageOut();
    await pageout.pageOut();
    expect(said).toEqual([`${words}; ${KEEPS}`]);
    expect(stub.runs()).toHaveLength(1);
    expect(pageout.available).toBe(false);
  });

  it('a helper that cannot be run (not executable) is said once', async () => {
    const path = join(dir, 'not-executable');
    writeFileSync(path, '#!/bin/sh\n');
    const said: string[] = [];
    const pageout = new SelfPageout({ helper: { path }, onUnavailable: (m) => said.push(m) });
    await pageout.pageOut();
    await pageout.pageOut();
    expect(said).toEqual([`cannot run ${path}: EACCES; ${KEEPS}`]);
  });

  it('runs a working helper on this process with the delay, once per call and never twice at a time', async () => {
    const stub = helper('sleep 0.2; echo "paging out $1"');
    let started = 0;
    const said: string[] = [];
    const pageout = new SelfPageout({ helper: { path: stub.path }, delayMs: 1000, onUnavailable: (m) => said.push(m), onStarted: () => started++ });
    await Promise.all([pageout.pageOut(), pageout.pageOut()]);
    await pageout.pageOut();
    expect(stub.runs()).toEqual([`${process.pid} 1000`, `${process.pid} 1000`]);
    expect(started).toBe(2);
    expect(said).toEqual([]);
    expect(pageout.available).toBe(true);
  });
});

describe('the read advice', () => {
  /** A stand-in advice that counts its calls. */
  function counted(): { advice: { fn: () => number }; calls: () => number } {
    let calls = 0;
    return { advice: { fn: () => ++calls }, calls: () => calls };
  }

  it('is given once, when the first page-out has started, and not before', async () => {
    const stub = helper('echo "paging out $1"');
    const { advice, calls } = counted();
    const said: string[] = [];
    const pageout = new SelfPageout({ helper: { path: stub.path }, readAdvice: advice, onUnavailable: (m) => said.push(m) });
    expect(calls()).toBe(0);
    await pageout.pageOut();
    expect(calls()).toBe(1);
    await pageout.pageOut();
    expect(calls()).toBe(1);
    expect(stub.runs()).toHaveLength(2);
    expect(said).toEqual([]);
  });

  it('is not given when no page-out could start', async () => {
    const stub = helper(`echo 'virtnet-pageout: process_madvise: ENOSYS (Function not implemented)' >&2\nexit 1`);
    const { advice, calls } = counted();
    const pageout = new SelfPageout({ helper: { path: stub.path }, readAdvice: advice, onUnavailable: () => undefined });
    await pageout.pageOut();
    expect(calls()).toBe(0);
  });

  it('says once why it is missing, only where a page-out can be done; nothing when switched off', async () => {
    const stub = helper('echo "paging out $1"');
    const said: string[] = [];
    const missing = { none: 'virtnet-read-advice.node was not built' };
    const pageout = new SelfPageout({ helper: { path: stub.path }, readAdvice: missing, onUnavailable: (m) => said.push(m) });
    await pageout.pageOut();
    await pageout.pageOut();
    expect(said).toEqual([`virtnet-read-advice.node was not built; ${READ_AHEAD}`]);

    const without: string[] = [];
    new SelfPageout({ helper: { off: true }, readAdvice: missing, onUnavailable: (m) => without.push(m) });
    const off: string[] = [];
    await new SelfPageout({ helper: { path: stub.path }, readAdvice: { off: true }, onUnavailable: (m) => off.push(m) }).pageOut();
    expect([without, off]).toEqual([[], []]);
  });

  it('an advice the kernel refuses is said once, and the page-outs go on', async () => {
    const stub = helper('echo "paging out $1"');
    const said: string[] = [];
    const refused = {
      fn: (): number => {
        throw new Error('madvise failed: Invalid argument');
      },
    };
    const pageout = new SelfPageout({ helper: { path: stub.path }, readAdvice: refused, onUnavailable: (m) => said.push(m) });
    await pageout.pageOut();
    await pageout.pageOut();
    expect(said).toEqual([`cannot advise random reads: madvise failed: Invalid argument; ${READ_AHEAD}`]);
    expect(stub.runs()).toHaveLength(2);
    expect(pageout.available).toBe(true);
  });

  it('is found where the build puts it, switched off by VIRTNET_READ_ADVICE set empty, and says when it is missing', () => {
    expect(loadReadAdvice(findReadAdviceAddon({ VIRTNET_READ_ADVICE: '' }, [dir]))).toEqual({ off: true });
    expect(loadReadAdvice(findReadAdviceAddon({}, [join(dir, 'nowhere')]))).toEqual({
      none: 'virtnet-read-advice.node was not built (npm run build makes it with a C compiler, cc or $CC)',
    });
    const junk = join(dir, 'junk', 'virtnet-read-advice.node');
    mkdirSync(join(dir, 'junk'));
    writeFileSync(junk, 'not a shared object');
    expect(loadReadAdvice(findReadAdviceAddon({}, [join(dir, 'junk')]))).toMatchObject({ none: expect.stringContaining(`cannot load ${junk}`) });
  });

  const compiler = spawnSync(process.env['CC'] ?? 'cc', ['--version']).status === 0 && existsSync(join(nodeHeadersDir(), 'node_api.h'));
  it.skipIf(!compiler)("the real addon marks node's binary, and only it, for random reads in this process", () => {
    const built = join(dir, 'virtnet-read-advice.node');
    expect(buildReadAdvice(built)).toEqual({ built: true });
    const loaded = loadReadAdvice(findReadAdviceAddon({}, [dir]));
    if (!('fn' in loaded)) throw new Error(`the addon did not load: ${JSON.stringify(loaded)}`);
    expect(randomReadFiles('self').has(realpathSync(process.execPath))).toBe(false);
    expect(loaded.fn()).toBeGreaterThan(0);
    expect([...randomReadFiles('self')]).toEqual([realpathSync(process.execPath)]);
  });
});
