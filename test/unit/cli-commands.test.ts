/**
 * CLI behaviour the golden files cannot show (they come from a virsh with
 * no leases, no events, no terminal): lookups by uuid, net-list's other
 * modes, lease tables, net-event, the interactive shell, net-edit's
 * question on a terminal, XPath output, timing, connection handling.
 * Everything runs against the real network driver over the fake runtime.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliDeps } from '../../src/cli/run-cli.js';
import type { ShellIo } from '../../src/cli/shell.js';
import { localTime } from '../../src/cli/commands/net-dhcp-leases.js';
import { VirError } from '../../src/util/errors.js';
import { connectError } from '../../src/client/http-errors.js';
import { resolveTarget } from '../../src/client/http-uri.js';
import { HINTS } from '../../src/cli/hints.js';
import { driverClient, type DriverClient } from '../support/driver-client.js';
import { countingRandomness, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { GOLDEN_EDITORS, GOLDEN_XML_DIR } from './cli-golden-harness.js';

interface Result {
  stdout: string;
  stderr: string;
  rc: number;
}

interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
  tty?: boolean;
  keys?: string[];
  connect?: CliDeps['connect'];
  now?: () => number;
  interrupt?: (fire: () => void) => void;
  exitsAfter?: boolean;
}

async function cli(client: DriverClient, args: string[], o: RunOptions = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const keys = [...(o.keys ?? [])];
  const io: ShellIo = {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    stdinIsTTY: o.tty ?? false,
    readKey: async () => keys.shift() ?? '',
  };
  if (o.stdin !== undefined) io.stdin = Readable.from([o.stdin]);
  if (o.interrupt) {
    const fire = o.interrupt;
    io.onInterrupt = (handler) => {
      fire(handler);
      return () => undefined;
    };
  }
  const rc = await runCli(args, {
    io,
    connect: o.connect ?? (async () => client),
    env: { PATH: process.env['PATH'], ...(o.env ?? {}) },
    cwd: o.cwd ?? GOLDEN_XML_DIR,
    ...(o.now ? { now: o.now } : {}),
    ...(o.exitsAfter !== undefined ? { exitsAfter: o.exitsAfter } : {}),
  });
  return { stdout, stderr, rc };
}

/** The drivers of the running test, disposed after it. */
const drivers: TestDriver[] = [];
afterEach(async () => {
  for (const t of drivers.splice(0)) await t.dispose();
});

/** A network driver over the fake runtime, with reproducible uuids and MACs, and the CLI's client of it. */
async function daemon(): Promise<{ t: TestDriver; client: DriverClient }> {
  const t = await startTestDriver({ random: countingRandomness() });
  drivers.push(t);
  return { t, client: driverClient(t.driver) };
}

const newClient = async (): Promise<DriverClient> => (await daemon()).client;

async function withNetworks(...files: string[]): Promise<DriverClient> {
  const client = await newClient();
  for (const f of files) await client.define(readFileSync(join(GOLDEN_XML_DIR, f), 'utf8'));
  return client;
}

const uuidOf = async (client: DriverClient, name: string): Promise<string> => (await client.lookupByName(name)).uuid;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'virtnet-cli-test-'));
});
afterAll(() => undefined);

