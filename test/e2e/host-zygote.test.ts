/**
 * dnsmasq forked from a zygote (src/host/zygote.ts): started in the bound
 * namespace like an exec'd one (pid file, identity, argv, failures with the
 * program's stderr), sharing its relocated library pages with its
 * siblings, and started the old way, with the reason in the log, whenever
 * the zygote cannot be had: no library, a library that does not load, a
 * dnsmasq that is not dynamically linked or never answers, a zygote that
 * dies, a job it cannot start, LD_PRELOAD set. No start fails for it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../support/poll.js';
import { ForkServerRunner } from '../../src/host/fork-server.js';
import { LinuxHost } from '../../src/host/linux.js';
import type { CommandLogEntry } from '../../src/host/runner.js';
import { findZygoteLibrary, ZygoteRunner } from '../../src/host/zygote.js';
import { canUseNetns, netnsPids } from './netns.js';
import { hostSite } from './host-site.js';

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
  const log: CommandLogEntry[] = [];
  const warnings: string[] = [];
  const site = hostSite('zy', {
    host: { zygoteLibrary: library, logger: (e) => log.push(e), onWarning: (w) => warnings.push(w) },
    bridge: { name: 'vbr0', address: '192.168.151.1' },
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    const pid = await site.host.processes.startDaemon({ argv, pidFile: join(dir, `${name}.pid`) });
    site.dnsmasqs.push(pid);
    return pid;
  };

  it('starts dnsmasq in the namespace with its own command line, without nsenter', async () => {
    const pid = await start('one');
    expect(netnsPids(site.ns)).toContain(pid);
    expect(await site.host.processes.isRunning(pid, 'dnsmasq')).toBe(true);
    const info = await site.host.processes.info(pid);
    expect(info?.exe).toMatch(/\/dnsmasq$/);
    expect(info?.argv).toEqual(['dnsmasq', `--conf-file=${join(dir, 'one.conf')}`]);
    // Started by the zygote: the log has the command as given, and no nsenter ran.
    expect(log.map((e) => e.argv[0])).toContain('dnsmasq');
    expect(log.some((e) => e.argv[0] === 'nsenter')).toBe(false);
    expect(warnings).toEqual([]);
    await site.host.processes.stop(pid, 'dnsmasq');
    expect(await site.host.processes.isRunning(pid, 'dnsmasq')).toBe(false);
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
    const err = await site.host.processes
      .startDaemon({ argv: ['dnsmasq', `--conf-file=${path}`], pidFile: join(dir, 'bad.pid') })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `internal error: Child process (dnsmasq --conf-file=${path}) unexpected exit status 2: dnsmasq: unknown interface nosuch0`,
    );
  });

  it('leaves other command lines to nsenter', async () => {
    const pidFile = join(dir, 'plain.pid');
    const argv = ['dnsmasq', `--pid-file=${pidFile}`, '--conf-file=/dev/null', '--port=0', '--interface=vbr0', '--bind-interfaces'];
    const pid = await site.host.processes.startDaemon({ argv, pidFile });
    site.dnsmasqs.push(pid);
    expect(log.at(-1)?.argv).toEqual(['nsenter', `--net=/run/netns/${site.ns}`, ...argv]);
    expect(sharedDirtyKiB(pid)).toBe(0);
  });

  it('ends the zygote once idle and removes its directory; the next start makes a new one', async () => {
    const base = mkdtempSync(join(dir, 'base-'));
    const own = new LinuxHost({ netns: site.ns, zygoteLibrary: library });
    const runner = new ZygoteRunner({ program: 'dnsmasq', library, netns: site.ns, fallback: own.runner, baseDir: base });
    const run = async (name: string): Promise<void> => {
      const r = await runner.run({ argv: ['dnsmasq', `--conf-file=${conf(name)}`], resolveOnExit: true });
      expect(r.exitCode).toBe(0);
      site.dnsmasqs.push(Number(readFileSync(join(dir, `${name}.pid`), 'utf8')));
    };
    await run('idle-a');
    expect(readdirSync(base)).toHaveLength(1);
    await pollUntil(() => readdirSync(base).length === 0, { ms: 10_000, everyMs: 100, what: 'the idle zygote to remove its files' });
    expect(readdirSync(base)).toEqual([]);
    await run('idle-b');
  });

  const FALLBACK = 'starting dnsmasq as a new program each time (it works the same, but each takes ~0.35 MiB more memory)';

  /** Start two dnsmasqs through `own` (each must run, the second from its pid file) and return the warnings it gave meanwhile. */
  const startTwo = async (own: LinuxHost, name: string, ownWarnings: string[]): Promise<string[]> => {
    const before = ownWarnings.length;
    for (const n of [`${name}-a`, `${name}-b`]) {
      const pid = await own.processes.startDaemon({ argv: ['dnsmasq', `--conf-file=${conf(n)}`], pidFile: join(dir, `${n}.pid`) });
      site.dnsmasqs.push(pid);
      expect(await own.processes.isRunning(pid, 'dnsmasq')).toBe(true);
      expect(netnsPids(site.ns)).toContain(pid);
    }
    return ownWarnings.slice(before);
  };

  it('starts dnsmasq as a new program, and says why once, when the library does not load', async () => {
    const notALibrary = join(dir, 'not-a-library.so');
    writeFileSync(notALibrary, 'not an ELF file\n');
    const own = await LinuxHost.open({ netns: site.ns, zygoteLibrary: notALibrary, onWarning: (w) => warnings.push(w) });
    const said = await startTwo(own, 'fallback', warnings);
    // The dynamic linker's complaint and dnsmasq's refusal of the placeholder are the reason.
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /^the dnsmasq zygote did not start \(exit status 1; .*not-a-library\.so.* cannot be preloaded .*dnsmasq: junk found in command line\); /,
    );
    expect(said[0]?.endsWith(FALLBACK)).toBe(true);
  });

  it('starts dnsmasq as a new program, and says so, when the library was not built or the path names nothing', async () => {
    const empty = mkdtempSync(join(dir, 'no-build-'));
    expect(findZygoteLibrary({}, [empty])).toEqual({
      missing: 'virtnet-zygote.so was not built (npm run build makes it with a C compiler, cc or $CC)',
    });
    expect(findZygoteLibrary({ VIRTNET_ZYGOTE_LIBRARY: '' }, [empty])).toEqual({ off: true });
    const saved = process.env['VIRTNET_ZYGOTE_LIBRARY'];
    process.env['VIRTNET_ZYGOTE_LIBRARY'] = join(empty, 'gone.so');
    const said: string[] = [];
    try {
      const own = await LinuxHost.open({ netns: site.ns, onWarning: (w) => said.push(w) });
      expect(await startTwo(own, 'unbuilt', said)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env['VIRTNET_ZYGOTE_LIBRARY'];
      else process.env['VIRTNET_ZYGOTE_LIBRARY'] = saved;
    }
    expect(said).toEqual([`VIRTNET_ZYGOTE_LIBRARY names ${join(empty, 'gone.so')}, which does not exist; ${FALLBACK}`]);
  });

  /** A ZygoteRunner of its own, over a fork server of its own: its log and its warnings. */
  const ownRunner = (program: string, lib = library) => {
    const entries: CommandLogEntry[] = [];
    const said: string[] = [];
    const base = mkdtempSync(join(dir, 'base-'));
    const logger = (e: CommandLogEntry): void => {
      entries.push(e);
    };
    const fallback = new ForkServerRunner(logger, base);
    const runner = new ZygoteRunner({ program, library: lib, netns: site.ns, fallback, baseDir: base, logger, onWarning: (w) => said.push(w) });
    /** Run `program --conf-file=CONF` as startDaemon does; it must succeed and its dnsmasq run. */
    const run = async (name: string): Promise<void> => {
      const r = await runner.run({ argv: [program, `--conf-file=${conf(name)}`], resolveOnExit: true, timeoutMs: 30_000 });
      expect([r.exitCode, r.stderr]).toEqual([0, '']);
      const pid = Number(readFileSync(join(dir, `${name}.pid`), 'utf8'));
      site.dnsmasqs.push(pid);
      expect(netnsPids(site.ns)).toContain(pid);
    };
    return { runner, entries, said, run };
  };
  const nsenterRan = (entries: CommandLogEntry[]): boolean => entries.some((e) => e.argv[0] === 'nsenter');

  const staticBuilt = (() => {
    // A statically linked 'dnsmasq': the dynamic linker never runs, so the preload is ignored, and it does what a static dnsmasq does with the placeholder.
    const src = join(dir, 'static.c');
    writeFileSync(
      src,
      [
        '#include <stdio.h>',
        '#include <string.h>',
        '#include <unistd.h>',
        'int main(int argc, char **argv) {',
        '  if (argc == 2 && strncmp(argv[1], "virtnet-zygote", 14) == 0) { fputs("dnsmasq: junk found in command line\\n", stderr); return 1; }',
        '  char *env[] = { NULL };',
        '  execve("/usr/sbin/dnsmasq", argv, env);',
        '  return 127;',
        '}',
        '',
      ].join('\n'),
    );
    mkdirSync(join(dir, 'static'), { recursive: true });
    return spawnSync('cc', ['-static', '-O2', '-o', join(dir, 'static', 'dnsmasq'), src]).status === 0;
  })();

  it.skipIf(!staticBuilt)('starts a dnsmasq that is not dynamically linked as a new program, and says why', async () => {
    const { run, entries, said } = ownRunner(join(dir, 'static', 'dnsmasq'));
    await run('static-a');
    await run('static-b');
    expect(nsenterRan(entries)).toBe(true);
    expect(said).toEqual([
      `the ${join(dir, 'static', 'dnsmasq')} zygote did not start (exit status 1; dnsmasq: junk found in command line); ${FALLBACK.replace('dnsmasq', join(dir, 'static', 'dnsmasq'))}`,
    ]);
  });

  it('kills a zygote that never says it is ready and starts dnsmasq as a new program', async () => {
    // A program that ignored the library (it did not load) and waits: after 5 s it is killed.
    const bin = join(dir, 'hang');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'dnsmasq'), '#!/bin/sh\ncase "$1" in virtnet-zygote*) exec sleep 60;; esac\nexec dnsmasq "$@"\n');
    chmodSync(join(bin, 'dnsmasq'), 0o755);
    const notALibrary = join(dir, 'not-a-library.so');
    writeFileSync(notALibrary, 'not an ELF file\n');
    const { run, entries, said } = ownRunner(join(bin, 'dnsmasq'), notALibrary);
    await run('hang-a');
    expect(nsenterRan(entries)).toBe(true);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^the \S+ zygote did not start \(it did not say it was ready within 5 s; .*cannot be preloaded/);
  }, 20_000);

  it('starts dnsmasq without its zygote when the zygote dies with a start it had not begun, and makes a new zygote next time', async () => {
    const { runner, run, entries, said } = ownRunner('dnsmasq');
    await run('die-a');
    const zygote = runner.helperPid as number;
    expect(zygote).toBeGreaterThan(0);
    // Stopped before it reads the next request, then killed: that start never began.
    process.kill(zygote, 'SIGSTOP');
    const pending = run('die-b');
    await new Promise((r) => setTimeout(r, 100));
    process.kill(zygote, 'SIGKILL');
    await pending;
    expect(entries.filter((e) => e.argv[0] === 'nsenter').map((e) => e.argv.at(-1))).toEqual([`--conf-file=${join(dir, 'die-b.conf')}`]);
    expect(said).toEqual([
      'the dnsmasq zygote ended unexpectedly (killed by SIGKILL); the starts it had not begun are made without it, and the next start makes a new zygote',
    ]);
    await run('die-c');
    expect(runner.helperPid).not.toBe(zygote);
    expect(entries.filter((e) => e.argv[0] === 'nsenter')).toHaveLength(1);
  });

  it('starts dnsmasq as a new program, and says why, when the zygote cannot make a job its program', async () => {
    const { runner, run, entries, said } = ownRunner('dnsmasq');
    await run('refused-a');
    // With room for one more descriptor only, the forked child cannot open its stderr file.
    expect(spawnSync('prlimit', [`--pid=${runner.helperPid}`, '--nofile=4:4']).status).toBe(0);
    await run('refused-b');
    await run('refused-c');
    expect(entries.filter((e) => e.argv[0] === 'nsenter')).toHaveLength(2);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /^the dnsmasq zygote could not start dnsmasq \(\S+\.err: Too many open files\); starting dnsmasq as a new program each time/,
    );
  });

  it('starts dnsmasq as a new program, and says why, when virtnetd runs with LD_PRELOAD set', async () => {
    const { run, entries, said } = ownRunner('dnsmasq');
    process.env['LD_PRELOAD'] = '';
    try {
      await run('preload-a');
    } finally {
      delete process.env['LD_PRELOAD'];
    }
    expect(nsenterRan(entries)).toBe(true);
    expect(said).toEqual([`LD_PRELOAD is set in virtnetd's environment, which the dnsmasq zygote cannot pass on; ${FALLBACK}`]);
  });
});
