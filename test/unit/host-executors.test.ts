/**
 * The small executors without root: how commands are bound to a namespace,
 * how tool messages become errors, the command runner itself (with harmless
 * programs), sysctl reads/writes through nsenter (scripted), nft output
 * parsing and the /proc parsing used to recognise daemons.
 */
import { describe, expect, it } from 'vitest';
import { childProcessError, commandError, toolReason } from '../../src/host/errors.js';
import { LinuxHost } from '../../src/host/linux.js';
import { inNetnsArgv, iproute2Argv } from '../../src/host/netns.js';
import { parseNftOutput } from '../../src/host/nft.js';
import { checkPid, parsePidFile, parseStatState } from '../../src/host/processes.js';
import { type CommandResult, ExecRunner, MemoryCommandLog } from '../../src/host/runner.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { ipv6ConfKey, sysctlPath, sysctlScript } from '../../src/host/sysctl.js';

const result = (r: Partial<CommandResult>): CommandResult => ({
  argv: ['ip', 'link'],
  exitCode: 1,
  signal: null,
  stdout: '',
  stderr: '',
  durationMs: 1,
  ...r,
});

describe('namespace binding', () => {
  it('uses ip -n for iproute2 and nsenter for everything else, and nothing for the current namespace', () => {
    expect(iproute2Argv('ip', 'ns1', ['-j', 'link'])).toEqual(['ip', '-n', 'ns1', '-j', 'link']);
    expect(iproute2Argv('tc', null, ['qdisc'])).toEqual(['tc', 'qdisc']);
    expect(inNetnsArgv('ns1', ['nft', '-j', 'list', 'tables'])).toEqual(['nsenter', '--net=/run/netns/ns1', 'nft', '-j', 'list', 'tables']);
    expect(inNetnsArgv(null, ['dnsmasq'])).toEqual(['dnsmasq']);
  });

  it('refuses namespace names that are paths or options', () => {
    expect(() => iproute2Argv('ip', '../etc', [])).toThrow("internal error: invalid network namespace name '../etc'");
    expect(() => inNetnsArgv('-x', [])).toThrow("invalid network namespace name '-x'");
    expect(() => new LinuxHost({ netns: 'a/b' })).toThrow("invalid network namespace name 'a/b'");
  });

  it('fails to open a host on a namespace that does not exist', async () => {
    await expect(LinuxHost.open({ netns: 'vnt-surely-missing-ns' })).rejects.toThrow(
      "operation failed: network namespace 'vnt-surely-missing-ns' does not exist",
    );
  });
});

describe('tool messages', () => {
  it('reduces iproute2 and nft messages to their reason', () => {
    expect(toolReason('RTNETLINK answers: File exists\n')).toBe('File exists');
    expect(toolReason('Error: ipv4: Address already assigned.\nCommand failed -:2\n')).toBe('ipv4: Address already assigned');
    expect(toolReason('Device "vnet9" does not exist.\n')).toBe('Device "vnet9" does not exist');
    expect(toolReason('internal:0:0-0: Error: Could not process rule: No such file or directory\n\n')).toBe(
      'Could not process rule: No such file or directory',
    );
    expect(toolReason('Error: No such file or directory\nlist table inet nosuch\n                ^^^^^^\n')).toBe('No such file or directory');
    expect(toolReason('')).toBe('');
  });

  it('makes "WHAT: REASON" system errors that keep the command and its stderr', () => {
    const e = commandError("Cannot set interface MTU on 'br0'", result({ stderr: 'Error: mtu greater than device maximum.\n' }));
    expect(e.message).toBe("Cannot set interface MTU on 'br0': mtu greater than device maximum");
    expect(e.errorClass).toBe('SYSTEM_ERROR');
    expect(e.reason).toBe('mtu greater than device maximum');
    expect(e.argv).toEqual(['ip', 'link']);
    expect(commandError('x', result({ exitCode: 3 })).message).toBe('x: exit status 3');
  });

  it('reports a failed child process as libvirt does', () => {
    const e = childProcessError(
      result({ argv: ['/usr/sbin/dnsmasq', '--conf-file=/var/lib/x/a b.conf'], exitCode: 2, stderr: '\ndnsmasq: unknown interface br9\n' }),
      { VIR_BRIDGE_NAME: 'br9' },
    );
    expect(e.message).toBe(
      "internal error: Child process (VIR_BRIDGE_NAME=br9 /usr/sbin/dnsmasq '--conf-file=/var/lib/x/a b.conf') unexpected exit status 2: dnsmasq: unknown interface br9",
    );
    expect(childProcessError(result({ argv: ['x'], exitCode: null, signal: 'SIGKILL' })).message).toBe(
      'internal error: Child process (x) unexpected fatal signal SIGKILL',
    );
  });
});