describe('looking networks up', () => {
  it('tries a 36-character argument as a uuid first, in canonical form, then as a name', async () => {
    const client = await withNetworks('isolated.xml');
    const uuid = await uuidOf(client, 'isolated');
    client.calls.splice(0);
    const r = await cli(client, ['net-info', uuid.toUpperCase()]);
    expect(r.rc).toBe(0);
    expect(r.stdout).toContain(`UUID:           ${uuid}\n`);
    expect(client.calls.find((c) => c.method === 'lookupByUuid')?.args).toEqual([uuid]);
    expect(client.calls.some((c) => c.method === 'lookupByName')).toBe(false);
  });

  it("net-info is virsh's, and says Degraded only while the daemon repairs the network", async () => {
    const { t, client } = await daemon();
    await client.define(readFileSync(join(GOLDEN_XML_DIR, 'isolated.xml'), 'utf8'));
    await client.start('isolated');
    const plain = (await cli(client, ['net-info', 'isolated'])).stdout;
    expect(plain).not.toContain('Degraded');
    expect(plain.split('\n').map((l) => l.split(':')[0])).toEqual(['Name', 'UUID', 'Active', 'Persistent', 'Autostart', 'Bridge', '', '']);
    t.runtime.reportHealth({ network: 'isolated', state: 'degraded', reason: 'firewall rules changed outside virtnetd: the table is gone' });
    const r = await cli(client, ['net-info', 'isolated']);
    expect(r.stdout).toBe(`${plain.slice(0, -1)}Degraded:       firewall rules changed outside virtnetd: the table is gone\n\n`);
  });

  it('net-name takes only a uuid, net-uuid only a name', async () => {
    const client = await withNetworks('isolated.xml');
    const uuid = await uuidOf(client, 'isolated');
    expect((await cli(client, ['net-name', uuid])).stdout).toBe('isolated\n\n');
    expect((await cli(client, ['net-uuid', 'isolated'])).stdout).toBe(`${uuid}\n\n`);
    const r = await cli(client, ['net-uuid', uuid]);
    expect(r.stderr).toBe(`error: failed to get network '${uuid}'\nerror: Network not found: no network with matching name '${uuid}'\n`);
  });

  it('acts on the network found by uuid under its real name, but reports it as typed', async () => {
    const client = await withNetworks('isolated.xml');
    const uuid = await uuidOf(client, 'isolated');
    const r = await cli(client, ['net-start', uuid]);
    expect(r.stdout).toBe(`Network ${uuid} started\n\n`);
    expect(client.calls.find((c) => c.method === 'start')?.args).toEqual(['isolated']);
  });
});

describe('net-list', () => {
  it('sorts names ignoring case and prints --name / --uuid lists', async () => {
    const client = await newClient();
    for (const name of ['beta', 'Alpha', 'gamma']) {
      await client.define(`<network><name>${name}</name></network>`);
    }
    expect((await cli(client, ['net-list', '--all', '--name'])).stdout).toBe('Alpha\nbeta\ngamma\n\n');
    const uuids = await Promise.all(['Alpha', 'beta', 'gamma'].map((n) => uuidOf(client, n)));
    expect((await cli(client, ['net-list', '--all', '--uuid'])).stdout).toBe(`${uuids.join('\n')}\n\n`);
  });

  it('adds a Title column with --title', async () => {
    const client = await newClient();
    await client.define('<network><name>lab</name><title>Lab network</title></network>');
    await client.define('<network><name>plain</name></network>');
    expect((await cli(client, ['net-list', '--all', '--title'])).stdout).toBe(
      ' Name    State      Autostart   Persistent   Title\n' +
        `${'-'.repeat(58)}\n` +
        ' lab     inactive   no          yes          Lab network\n' +
        ' plain   inactive   no          yes          \n\n',
    );
  });

  it('passes the filters to the daemon in one call', async () => {
    const client = await newClient();
    await cli(client, ['net-list', '--inactive', '--persistent', '--no-autostart']);
    expect(client.calls).toEqual([{ method: 'list', args: [{ inactive: true, persistent: true, noAutostart: true }] }]);
  });
});

