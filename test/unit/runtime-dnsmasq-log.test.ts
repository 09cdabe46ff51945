/**
 * dnsmasq's own log carried into virtnet's (src/driver/runtime/dnsmasq-log.ts)
 * and the user dnsmasq runs as under a private root (dnsmasq-user.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DnsmasqLogFollower, levelOf, parseLog, startupProblems, type DnsmasqLogLine } from '../../src/driver/runtime/dnsmasq-log.js';
import { canReach } from '../../src/driver/runtime/dnsmasq-user.js';
import { planDnsmasq } from '../../src/plan/dnsmasq.js';
import { parseNetworkXml } from '../../src/conf/network/parse.js';
import { expectEach } from './support/expect-each.js';

const dir = mkdtempSync(join(tmpdir(), 'vnt-dnsmasq-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (m: string): string => `Dec  6 17:45:52 dnsmasq[16132]: ${m}\n`;

describe("dnsmasq's log lines", () => {
  it('are errors when a file could not be read or a line was refused, warnings when dnsmasq says so', () => {
    expectEach(levelOf, {
      'cannot read /x/nat.hostsfile: Permission denied': 'error',
      'failed to load names from /x/nat.addnhosts: Permission denied': 'error',
      'bad address at line 2 of /x/nat.hostsfile': 'error',
      'warning: interface virbr9 does not currently exist': 'warning',
      'warning: no upstream servers configured': 'info',
      'DHCPACK(virbr0) 192.168.120.10 52:54:00:00:00:01 vm1': 'info',
    });
    expect(parseLog(`${line('read /x/nat.addnhosts - 2 names')}Dec  6 17:45:52 dnsmasq-dhcp[16132]: read /x/nat.hostsfile\n`)).toEqual([
      { level: 'info', message: 'read /x/nat.addnhosts - 2 names' },
      { level: 'info', message: 'read /x/nat.hostsfile' },
    ]);
  });

  it('at start: waits until each file was read or not, and gives the errors since the start', async () => {
    const log = join(dir, 'start.log');
    writeFileSync(log, line('cannot read /x/old.hostsfile: Permission denied'));
    const offset = statSync(log).size;
    setTimeout(() => appendFileSync(log, line('failed to load names from /x/a.addnhosts: Permission denied') + line('read /x/a.hostsfile')), 50);
    expect(await startupProblems(log, offset, ['/x/a.addnhosts', '/x/a.hostsfile'])).toEqual([
      'failed to load names from /x/a.addnhosts: Permission denied',
    ]);
    expect(await startupProblems(join(dir, 'none.log'), 0, ['/x/a.hostsfile'], 50)).toEqual([]);
  });

  it('while running: new whole lines are handed on once, a log that was emptied is read from its start', async () => {
    const log = join(dir, 'follow.log');
    writeFileSync(log, line('started, version 2.90'));
    const seen: [string, DnsmasqLogLine][] = [];
    const f = new DnsmasqLogFollower((n, l) => seen.push([n, l]));
    await f.follow('nat', log);
    appendFileSync(log, `${line('cannot read /x/nat.hostsfile: Permission denied')}Dec  6 17:45:53 dnsmasq[16132]: half a li`);
    await f.poll();
    expect(seen).toEqual([['nat', { level: 'error', message: 'cannot read /x/nat.hostsfile: Permission denied' }]]);
    appendFileSync(log, 'ne\n');
    await f.poll();
    expect(seen[1]).toEqual(['nat', { level: 'info', message: 'half a line' }]);
    writeFileSync(log, line('warning: interface virbr9 does not currently exist'));
    await f.unfollow('nat');
    expect(seen[2]).toEqual(['nat', { level: 'warning', message: 'warning: interface virbr9 does not currently exist' }]);
    await f.poll();
    expect(seen).toHaveLength(3);
  });
});

/** Wait until `done()` holds, at most 3 s. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe("following dnsmasq's logs once started", () => {
  it('hands a new line on when the log changes, without waiting for a poll', async () => {
    const logs = mkdtempSync(join(dir, 'watched-'));
    const log = join(logs, 'nat.log');
    writeFileSync(log, line('started, version 2.90'));
    writeFileSync(join(logs, 'other.log'), '');
    const seen: [string, string][] = [];
    const f = new DnsmasqLogFollower((n, l) => seen.push([n, l.message]));
    // An hour between polls: only the change itself can bring the lines in time.
    f.start(3_600_000);
    try {
      await f.follow('nat', log);
      await f.follow('other', join(logs, 'other.log'));
      appendFileSync(log, line('DHCPACK(virbr9) 10.0.0.5 52:54:00:aa:bb:cc'));
      await until(() => seen.length > 0);
      expect(seen).toEqual([['nat', 'DHCPACK(virbr9) 10.0.0.5 52:54:00:aa:bb:cc']]);
      appendFileSync(log, line('one') + line('two'));
      appendFileSync(join(logs, 'other.log'), line('three'));
      await until(() => seen.length >= 4);
      expect(seen.slice(1).sort()).toEqual([
        ['nat', 'one'],
        ['nat', 'two'],
        ['other', 'three'],
      ]);
    } finally {
      f.stop();
    }
  });

  it('reads every log every interval where its directory cannot be watched', async () => {
    const logs = join(dir, 'not-yet');
    const log = join(logs, 'nat.log');
    const seen: string[] = [];
    const f = new DnsmasqLogFollower((_n, l) => seen.push(l.message));
    f.start(50);
    try {
      await f.follow('nat', log);
      mkdirSync(logs);
      writeFileSync(log, line('started, version 2.90'));
      await until(() => seen.length > 0);
      expect(seen).toEqual(['started, version 2.90']);
    } finally {
      f.stop();
    }
  });
});

describe('the user dnsmasq runs as', () => {
  it('is root only when its usual user cannot reach the files (a private root)', () => {
    const open = join(dir, 'open/var/lib/virtnet/dnsmasq');
    mkdirSync(open, { recursive: true, mode: 0o755 });
    const closed = join(dir, 'closed');
    mkdirSync(join(closed, 'var/lib/virtnet/dnsmasq'), { recursive: true, mode: 0o755 });
    chmodSync(closed, 0o700);
    chmodSync(dir, 0o755);
    expect(canReach(open, 65534, [30])).toBe(true);
    expect(canReach(join(closed, 'var/lib/virtnet/dnsmasq'), 65534, [30])).toBe(false);
    expect(canReach(join(closed, 'var/lib/virtnet/dnsmasq'), 0, [0])).toBe(true);
  });

  it('and its log file are conf lines virtnet writes only when asked', () => {
    const def = parseNetworkXml(
      "<network><name>n</name><bridge name='virbr9'/><ip address='10.1.2.1' prefix='24'><dhcp><range start='10.1.2.2' end='10.1.2.9'/></dhcp></ip></network>",
    );
    const plain = planDnsmasq(def, { stateDir: '/s' }).conf;
    expect(plain).not.toMatch(/^(user|log-facility)=/m);
    const asked = planDnsmasq(def, { stateDir: '/s', pidFile: '/r/n.pid', logFile: '/s/n.log', user: 'root' }).conf;
    expect(asked).toContain('pid-file=/r/n.pid\nlog-facility=/s/n.log\nuser=root\n');
  });
});