describe('ExecRunner', () => {
  it('runs an argv with stdin, captures output and exit code, and logs it', async () => {
    const log = new MemoryCommandLog();
    const runner = new ExecRunner(log.logger);
    const r = await runner.run({ argv: ['cat'], input: 'hello; $(not a shell)\n' });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'hello; $(not a shell)\n', stderr: '' });
    const bad = await runner.run({ argv: ['ls', '/nonexistent-vnt-path'] });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('No such file or directory');
    expect(log.entries.map((e) => [e.argv, e.exitCode])).toEqual([
      [['cat'], 0],
      [['ls', '/nonexistent-vnt-path'], bad.exitCode],
    ]);
    expect(log.entries[0]?.input).toBe('hello; $(not a shell)\n');
    expect(log.entries[1]?.stderr).toContain('No such file or directory');
  });

  it('runs with LC_ALL=C and the given environment', async () => {
    const r = await new ExecRunner().run({ argv: ['env'], env: { VIR_BRIDGE_NAME: 'virbr3' } });
    expect(r.stdout).toContain('LC_ALL=C\n');
    expect(r.stdout).toContain('VIR_BRIDGE_NAME=virbr3\n');
  });

  it('reports a missing program as libvirt does, and kills a program that runs too long', async () => {
    await expect(new ExecRunner().run({ argv: ['vnt-no-such-binary'] })).rejects.toThrow("Unable to find 'vnt-no-such-binary' binary in $PATH");
    const r = await new ExecRunner().run({ argv: ['sleep', '5'], timeoutMs: 50 });
    expect(r.signal).toBe('SIGKILL');
  });
});

describe('sysctls', () => {
  it('maps keys to /proc/sys paths, with explicit segments for device names holding dots', () => {
    expect(sysctlPath('net.ipv4.ip_forward')).toBe('/proc/sys/net/ipv4/ip_forward');
    expect(sysctlPath(ipv6ConfKey('eth0.100', 'accept_ra'))).toBe('/proc/sys/net/ipv6/conf/eth0.100/accept_ra');
    expect(() => sysctlPath('kernel.panic')).toThrow("refusing to touch non-network sysctl 'kernel.panic'");
    expect(() => sysctlPath(['net', 'ipv6', 'conf', 'a/b', 'x'])).toThrow("invalid sysctl key 'net.ipv6.conf.a/b.x'");
  });

  it('reads several keys with one grep in the namespace, a missing one as absent', async () => {
    const runner = new ScriptedRunner([
      {
        exitCode: 2,
        stdout: '/proc/sys/net/ipv4/ip_forward:1\n/proc/sys/net/ipv6/conf/br0/accept_ra:0\n',
        stderr: 'grep: /proc/sys/net/ipv6/conf/br9/accept_ra: No such file or directory\n',
      },
    ]);
    const host = new LinuxHost({ netns: 'ns1', runner });
    const values = await host.sysctl.readMany(['net.ipv4.ip_forward', ipv6ConfKey('br9', 'accept_ra'), ipv6ConfKey('br0', 'accept_ra')]);
    expect(values).toEqual(['1', undefined, '0']);
    expect(runner.calls[0]?.argv).toEqual([
      'nsenter',
      '--net=/run/netns/ns1',
      'grep',
      '-H',
      '',
      '/proc/sys/net/ipv4/ip_forward',
      '/proc/sys/net/ipv6/conf/br9/accept_ra',
      '/proc/sys/net/ipv6/conf/br0/accept_ra',
    ]);
  });

  it('writes several keys in one process (sh with its builtin printf, tee only for a failing key), a missing key as absent', async () => {
    const runner = new ScriptedRunner([{ exitCode: 1, stderr: 'tee: /proc/sys/net/ipv6/conf/br9/disable_ipv6: No such file or directory\n' }]);
    const host = new LinuxHost({ netns: 'ns1', runner });
    const present = await host.sysctl.writeMany([
      { key: ipv6ConfKey('br0', 'disable_ipv6'), value: '1' },
      { key: ipv6ConfKey('br0', 'accept_ra'), value: '0' },
      { key: ipv6ConfKey('br9', 'disable_ipv6'), value: '1' },
    ]);
    expect(present).toEqual([true, true, false]);
    const line = (p: string, v: string): string =>
      `{ printf '%s\\n' '${v}' > '${p}'; } 2>/dev/null || { printf '%s\\n' '${v}' | tee '${p}' >/dev/null; } || st=1`;
    expect(runner.calls.map((c) => c.argv)).toEqual([
      [
        'nsenter',
        '--net=/run/netns/ns1',
        'sh',
        '-c',
        [
          'st=0',
          line('/proc/sys/net/ipv6/conf/br0/disable_ipv6', '1'),
          line('/proc/sys/net/ipv6/conf/br0/accept_ra', '0'),
          line('/proc/sys/net/ipv6/conf/br9/disable_ipv6', '1'),
          'exit $st',
        ].join('\n'),
      ],
    ]);
    // One key: tee alone, the value on its stdin.
    const one = new ScriptedRunner([{ exitCode: 0 }]);
    await new LinuxHost({ netns: 'ns1', runner: one }).sysctl.writeMany([{ key: 'net.ipv4.ip_forward', value: '1' }]);
    expect(one.calls.map((c) => [c.argv.slice(2), c.input])).toEqual([[['tee', '/proc/sys/net/ipv4/ip_forward'], '1\n']]);
    expect(sysctlScript([{ value: "it's", path: '/proc/sys/net/x' }])).toContain(`printf '%s\\n' 'it'\\''s' > '/proc/sys/net/x'`);

    const denied = new LinuxHost({
      netns: 'ns1',
      runner: new ScriptedRunner([{ exitCode: 1, stderr: 'tee: /proc/sys/net/ipv4/ip_forward: Permission denied\n' }]),
    });
    await expect(denied.sysctl.write('net.ipv4.ip_forward', '1')).rejects.toThrow(
      "cannot write to '/proc/sys/net/ipv4/ip_forward': Permission denied",
    );
  });
});