describe('net-dhcp-leases', () => {
  it("prints virsh's lease table, sorted by MAC, with '-' for what is unknown", async () => {
    const { t, client } = await daemon();
    await client.define(readFileSync(join(GOLDEN_XML_DIR, 'nat.xml'), 'utf8'));
    await client.start('nat');
    t.runtime.setLeases({ name: 'nat', bridge: { name: 'virbr0' } }, [
      {
        iface: 'virbr0',
        expiryTime: 4_000_003_600,
        protocol: 'ipv4',
        mac: '52:54:00:BB:00:02',
        ipAddress: '192.168.120.20',
        prefix: 24,
        hostname: 'vm2',
      },
      {
        iface: 'virbr0',
        expiryTime: 4_000_000_000,
        protocol: 'ipv4',
        mac: '52:54:00:aa:00:01',
        ipAddress: '192.168.120.10',
        prefix: 24,
        clientId: '01:52:54:00:aa:00:01',
      },
      {
        iface: 'virbr0',
        expiryTime: 4_000_007_200,
        protocol: 'ipv6',
        mac: '52:54:00:cc:00:03',
        ipAddress: 'fd00::10',
        prefix: 64,
        clientId: '00:04:aa',
        iaid: '1',
      },
    ]);
    const r = await cli(client, ['net-dhcp-leases', 'nat']);
    const t1 = localTime(4_000_000_000);
    const t2 = localTime(4_000_003_600);
    const t3 = localTime(4_000_007_200);
    expect(r.stdout).toBe(
      ' Expiry Time           MAC address         Protocol   IP address          Hostname   Client ID or DUID\n' +
        `${'-'.repeat(107)}\n` +
        ` ${t1}   52:54:00:aa:00:01   ipv4       192.168.120.10/24   -          01:52:54:00:aa:00:01\n` +
        ` ${t2}   52:54:00:BB:00:02   ipv4       192.168.120.20/24   vm2        -\n` +
        ` ${t3}   52:54:00:cc:00:03   ipv6       fd00::10/64         -          00:04:aa\n\n`,
    );
    const one = await cli(client, ['net-dhcp-leases', 'nat', '52:54:00:aa:00:01']);
    expect(one.stdout.split('\n')).toHaveLength(5);
    expect(client.calls.at(-1)).toEqual({ method: 'leases', args: ['nat', '52:54:00:aa:00:01'] });
  });
});

describe('net-event', () => {
  it('prints the first lifecycle event and stops, without --loop', async () => {
    const client = await withNetworks('isolated.xml');
    const pending = cli(client, ['net-event', '--event', 'lifecycle']);
    await client.subscribed();
    await client.start('isolated');
    await client.destroy('isolated');
    const r = await pending;
    expect(r).toEqual({ stdout: "event 'lifecycle' for network isolated: Started\nevents received: 1\n\n", stderr: '', rc: 0 });
  });

  it('loops until the timeout, filters by network, stamps UTC time, and skips Updated', async () => {
    const client = await withNetworks('isolated.xml', 'routed.xml');
    const pending = cli(client, ['net-event', 'routed', '--event', 'lifecycle', '--loop', '--timeout', '1', '--timestamp'], {
      now: () => Date.UTC(2024, 0, 2, 3, 4, 5, 678),
    });
    await client.subscribed();
    await client.start('isolated');
    await client.start('routed');
    await client.update('routed', {
      command: 'add-last',
      section: 'ip-dhcp-host',
      parentIndex: -1,
      xml: "<host mac='52:54:00:00:00:09' ip='192.168.110.9'/>",
      flags: {},
    });
    await client.destroy('routed');
    const r = await pending;
    expect(r.stdout).toBe(
      "2024-01-02 03:04:05.678+0000: event 'lifecycle' for network routed: Started\n" +
        "2024-01-02 03:04:05.678+0000: event 'lifecycle' for network routed: Stopped\n" +
        'event loop timed out\nevents received: 2\n\n',
    );
    expect(r.rc).toBe(0);
  });

  it('ends on SIGINT with "event loop interrupted"', async () => {
    const client = await newClient();
    const r = await cli(client, ['net-event', '--event', 'lifecycle'], { interrupt: (fire) => setTimeout(fire, 10) });
    expect(r).toEqual({ stdout: 'event loop interrupted\nevents received: 0\n\n', stderr: '', rc: 1 });
  });
});

