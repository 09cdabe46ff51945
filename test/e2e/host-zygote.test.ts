/**
 * dnsmasq forked from a zygote (src/host/zygote.ts): started in the bound
 * namespace like an exec'd one (pid file, identity, argv, failures with the
 * program's stderr), sharing its relocated library pages with its
 * siblings, and started the old way when the zygote cannot be had.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinuxHost } from '../../src/host/linux.js';
import type { CommandLogEntry } from '../../src/host/runner.js';
import { ZygoteRunner } from '../../src/host/zygote.js';
import { canUseNetns, createNetns, deleteNetns, netnsPids } from './netns.js';

const dir = mkdtempSync(join(tmpdir(), 'vnt-zygote-'));
const library = join(dir, 'virtnet-zygote.so');
const built =
  canUseNetns() &&
  spawnSync('cc', ['-O2', '-shared', '-fPIC', '-o', library, join(import.meta.dirname, '../../src/host/zygote/zygote.c')]).status === 0 &&
  spawnSync('dnsmasq', ['--version']).status === 0;

/** Shared_Dirty of a process (kB): pages it wrote that another process maps too. */
function sharedDirtyKiB(pid: number): number {
  return Number(/^Shared_Dirty:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]);
}

describe.skipIf(!built)('dnsmasq from a zygote', () => {
  let ns: string;
  let host: LinuxHost;
  const log: CommandLogEntry[] = [];
  const warnings: string[] = [];
  const started: number[] = [];

  beforeAll(async () => {
    ns = createNetns('zy');
    host = await LinuxHost.open({ netns: ns, zygoteLibrary: library, logger: (e) => log.push(e), onWarning: (w) => warnings.push(w) });
    await host.links.apply([
      { op: 'createBridge', name: 'vbr0', stp: false, delay: 0 },
      { op: 'addAddress', dev: 'vbr0', address: '192.168.151.1', prefix: 24 },
      { op: 'setUp', name: 'vbr0', up: true },
    ]);
  });
  afterAll(async () => {
    for (const pid of started) await host.processes.stop(pid, 'dnsmasq').catch(() => {});
    deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A conf for one dnsmasq on vbr0 (DNS off, so several can run at once). */
  const conf = (name: string, extra: string[] = []): string => {
    const path = join(dir, `${name}.conf`);
    writeFileSync(
      path,
      [`pid-file=${join(dir, `${name}.pid`)}`, 'port=0', 'interface=vbr0', 'bind-interfaces', 'except-interface=lo', ...extra, ''].join('\n'),
    );
    return path;
  };
  const start = async (name: string, extra: string[] = []): Promise<number> => {
    const argv = ['dnsmasq', `--conf-file=${conf(name, extra)}`];
    const pid = await host.processes.startDaemon({ argv, pidFile: join(dir, `${name}.pid`) });
    started.push(pid);
    return pid;
  };

  it('starts dnsmasq in the namespace with its own command line, without nsenter', async () => {
    const pid = await start('one');
    expect(netnsPids(ns)).toContain(pid);
    expect(await host.processes.isRunning(pid, 'dnsmasq')).toBe(true);
    const info = await host.processes.info(pid);
    expect(info?.exe).toMatch(/\/dnsmasq$/);
    expect(info?.argv).toEqual(['dnsmasq', `--conf-file=${join(dir, 'one.conf')}`]);
    // Started by the zygote: the log has the command as given, and no nsenter ran.
    expect(log.map((e) => e.argv[0])).toContain('dnsmasq');
    expect(log.some((e) => e.argv[0] === 'nsenter')).toBe(false);
    expect(warnings).toEqual([]);
    await host.processes.stop(pid, 'dnsmasq');
    expect(await host.processes.isRunning(pid, 'dnsmasq')).toBe(false);
  });

  it("shares the libraries' relocated pages between the dnsmasqs it starts", async () => {
    const a = await start('share-a');
    const b = await start('share-b');
    // Each exec'd dnsmasq writes ~350 KiB of relocations into private pages; forks of one zygote share them.
    expect(sharedDirtyKiB(a)).toBeGreaterThan(200);
    expect(sharedDirtyKiB(b)).toBeGreaterThan(200);
  });

  it("reports a dnsmasq that fails to start with its exit status and stderr, as an exec'd one", async () => {
    const path = conf('bad', ['interface=nosuch0', 'dhcp-range=192.168.151.10,192.168.151.20']);
    const err = await host.processes
      .startDaemon({ argv: ['dnsmasq', `--conf-file=${path}`], pidFile: join(dir, 'bad.pid') })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `internal error: Child process (dnsmasq --conf-file=${path}) unexpected exit status 2: dnsmasq: unknown interface nosuch0`,
    );
  });

  it('leaves other command lines to nsenter', async () => {
    const pidFile = join(dir, 'plain.pid');
    const argv = ['dnsmasq', `--pid-file=${pidFile}`, '--conf-file=/dev/null', '--port=0', '--interface=vbr0', '--bind-interfaces'];
    const pid = await host.processes.startDaemon({ argv, pidFile });
    started.push(pid);
    expect(log.at(-1)?.argv).toEqual(['nsenter', `--net=/run/netns/${ns}`, ...argv]);
    expect(sharedDirtyKiB(pid)).toBe(0);
  });

  it('ends the zygote once idle and removes its directory; the next start makes a new one', async () => {
    const base = mkdtempSync(join(dir, 'base-'));
    const own = new LinuxHost({ netns: ns, zygoteLibrary: library });
    const runner = new ZygoteRunner({ program: 'dnsmasq', library, netns: ns, fallback: own.runner, baseDir: base });
    const run = async (name: string): Promise<void> => {
      const r = await runner.run({ argv: ['dnsmasq', `--conf-file=${conf(name)}`], resolveOnExit: true });
      expect(r.exitCode).toBe(0);
      started.push(Number(readFileSync(join(dir, `${name}.pid`), 'utf8')));
    };
    await run('idle-a');
    expect(readdirSync(base)).toHaveLength(1);
    const deadline = Date.now() + 10_000;
    while (readdirSync(base).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(base)).toEqual([]);
    await run('idle-b');
  });

  it('starts dnsmasq as a new program, once warned, when the zygote cannot start', async () => {
    const notALibrary = join(dir, 'not-a-library.so');
    writeFileSync(notALibrary, 'not an ELF file\n');
    const own = await LinuxHost.open({ netns: ns, zygoteLibrary: notALibrary, onWarning: (w) => warnings.push(w) });
    const before = warnings.length;
    const first = await own.processes.startDaemon({ argv: ['dnsmasq', `--conf-file=${conf('fallback-a')}`], pidFile: join(dir, 'fallback-a.pid') });
    const second = await own.processes.startDaemon({ argv: ['dnsmasq', `--conf-file=${conf('fallback-b')}`], pidFile: join(dir, 'fallback-b.pid') });
    started.push(first, second);
    expect(await own.processes.isRunning(first, 'dnsmasq')).toBe(true);
    expect(await own.processes.isRunning(second, 'dnsmasq')).toBe(true);
    expect(warnings.slice(before)).toEqual(['the dnsmasq zygote did not start; starting dnsmasq as a new program each time']);
    expect(existsSync(join(dir, 'fallback-b.pid'))).toBe(true);
  });
});
