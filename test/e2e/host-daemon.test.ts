/**
 * Daemons through LinuxHost: dnsmasq started inside a test namespace with a
 * pid file, recognised by pid (alive, is dnsmasq, in that namespace), sent
 * SIGHUP (same pid keeps running), then stopped by pid. Start failures carry
 * the program's stderr.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinuxHost } from '../../src/host/linux.js';
import { canUseNetns, inNetns, netnsPids } from './netns.js';
import { hostSite } from './host-site.js';

const root = canUseNetns();

describe.skipIf(!root)('LinuxHost daemons in a namespace', () => {
  const site = hostSite('hd', { bridge: { name: 'vbr0', address: '192.168.150.1' } });
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vnt-hd-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const dnsmasqArgv = (pidFile: string, extra: string[] = []): string[] => [
    'dnsmasq',
    `--pid-file=${pidFile}`,
    '--conf-file=/dev/null',
    '--port=0',
    '--interface=vbr0',
    '--bind-interfaces',
    ...extra,
  ];

  it('starts dnsmasq in the namespace, recognises it by pid, survives SIGHUP and stops it by pid', async () => {
    const pidFile = join(dir, 'net1.pid');
    writeFileSync(pidFile, '999999\n'); // a stale pid file from an earlier run is replaced
    const pid = await site.host.processes.startDaemon({ argv: dnsmasqArgv(pidFile), pidFile });
    site.dnsmasqs.push(pid);

    expect(await site.host.processes.readPidFile(pidFile)).toBe(pid);
    expect(netnsPids(site.ns)).toContain(pid);
    expect(await site.host.processes.isRunning(pid, 'dnsmasq')).toBe(true);
    expect(await site.host.processes.isRunning(pid, 'sleep')).toBe(false);
    const info = await site.host.processes.info(pid);
    expect(info?.exe).toMatch(/\/dnsmasq$/);
    expect(info?.argv).toEqual(dnsmasqArgv(pidFile));

    // The same pid is not "ours" for a site.host bound to the current namespace.
    expect(await new LinuxHost().processes.isRunning(pid, 'dnsmasq')).toBe(false);

    expect(await site.host.processes.signal(pid, 'SIGHUP')).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(await site.host.processes.isRunning(pid, 'dnsmasq')).toBe(true);

    await site.host.processes.stop(pid, 'dnsmasq');
    expect(await site.host.processes.isRunning(pid, 'dnsmasq')).toBe(false);
    // A pid above pid_max cannot exist: signalling it reports "no such process".
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    expect(await site.host.processes.signal(pidMax + 1, 'SIGTERM')).toBe(false);
  });

  it('reports a daemon that fails to start with its exit status and stderr', async () => {
    const err = await site.host.processes
      .startDaemon({
        argv: [...dnsmasqArgv(join(dir, 'bad.pid')), '--interface=nosuch0', '--dhcp-range=192.168.150.10,192.168.150.20'],
        pidFile: join(dir, 'bad.pid'),
        env: { VIR_BRIDGE_NAME: 'vbr0' },
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /^internal error: Child process \(VIR_BRIDGE_NAME=vbr0 dnsmasq --pid-file=\S+ --conf-file=\/dev\/null .*\) unexpected exit status \d+: dnsmasq: unknown interface nosuch0$/,
    );
    await expect(site.host.processes.startDaemon({ argv: ['vnt-no-such-program'], pidFile: join(dir, 'x.pid') })).rejects.toThrow(
      "Unable to find 'vnt-no-such-program' binary in $PATH",
    );
  });

  it('does not stop a process that is not the expected program', async () => {
    const pidFile = join(dir, 'net2.pid');
    const pid = await site.host.processes.startDaemon({ argv: dnsmasqArgv(pidFile), pidFile });
    site.dnsmasqs.push(pid);
    await site.host.processes.stop(pid, 'sleep');
    expect(await site.host.processes.isRunning(pid, 'dnsmasq')).toBe(true);
    await site.host.processes.stop(pid, 'dnsmasq');
    expect(await site.host.processes.isRunning(pid, 'dnsmasq')).toBe(false);
    expect(inNetns(site.ns, 'ip', ['-br', 'link', 'show', 'vbr0'])).toContain('vbr0');
  });

  it('refuses pids that would address process groups', async () => {
    await expect(site.host.processes.signal(0, 'SIGTERM')).rejects.toThrow('invalid process id 0');
    await expect(site.host.processes.signal(-5, 'SIGTERM')).rejects.toThrow('invalid process id -5');
    await expect(site.host.processes.signal(1, 'SIGTERM')).rejects.toThrow('invalid process id 1');
  });
});