describe('the interactive shell', () => {
  it('reads lines from a pipe, echoing prompt and line as virsh does, until exit', async () => {
    const client = await withNetworks('isolated.xml');
    const r = await cli(client, [], { stdin: 'net-list --all --name\n\necho "a b" c; nosuch\nnet-info nosuch\nexit\nnet-list\n' });
    expect(r.stdout).toBe(
      "Welcome to virtnet, the virtualization interactive terminal.\n\nType:  'help' for help with commands\n       'quit' to quit\n\n" +
        'virtnet # net-list --all --name\nisolated\n\n' +
        'virtnet # \n' +
        'virtnet # echo "a b" c; nosuch\n' +
        'virtnet # net-info nosuch\n\n' +
        'virtnet # exit\n\n',
    );
    expect(r.stderr).toBe(
      "error: unknown command: 'nosuch'\nerror: failed to get network 'nosuch'\nerror: Network not found: no network with matching name 'nosuch'\n",
    );
    expect(r.rc).toBe(0);
  });

  it('shows the read-only prompt, stays quiet with -q, and ends at end of input', async () => {
    const r = await cli(await newClient(), ['-q', '-r'], { stdin: 'echo hi' });
    expect(r.stdout).toBe('virtnet > echo hi\nhivirtnet > \n');
  });

  it('allows cd, and later relative paths follow it', async () => {
    const client = await newClient();
    const r = await cli(client, ['-q'], { cwd: '/', stdin: `cd ${GOLDEN_XML_DIR}\npwd\nnet-define isolated.xml\n` });
    expect(r.stdout).toContain(`${GOLDEN_XML_DIR}\n`);
    expect((await client.list()).map((n) => n.name)).toEqual(['isolated']);
    const bad = await cli(client, ['-q'], { stdin: 'cd /nonexistent-dir\n' });
    expect(bad.stderr).toBe('error: cd: No such file or directory: /nonexistent-dir\n');
  });
});

describe('net-edit', () => {
  function toggleEditor(): string {
    // First run: break the XML. Second run: repair it and shrink the DHCP range.
    const path = join(tmp, `toggle-${Math.random().toString(36).slice(2)}.sh`);
    writeFileSync(
      path,
      `#!/bin/sh\nif grep -q '</nam>' "$1"; then sed -i "s/<\\/nam>/<\\/name>/; s/\\.254'/.200'/" "$1"; else sed -i 's/<\\/name>/<\\/nam>/' "$1"; fi\n`,
    );
    chmodSync(path, 0o755);
    return path;
  }

  it('asks "Failed. Try again? [y,n,f,?]:" on a terminal; ? explains, n gives up with exit 1', async () => {
    const client = await withNetworks('isolated.xml');
    const editor = join(GOLDEN_EDITORS, 'break-name.sh');
    const r = await cli(client, ['net-edit', 'isolated'], { tty: true, keys: ['?', 'x', 'n'], env: { VISUAL: editor } });
    expect(r.rc).toBe(1);
    expect(r.stdout).toBe(
      '\rFailed. Try again? [y,n,f,?]: \r\ny - yes, start editor again\r\nn - no, throw away my changes\r\nf - force, try to redefine again\r\n? - print this help\r\n' +
        '\rFailed. Try again? [y,n,f,?]: \rFailed. Try again? [y,n,f,?]: \r\n\n',
    );
    expect(r.stderr).toBe(
      'error: (network_definition):2: Opening and ending tag mismatch: name line 2 and nam\n  <name>isolated</nam>\n----------------------^\n',
    );
  });

  it('edits again on y, and defines what the second edit produced', async () => {
    const client = await withNetworks('isolated.xml');
    const r = await cli(client, ['net-edit', 'isolated'], { tty: true, keys: ['y'], env: { EDITOR: toggleEditor() } });
    expect(r.rc).toBe(0);
    expect(r.stdout).toBe('\rFailed. Try again? [y,n,f,?]: \r\nNetwork isolated XML configuration edited.\n\n');
    expect(await client.getXml('isolated')).toContain("end='192.168.100.200'");
  });

  it('prefers $VISUAL to $EDITOR, and runs an editor with arguments through sh', async () => {
    const client = await withNetworks('isolated.xml');
    const log = join(tmp, 'editor-args.log');
    const r = await cli(client, ['net-edit', 'isolated'], {
      env: { VISUAL: `echo visual >${log}`, EDITOR: join(GOLDEN_EDITORS, 'break-name.sh') },
    });
    expect(r.stdout).toBe('Network isolated XML configuration not changed.\n\n');
    expect(readFileSync(log, 'utf8')).toMatch(/^visual \/tmp\/virtnet[A-Za-z0-9]{6}\.xml\n$/);
  });

  it('without a terminal, a refused edit fails with its reason (never "(null)", never exit 0), and nothing is saved', async () => {
    const client = await withNetworks('isolated.xml');
    const before = await client.getXml('isolated', { inactive: true });
    const badAddress = join(tmp, 'bad-address.sh');
    writeFileSync(badAddress, `#!/bin/sh\nsed -i "s/192.168.100.1'/192.168.100.300'/" "$1"\n`);
    chmodSync(badAddress, 0o755);
    const r = await cli(client, ['net-edit', 'isolated'], { env: { EDITOR: badAddress } });
    expect(r.rc).toBe(1);
    expect(r.stdout).toBe('\n');
    expect(r.stderr).toMatch(/^error: Failed\.\nerror: .*192\.168\.100\.300/);
    expect(r.stderr).not.toContain('(null)');
    expect(await client.getXml('isolated', { inactive: true })).toBe(before);
  });

  it('reports an editor that fails', async () => {
    const client = await withNetworks('isolated.xml');
    const r = await cli(client, ['net-edit', 'isolated'], { env: { VISUAL: '/bin/false' } });
    expect(r.rc).toBe(1);
    expect(r.stderr).toMatch(/^error: internal error: Child process \(\/bin\/false \/tmp\/virtnet\w{6}\.xml\) unexpected exit status 1\n$/);
  });
});

