/**
 * What virtnetd tells the person who started it: the start-up summary as
 * plain lines (pipes, files, tests) and at a terminal (a table, the console
 * and token in a box), log records as text, the --log-format choice, and
 * the capabilities it needs.
 */
import { describe, expect, it } from 'vitest';
import { plainStartupLines, terminalStartupLines, type StartupFacts } from '../../src/api/startup-text.js';
import { formatLogRecord, resolveLogFormat } from '../../src/api/log-text.js';
import { missingCapabilities } from '../../src/api/privileges.js';

const TOKEN = 'ab'.repeat(32);
const facts: StartupFacts = {
  version: '0.1.0',
  socket: '/run/virtnet/virtnetd.sock',
  readonlySocket: '/run/virtnet/virtnetd-ro.sock',
  tcp: { url: 'http://127.0.0.1:8080', token: TOKEN, tokenFile: '/run/virtnet/token' },
  libvirtUri: 'network:///system?socket=/run/libvirt/virtnetworkd-sock',
  sandbox: { netns: 'virtnet', uplink: 'virtnet-uplink' },
  netns: 'virtnet',
  startup: {
    adopted: ['isolated', 'nat'],
    autostarted: ['default'],
    problems: [{ subject: '/etc/virtnet/networks/bad.xml', message: 'XML error: bad.xml:1: Document is empty' }],
    defaultNetwork: { kind: 'defined', subnet: '192.168.124.0/24', takenBy: 'eth0', started: true },
  },
};

describe('the start-up summary', () => {
  it('is plain lines for a pipe, the ones scripts read first, then the networks and warnings', () => {
    expect(plainStartupLines(facts)).toEqual([
      'virtnetd 0.1.0: serving unix:///run/virtnet/virtnetd.sock (read-only: /run/virtnet/virtnetd-ro.sock)',
      `virtnetd: serving http://127.0.0.1:8080 (every request needs 'Authorization: Bearer ${TOKEN}')`,
      'virtnetd: web console at http://127.0.0.1:8080/ (log in with the token above, also in /run/virtnet/token)',
      "virtnetd: libvirt clients (virsh, virt-manager, bindings) connect with -c 'network:///system?socket=/run/libvirt/virtnetworkd-sock'",
      "virtnetd: sandbox network namespace 'virtnet' with uplink namespace 'virtnet-uplink'",
      'virtnetd: adopted the running networks isolated, nat',
      "virtnetd: defined libvirt's 'default' network: NAT on 192.168.124.0/24, autostart (192.168.122.0/24 is in use by eth0)",
      'virtnetd: autostarted default',
      'virtnetd: warning: /etc/virtnet/networks/bad.xml: XML error: bad.xml:1: Document is empty',
    ]);
  });

  it('at a terminal, is a short table with the console and its token in a box', () => {
    const lines = terminalStartupLines(facts);
    expect(lines[0]).toBe('virtnetd 0.1.0 is running. Stop it with Ctrl-C; the networks keep running.');
    expect(lines).toContain('  CLI socket   /run/virtnet/virtnetd.sock  (read-only: /run/virtnet/virtnetd-ro.sock)');
    expect(lines).toContain('  Networks     adopted the running networks isolated, nat');
    expect(lines).toContain('               autostarted default');
    expect(lines).toContain('  warning: /etc/virtnet/networks/bad.xml: XML error: bad.xml:1: Document is empty');
    const top = lines.findIndex((l) => l.startsWith('  ┌'));
    expect(lines.slice(top, top + 4)).toEqual([
      `  ┌${'─'.repeat(81)}┐`,
      `  │  Web console  http://127.0.0.1:8080/${' '.repeat(42)}  │`,
      `  │  Token        ${TOKEN}  │`,
      `  └${'─'.repeat(81)}┘`,
    ]);
    expect(lines.every((l) => !l.startsWith('{'))).toBe(true);
  });

  it('without TCP has no box, and says where networks live', () => {
    const { tcp: _tcp, sandbox: _sandbox, startup: _startup, ...local } = facts;
    const lines = terminalStartupLines({ ...local, netns: 'lab1' });
    expect(lines.some((l) => l.includes('┌'))).toBe(false);
    expect(lines).toContain("  Namespace    networks live in 'lab1'");
  });
});

describe('log records as text', () => {
  it('are one line: time, level word for warnings and errors, message, fields', () => {
    const time = new Date(2026, 11, 6, 17, 5, 3).toISOString();
    expect(formatLogRecord({ level: 40, time, pid: 1, name: 'virtnetd', msg: 'IPv6 uplink not configured', reason: 'no ipv6' })).toBe(
      '17:05:03 warning: IPv6 uplink not configured (reason="no ipv6")',
    );
    expect(formatLogRecord({ level: 30, time, msg: 'network started', component: 'driver', network: 'nat', bridge: 'virbr1' })).toBe(
      '17:05:03 network started (network=nat, bridge=virbr1)',
    );
    expect(formatLogRecord({ level: 50, time, msg: 'cannot autostart network', err: { type: 'VirError', message: 'boom', stack: '…' } })).toBe(
      '17:05:03 error: cannot autostart network (err="boom")',
    );
  });
});

describe('--log-format auto', () => {
  const env = {};
  it('is text at a terminal, JSON to a file, a pipe or under systemd', () => {
    expect(resolveLogFormat('auto', { stderrIsTTY: true, env })).toBe('text');
    expect(resolveLogFormat('auto', { stderrIsTTY: false, env })).toBe('json');
    expect(resolveLogFormat('auto', { stderrIsTTY: true, logFile: '/var/log/x', env })).toBe('json');
    expect(resolveLogFormat('auto', { stderrIsTTY: true, env: { INVOCATION_ID: 'abc' } })).toBe('json');
    expect(resolveLogFormat('json', { stderrIsTTY: true, env })).toBe('json');
    expect(resolveLogFormat('text', { stderrIsTTY: false, env })).toBe('text');
  });
});

describe('the capabilities virtnetd needs', () => {
  it('are read from CapEff', () => {
    expect(missingCapabilities('Name:\tnode\nCapEff:\t000001ffffffffff\n')).toEqual([]);
    expect(missingCapabilities('CapEff:\t0000000000000000\n')).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_ADMIN']);
    expect(missingCapabilities('CapEff:\t0000000000001000\n')).toEqual(['CAP_SYS_ADMIN']);
  });
});