describe('nft output and table names', () => {
  it('drops the metainfo entry and rejects non-nft output', () => {
    expect(
      parseNftOutput('{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"table": {"family": "inet", "name": "virtnet", "handle": 3}}]}'),
    ).toEqual([{ table: { family: 'inet', name: 'virtnet', handle: 3 } }]);
    expect(parseNftOutput('')).toEqual([]);
    expect(() => parseNftOutput('[1]')).toThrow('cannot parse nft output: no nftables array');
  });

  it('applies a batch from a file in the namespace and lists tables through nsenter', async () => {
    const runner = new ScriptedRunner([
      {},
      { stdout: '{"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "virtnet", "handle": 1}}]}' },
    ]);
    const host = new LinuxHost({ netns: 'ns1', runner });
    await host.nft.apply([{ add: { table: { family: 'inet', name: 'virtnet' } } }]);
    expect(runner.calls[0]?.argv.slice(0, 5)).toEqual(['nsenter', '--net=/run/netns/ns1', 'nft', '-j', '-f']);
    expect(runner.calls[0]?.logInput).toBe('{"nftables":[{"add":{"table":{"family":"inet","name":"virtnet"}}}]}');
    expect(await host.nft.tableExists('inet', 'virtnet')).toBe(true);
    await expect(host.nft.tableExists('inet', 'a b')).rejects.toThrow("invalid nftables table name 'a b'");
  });
});

describe('recognising processes', () => {
  it('reads the state letter after the command name, even with parentheses in it', () => {
    expect(parseStatState('1234 (dnsmasq) S 1 1234 1234 0 -1')).toBe('S');
    expect(parseStatState('77 (a) b) (c) Z 1 77')).toBe('Z');
  });

  it('reads pid files and refuses pids that address groups', () => {
    expect(parsePidFile('4242\n')).toBe(4242);
    expect(parsePidFile('')).toBeUndefined();
    expect(parsePidFile('12ab')).toBeUndefined();
    expect(parsePidFile('0')).toBeUndefined();
    expect(parsePidFile('1')).toBeUndefined();
    expect(checkPid(4242)).toBe(4242);
    expect(() => checkPid(-1)).toThrow('invalid process id -1');
    expect(() => checkPid(1.5)).toThrow('invalid process id 1.5');
  });
});