describe('net-dumpxml --xpath', () => {
  it('prints attributes and text nodes as xmlNodeDump does, and wraps them', async () => {
    const client = await withNetworks('nat.xml');
    expect((await cli(client, ['net-dumpxml', 'nat', '--xpath', '//host/@*'])).stdout).toBe(
      ' mac="52:54:00:00:00:01"\n name="vm1"\n ip="192.168.120.10"\n\n',
    );
    expect((await cli(client, ['net-dumpxml', 'nat', '--xpath', '//name/text()'])).stdout).toBe('nat\n\n');
    expect((await cli(client, ['net-dumpxml', 'nat', '--xpath', '//range/@start', '--wrap'])).stdout).toBe('<nodes start="192.168.120.2"/>\n\n');
    expect((await cli(client, ['net-dumpxml', 'nat', '--xpath', '//dhcp', '--wrap'])).stdout).toBe(
      '<nodes>\n  <dhcp>\n    <range start="192.168.120.2" end="192.168.120.254"/>\n    <host mac="52:54:00:00:00:01" name="vm1" ip="192.168.120.10"/>\n  </dhcp>\n</nodes>\n\n',
    );
  });
});

describe('the connection', () => {
  it("prints virsh's two lines when the daemon cannot be reached, and runs nothing", async () => {
    const client = await newClient();
    const r = await cli(client, ['net-list; net-list'], {
      connect: async () => {
        throw new VirError('SYSTEM_ERROR', "Failed to connect socket to '/run/virtnet/virtnetd.sock': No such file or directory");
      },
    });
    expect(r).toEqual({
      stdout: '',
      stderr:
        "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/run/virtnet/virtnetd.sock': No such file or directory\n",
      rc: 1,
    });
  });

  it('adds one hint line on stderr for a daemon that is not there, or a socket only root may use, but not with -q', async () => {
    const target = (readonly: boolean) => resolveTarget('unix:///run/virtnet/virtnetd.sock', readonly);
    const failing =
      (code: string, readonly = false) =>
      async () => {
        throw connectError(target(readonly), Object.assign(new Error(code), { code }));
      };
    const gone = await cli(await newClient(), ['net-list'], { connect: failing('ECONNREFUSED') });
    expect(gone.stderr).toBe(
      `error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/run/virtnet/virtnetd.sock': Connection refused\n${HINTS.daemonNotRunning}\n`,
    );
    expect(gone.stdout).toBe('');
    const denied = await cli(await newClient(), ['net-list'], { connect: failing('EACCES') });
    expect(denied.stderr.split('\n').slice(1)).toEqual([
      "error: Failed to connect socket to '/run/virtnet/virtnetd.sock': Permission denied",
      HINTS.readwriteNeedsRoot,
      '',
    ]);
    const deniedRo = await cli(await newClient(), ['-r', 'net-list'], { connect: failing('EACCES', true) });
    expect(deniedRo.stderr).not.toContain('hint:');
    expect((await cli(await newClient(), ['-q', 'net-list'], { connect: failing('ENOENT') })).stderr).not.toContain('hint:');
  });

  it('is closed when the call ends, unless the process exits right after (the exit closes it)', async () => {
    const client = await newClient();
    let closed = 0;
    const counting = async () =>
      Object.assign(Object.create(client) as DriverClient, {
        close: async () => {
          closed++;
        },
      });
    const ended = await cli(client, ['-q', 'net-list --name'], { connect: counting });
    expect(ended).toMatchObject({ rc: 0, stderr: '' });
    expect(closed).toBe(1);
    const exiting = await cli(client, ['-q', 'net-list --name'], { connect: counting, exitsAfter: true });
    expect(exiting).toEqual(ended);
    expect(closed).toBe(1);
  });

  it('needs no daemon for help, echo and pwd', async () => {
    let connects = 0;
    const r = await cli(await newClient(), ['help net-list; echo x; pwd'], {
      connect: async () => {
        connects++;
        throw new Error('unreachable');
      },
    });
    expect(r.rc).toBe(0);
    expect(connects).toBe(0);
  });

  it('passes -c, -r and $VIRTNET_TOKEN to connect, and uri prints the URI', async () => {
    const seen: unknown[] = [];
    const client = await newClient();
    const r = await cli(client, ['-r', '-c', 'unix:///tmp/x/virtnetd.sock', 'uri'], {
      env: { VIRTNET_TOKEN: 'tok' },
      connect: async (o) => {
        seen.push(o);
        return client;
      },
    });
    expect(r.stdout).toBe('unix:///tmp/x/virtnetd.sock\n\n');
    expect(seen).toEqual([{ uri: 'unix:///tmp/x/virtnetd.sock', readonly: true, token: 'tok' }]);
    const env = await cli(client, ['uri'], { env: { VIRTNET_DEFAULT_URI: 'unix:///e.sock' } });
    expect(env.stdout).toBe('unix:///e.sock\n\n');
  });

  it('uri --libvirt prints the URI libvirt clients use for the same daemon, or says it serves none', async () => {
    const client = await newClient();
    const none = await cli(client, ['uri', '--libvirt']);
    expect(none).toMatchObject({ rc: 1, stdout: '\n' });
    expect(none.stderr).toBe(
      'error: this virtnetd does not serve libvirt clients (it was started with --no-libvirt-socket, or a libvirt daemon owns the socket)\n',
    );
    const serving = Object.assign(await newClient(), { libvirtUri: async () => 'network:///system?socket=/r/run/libvirt/virtnetworkd-sock' });
    expect(await cli(serving, ['uri', '--libvirt'])).toMatchObject({
      rc: 0,
      stdout: 'network:///system?socket=/r/run/libvirt/virtnetworkd-sock\n\n',
    });
  });

  it('shows a read-only refusal as the daemon words it', async () => {
    // What virtnetd's read-only socket answers (src/api/access.ts); the CLI shows it under its own summary line.
    const client = Object.assign(await newClient(), {
      define: async () => {
        throw new VirError('OPERATION_DENIED', 'read only access prevents virNetworkDefineXML');
      },
    });
    const r = await cli(client, ['net-define', 'isolated.xml']);
    expect(r.stderr).toBe(
      'error: Failed to define network from isolated.xml\nerror: operation forbidden: read only access prevents virNetworkDefineXML\n',
    );
  });

  it('closes the connection at the end', async () => {
    const client = await newClient();
    await cli(client, ['net-list']);
    expect(client.closed).toBe(true);
  });
});

describe('odds and ends', () => {
  it('prints timing after each command with -t', async () => {
    let t = 1000;
    const r = await cli(await newClient(), ['-t', 'echo a; echo b'], { now: () => (t += 1.5) });
    expect(r.stdout).toBe('a\n(Time: 1.500 ms)\n\nb\n(Time: 1.500 ms)\n\n');
  });

  it('reports a file that is a directory as virFileReadAll does', async () => {
    mkdirSync(join(tmp, 'adir'), { recursive: true });
    const r = await cli(await newClient(), ['net-define', 'adir'], { cwd: tmp });
    expect(r.stderr).toBe("error: Failed to read file 'adir': Is a directory\n");
  });

  it('echo escapes for shell and XML, splits on commas and writes to stderr', async () => {
    expect((await cli(await newClient(), ['echo', '--split', 'a,b,,c', "it's"])).stdout).toBe("a b,c it's\n");
    expect((await cli(await newClient(), ['echo', '--shell', "it's", 'plain', ''])).stdout).toBe("'it'\\''s' plain ''\n");
    expect((await cli(await newClient(), ['echo', '--err', 'oops'])).stderr).toBe('error: oops\n');
  });

  it('prints the usage with -h and help for the whole command set', async () => {
    const usage = await cli(await newClient(), ['-h']);
    expect(usage.stdout.startsWith('\nvirtnet [options]... [<command_string>]\nvirtnet [options]... <command> [args...]\n\n  options:\n')).toBe(true);
    expect(usage.stdout).toContain(" Networking (help keyword 'network')\n    net-autostart                  autostart a network\n");
    const help = await cli(await newClient(), ['help']);
    expect(help.stdout.startsWith("Grouped commands:\n\n Domain Management (help keyword 'domain'):\n")).toBe(true);
    expect(help.stdout).toContain("\n Host and Hypervisor (help keyword 'host'):\n");
    expect((await cli(await newClient(), ['help', 'virsh'])).stdout).toContain(" Virtnet itself (help keyword 'virtnet'):\n");
  });

  it('net-update says which state changed when neither --live nor --config is given', async () => {
    const client = await withNetworks('nat.xml');
    const host = "<host mac='52:54:00:00:00:09' ip='192.168.120.99'/>";
    expect((await cli(client, ['net-update', 'nat', 'add', 'ip-dhcp-host', host])).stdout).toBe('Updated network nat persistent config\n');
    await client.start('nat');
    expect((await cli(client, ['net-update', 'nat', 'delete', 'ip-dhcp-host', host])).stdout).toBe('Updated network nat live state\n');
    expect((await cli(client, ['-q', 'net-update', 'nat', 'add', 'ip-dhcp-host', host, '--live'])).stdout).toBe('');
  });
});

describe('net-forward-add, -list and -remove', () => {
  it('add, list as a table, remove, each saying which states changed', async () => {
    const client = await withNetworks('nat.xml');
    let r = await cli(client, ['net-forward-add', 'nat', '2222', '192.168.120.10:22']);
    expect(r).toEqual({ stdout: 'Port forward added to network nat persistent config\n\n', stderr: '', rc: 0 });
    await client.start('nat');
    r = await cli(client, ['net-forward-add', 'nat', '8000-8010', 'web', '--proto', 'both', '--address', '198.51.100.7', '--live']);
    expect(r.stdout).toBe('Port forward added to network nat live state\n\n');
    expect(client.calls.at(-1)).toEqual({
      method: 'addForward',
      args: ['nat', { proto: 'both', port: '8000-8010', to: 'web', address: '198.51.100.7' }, { live: true, config: false }],
    });
    r = await cli(client, ['net-forward-list', 'nat']);
    expect(r.stdout).toBe(
      [
        ' Protocol   Address        Port        To               To port     To address',
        '-'.repeat(84),
        ' tcp        *              2222        192.168.120.10   22          192.168.120.10',
        ' both       198.51.100.7   8000-8010   web              8000-8010   -',
        '',
        '',
      ].join('\n'),
    );
    expect((await cli(client, ['net-forward-list', 'nat', '--inactive'])).stdout).not.toContain('web');
    r = await cli(client, ['net-forward-remove', 'nat', '8000-8010', '--address', '198.51.100.7']);
    expect(r.stdout).toBe('Port forward removed from network nat live state\n\n');
    r = await cli(client, ['net-forward-remove', 'nat', '2222', '--proto', 'tcp']);
    expect(r.stdout).toBe('Port forward removed from network nat persistent config and live state\n\n');
    expect((await cli(client, ['-q', 'net-forward-list', 'nat'])).stdout).toBe('');
  });

  it("reports the daemon's refusal under virsh's summary line, and a bad --proto before asking", async () => {
    const client = await withNetworks('nat.xml');
    await cli(client, ['net-forward-add', 'nat', '53', '192.168.120.10', '--proto', 'udp']);
    let r = await cli(client, ['net-forward-add', 'nat', '50-60', 'dns:5353-5363', '--proto', 'both']);
    expect(r.rc).toBe(1);
    expect(r.stderr).toBe(
      "error: Failed to add a port forward to network nat\nerror: Requested operation is not valid: port forward both *:50-60 of network 'nat' overlaps udp *:53 of network 'nat'\n",
    );
    r = await cli(client, ['net-forward-remove', 'nat', '54']);
    expect(r.stderr).toBe(
      "error: Failed to remove a port forward from network nat\nerror: Requested operation is not valid: couldn't locate a matching port forward *:54 in network 'nat'\n",
    );
    const calls = client.calls.length;
    r = await cli(client, ['net-forward-add', 'nat', '80', 'web', '--proto', 'sctp']);
    expect(r.stderr).toBe("error: Invalid value 'sctp' for --proto: tcp, udp or both\n");
    expect(client.calls.length).toBe(calls);
  });

  it('takes the ports of TO after its last colon, and only when they are ports', async () => {
    const { splitTarget } = await import('../../src/cli/commands/net-forward.js');
    expect(splitTarget('web:80')).toEqual({ to: 'web', toPort: '80' });
    expect(splitTarget('10.0.0.5:8000-8010')).toEqual({ to: '10.0.0.5', toPort: '8000-8010' });
    expect(splitTarget('odd:name')).toEqual({ to: 'odd:name' });
    expect(splitTarget('web')).toEqual({ to: 'web' });
  });
});

describe('--dry-run', () => {
  it('net-start, net-create and net-update print what would change and call nothing else; help stays virsh’s', async () => {
    const { t, client } = await daemon();
    await client.define(readFileSync(join(GOLDEN_XML_DIR, 'nat.xml'), 'utf8'));
    // What the Linux runtime would plan (the fake runtime plans only the bridge).
    t.runtime.dryRun = async () => ({
      links: ['ip link add name virbr9 type bridge'],
      sysctls: [
        { key: 'net.ipv4.ip_forward', value: '1', now: '0' },
        { key: 'net.ipv6.conf.virbr9.disable_ipv6', value: '1' },
      ],
      nftables: ['{"add":{"table":{"family":"inet","name":"virtnet"}}}'],
      nftCheck: 'ok',
      files: [{ path: '/var/lib/virtnet/dnsmasq/nat.conf', content: 'strict-order\nexcept-interface=lo\n' }],
      processes: ['dnsmasq --conf-file=/var/lib/virtnet/dnsmasq/nat.conf'],
    });
    const r = await cli(client, ['net-start', 'nat', '--dry-run']);
    expect(r).toEqual({
      stdout: [
        'Starting network nat would change on the host (dry run, nothing changed):',
        '',
        'Links:',
        '  ip link add name virbr9 type bridge',
        '',
        'Sysctls:',
        '  net.ipv4.ip_forward = 1 (now 0)',
        '  net.ipv6.conf.virbr9.disable_ipv6 = 1',
        '',
        'nftables batch (nft -c: ok):',
        '  {"add":{"table":{"family":"inet","name":"virtnet"}}}',
        '',
        'Files:',
        '  /var/lib/virtnet/dnsmasq/nat.conf:',
        '    strict-order',
        '    except-interface=lo',
        '',
        'Processes:',
        '  dnsmasq --conf-file=/var/lib/virtnet/dnsmasq/nat.conf',
        '',
        '',
      ].join('\n'),
      stderr: '',
      rc: 0,
    });
    expect(client.calls.map((c) => c.method)).not.toContain('start');
    expect(client.calls.at(-1)).toEqual({ method: 'dryRun', args: [{ action: 'start', name: 'nat' }] });

    const u = await cli(client, [
      'net-update',
      'nat',
      'add',
      'ip-dhcp-host',
      "<host mac='52:54:00:00:00:09' ip='192.168.120.9'/>",
      '--config',
      '--dry-run',
    ]);
    expect(u.stdout).toBe('Updating network nat would change nothing on the host (its saved definition would change)\n\n');
    expect(client.calls.map((c) => c.method)).not.toContain('update');
    expect((await cli(client, ['help', 'net-start'])).stdout).not.toContain('dry-run');
  });
});
