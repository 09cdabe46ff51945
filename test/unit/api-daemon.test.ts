/**
 * virtnetd's command line, and its life over the real network driver on
 * the fake runtime in a temporary root: the sockets and their modes, the token file, one instance per root,
 * the libvirt listener (on by default, stepping aside for a libvirt daemon),
 * and a stop that removes what the daemon made but closes (not stops) the
 * driver.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseDaemonArgs, parseListen, USAGE } from '../../src/api/options.js';
import { startDaemon, type DriverFactory, type RunningDaemon } from '../../src/api/daemon.js';
import { AlreadyRunningError } from '../../src/api/instance-lock.js';
import { sandboxNames } from '../../src/api/sandbox.js';
import { connect } from '../../src/client/index.js';
import { isolatedXml, startTestDriver, type TestDriver } from '../support/network-testkit.js';
import { type DriverClient, driverClient } from '../support/driver-client.js';
import { TestRpcClient } from './support/libvirt-rpc-client.js';

describe('parseDaemonArgs', () => {
  const parse = (...argv: string[]) => parseDaemonArgs(argv, '/cwd');
  const error = (...argv: string[]): string => {
    try {
      parse(...argv);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };

  it('runs with the system layout by default', () => {
    expect(parse()).toEqual({ action: 'run', options: { sandbox: false, autostart: true, libvirtSocket: true, defaultNetwork: true } });
  });

  it('reads every option, with its value after a space or =', () => {
    expect(
      parse(
        '--root',
        'r',
        '--netns=ns1',
        '--listen',
        '127.0.0.1:8080',
        '--log-file=log.json',
        '--log-level',
        'debug',
        '--log-format',
        'json',
        '--no-autostart',
        '--no-libvirt-socket',
        '--no-default-network',
        '--new-token',
        '--no-idle-pageout',
        '--idle-pageout-after',
        '30',
      ),
    ).toEqual({
      action: 'run',
      options: {
        root: '/cwd/r',
        netns: 'ns1',
        listen: { host: '127.0.0.1', port: 8080 },
        logFile: '/cwd/log.json',
        logLevel: 'debug',
        logFormat: 'json',
        sandbox: false,
        autostart: false,
        libvirtSocket: false,
        defaultNetwork: false,
        newToken: true,
        idlePageout: false,
        idlePageoutAfterS: 30,
      },
    });
    expect(() => parse('--idle-pageout-after', '2m')).toThrow("invalid --idle-pageout-after '2m': expected whole seconds, e.g. 120");
    expect(() => parse('--idle-pageout-after=-1')).toThrow("invalid --idle-pageout-after '-1': expected whole seconds, e.g. 120");
    expect(parse('--idle-pageout-after=0')).toMatchObject({ options: { idlePageoutAfterS: 0 } });
    expect(parse('--sandbox', '--root=/abs')).toMatchObject({ action: 'run', options: { sandbox: true, root: '/abs' } });
  });

  it("takes the host's Open vSwitch database for OVN networks, as unix:PATH or tcp:HOST:PORT", () => {
    expect(parse('--ovs-db', 'unix:/run/lab/h1/db.sock')).toMatchObject({ options: { ovsDb: 'unix:/run/lab/h1/db.sock' } });
    expect(parse('--ovs-db=tcp:127.0.0.1:6640')).toMatchObject({ options: { ovsDb: 'tcp:127.0.0.1:6640' } });
    expect(error('--ovs-db', '/run/db.sock')).toBe("invalid --ovs-db '/run/db.sock': expected unix:PATH or tcp:HOST:PORT");
  });

  it("takes the OVN southbound database as the daemon reaches it, for the console's OVN hosts", () => {
    expect(parse('--ovn-southbound', 'unix:/lab/central/sb.sock')).toMatchObject({ options: { ovnSouthbound: 'unix:/lab/central/sb.sock' } });
    expect(error('--ovn-southbound', 'central:6642')).toBe("invalid --ovn-southbound 'central:6642': expected unix:PATH or tcp:HOST:PORT");
  });

  it('answers --help and --version before anything else', () => {
    expect(parse('--bogus', '--help')).toEqual({ action: 'help' });
    expect(parse('-h')).toEqual({ action: 'help' });
    expect(parse('-V')).toEqual({ action: 'version' });
    expect(USAGE).toContain('--sandbox-cleanup');
  });

  it('cleans the sandbox up with --root only', () => {
    expect(parse('--sandbox-cleanup', '--root', '/x')).toEqual({ action: 'sandbox-cleanup', root: '/x' });
    expect(error('--sandbox-cleanup', '--netns', 'a')).toBe('--sandbox-cleanup takes no other option than --root (got --netns)');
    expect(error('--sandbox-cleanup', '--sandbox')).toBe('--sandbox-cleanup takes no other option than --root (got --sandbox)');
  });

  it("purges the sandbox and the root's files with --purge (alone or with --sandbox-cleanup), --root only", () => {
    expect(USAGE).toContain('--purge');
    expect(parse('--purge', '--root', '/x')).toEqual({ action: 'purge', root: '/x' });
    expect(parse('--sandbox-cleanup', '--purge')).toEqual({ action: 'purge' });
    expect(error('--purge', '--no-autostart')).toBe('--purge takes no other option than --root (got --no-autostart)');
  });

  it('refuses mistakes with a plain sentence', () => {
    expect(error('--bogus')).toBe("unrecognized option '--bogus'");
    expect(error('stray')).toBe("unexpected argument 'stray'");
    expect(error('--root')).toBe("option '--root' requires a value");
    expect(error('--root', 'a', '--root', 'b')).toBe("option '--root' given more than once");
    expect(error('--netns', 'a', '--sandbox')).toBe('--netns and --sandbox cannot be used together');
    expect(error('--netns', '../x')).toBe("invalid network namespace name '../x'");
    expect(error('--log-level', 'loud')).toBe("invalid --log-level 'loud': use one of fatal, error, warn, info, debug, trace, silent");
    expect(error('--root', '/')).toBe('--root / is the system layout: leave --root out instead');
  });

  it('listens on loopback addresses only', () => {
    expect(parseListen('localhost:1')).toEqual({ host: '127.0.0.1', port: 1 });
    expect(parseListen('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseListen('127.1.2.3:0')).toEqual({ host: '127.1.2.3', port: 0 });
    expect(() => parseListen('0.0.0.0:80')).toThrow(/loopback addresses only/);
    expect(() => parseListen('192.0.2.1:443')).toThrow(
      "refusing to listen on '192.0.2.1' without TLS: virtnetd serves plain HTTP on loopback addresses only (127.0.0.1, ::1); give --tls-cert and --tls-key to serve HTTPS there",
    );
    expect(() => parseListen('127.0.0.1')).toThrow(/expected HOST:PORT/);
    expect(() => parseListen('127.0.0.1:70000')).toThrow(/invalid --listen port/);
  });
});

describe('TLS on the TCP listener', () => {
  it('serves any address with a certificate and its key, which go together and need --listen', () => {
    const cmd = parseDaemonArgs(['--listen', '0.0.0.0:8443', '--tls-cert', 'c.pem', '--tls-key=/k.pem'], '/w');
    expect(cmd).toMatchObject({
      action: 'run',
      options: { listen: { host: '0.0.0.0', port: 8443 }, tls: { certFile: '/w/c.pem', keyFile: '/k.pem' } },
    });
    expect(parseDaemonArgs(['--listen', '[fd00::1]:8443', '--tls-cert', 'c', '--tls-key', 'k'], '/w')).toMatchObject({
      options: { listen: { host: 'fd00::1', port: 8443 } },
    });
    expect(() => parseDaemonArgs(['--listen', '0.0.0.0:8443', '--tls-cert', 'c.pem'])).toThrow('--tls-cert and --tls-key go together');
    expect(() => parseDaemonArgs(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'])).toThrow('--tls-cert and --tls-key need --listen');
    expect(() => parseDaemonArgs(['--listen', 'host.example:8443', '--tls-cert', 'c', '--tls-key', 'k'])).toThrow(
      "invalid --listen host 'host.example': give an IP address (or localhost)",
    );
  });
});

describe('sandbox names', () => {
  it('are fixed for the system layout and distinct per root', () => {
    expect(sandboxNames()).toEqual({ netns: 'virtnet', uplink: 'virtnet-uplink' });
    const a = sandboxNames('/a');
    expect(a.netns).toMatch(/^vn-[0-9a-f]{8}$/);
    expect(a.uplink).toBe(`${a.netns}-up`);
    expect(sandboxNames('/b').netns).not.toBe(a.netns);
  });
});

describe('the daemon over a driver', () => {
  let root: string;
  let t: TestDriver;
  let driver: DriverClient;
  let closed: number;
  const running: RunningDaemon[] = [];
  const printed: string[] = [];
  const logger = pino({ level: 'silent' });
  const factory: DriverFactory = async () => ({
    driver: driver,
    close: async () => {
      closed++;
    },
  });
  const start = (extra: object = {}) =>
    startDaemon(
      { root, sandbox: false, logLevel: 'silent', autostart: true, libvirtSocket: false, defaultNetwork: false, ...extra },
      { createDriver: factory, logger, version: '0.0.1', print: (l) => printed.push(l) },
    ).then((d) => {
      running.push(d);
      return d;
    });

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'virtnetd-unit-'));
    t = await startTestDriver();
    driver = driverClient(t.driver);
    closed = 0;
    printed.length = 0;
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.stop()));
    await t.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves both sockets with their modes, writes the token 0600 and its pid', async () => {
    const d = await start();
    const run = join(root, 'run/virtnet');
    expect(d.socket).toBe(join(run, 'virtnetd.sock'));
    expect(statSync(d.socket).mode & 0o777).toBe(0o600);
    expect(statSync(d.readonlySocket).mode & 0o777).toBe(0o666);
    expect(statSync(join(run, 'token')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(run, 'token'), 'utf8')).toBe(`${d.token}\n`);
    expect(d.token).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(run, 'virtnetd.pid'), 'utf8')).toBe(`${process.pid}\n`);
    expect(printed[0]).toBe(`virtnetd 0.0.1: serving unix://${d.socket} (read-only: ${d.readonlySocket})`);

    const c = await connect({ uri: `unix://${d.socket}` });
    await c.define(isolatedXml('a'));
    const ro = await connect({ uri: `unix://${d.socket}`, readonly: true });
    await expect(ro.start('a')).rejects.toThrow('operation forbidden: read only access prevents virNetworkCreate');
    await c.close();
    await ro.close();
  });

  it('serves TCP with the token it printed', async () => {
    const d = await start({ listen: { host: '127.0.0.1', port: 0 } });
    expect(d.tcp?.port).toBeGreaterThan(0);
    expect(printed).toContain(`virtnetd: serving http://127.0.0.1:${d.tcp?.port} (every request needs 'Authorization: Bearer ${d.token}')`);
    const uri = `http://127.0.0.1:${d.tcp?.port}`;
    await expect(connect({ uri })).rejects.toThrow(/^authentication failed/);
    const c = await connect({ uri, token: d.token });
    expect(await c.list()).toEqual([]);
    await c.close();
  });

  it("serves libvirt clients on libvirt's network daemon sockets, and removes them on stop", async () => {
    const d = await start({ libvirtSocket: true });
    const socket = join(root, 'run/libvirt/virtnetworkd-sock');
    expect(d.libvirt).toEqual({ socket, readonlySocket: `${socket}-ro`, uri: `network:///system?socket=${socket}` });
    expect(printed).toContain(`virtnetd: libvirt clients (virsh, virt-manager, bindings) connect with -c 'network:///system?socket=${socket}'`);
    const c = await TestRpcClient.connect(socket);
    await c.open();
    expect(await c.call('CONNECT_NUM_OF_DEFINED_NETWORKS', undefined)).toEqual({ num: 0 });
    await c.close();
    // The API tells its own clients the URI (virtnet uri --libvirt).
    for (const path of [d.socket, d.readonlySocket]) {
      const api = await connect({ uri: `unix://${path}` });
      expect(await api.libvirtUri?.()).toBe(`network:///system?socket=${socket}`);
      await api.close();
    }
    await d.stop();
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(`${socket}-ro`)).toBe(false);
  });

  it('leaves the libvirt sockets to a libvirt daemon that answers there, and serves its own API', async () => {
    const socket = join(root, 'run/libvirt/virtnetworkd-sock');
    mkdirSync(join(root, 'run/libvirt'), { recursive: true });
    const other = createServer();
    await new Promise<void>((r) => other.listen(socket, () => r()));
    try {
      const d = await start({ libvirtSocket: true });
      expect(d.libvirt).toBeUndefined();
      expect(printed).toContain(
        `virtnetd: not serving libvirt clients: a libvirt network daemon already answers on ${socket}; not serving libvirt's protocol there (stop virtnetworkd/libvirtd and their sockets, or start virtnetd with --no-libvirt-socket)`,
      );
      const c = await connect({ uri: `unix://${d.socket}` });
      expect(await c.list()).toEqual([]);
      await c.close();
      await d.stop();
      expect(existsSync(socket)).toBe(true);
    } finally {
      await new Promise<void>((r) => other.close(() => r()));
    }
  });

  it('refuses a second daemon on the same root and leaves the first serving', async () => {
    const d = await start();
    const err = await start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyRunningError);
    expect((err as Error).message).toBe(`another virtnetd is already running for ${root} (pid ${process.pid})`);
    const c = await connect({ uri: `unix://${d.socket}` });
    expect(await c.list()).toEqual([]);
    await c.close();
  });

  it('stops: sockets and pid file go (the token stays for the next start), the driver is closed, nothing is destroyed', async () => {
    const d = await start();
    const c = await connect({ uri: `unix://${d.socket}` });
    await c.define(isolatedXml('keep'));
    await c.start('keep');
    c.subscribe(() => undefined);
    await c.eventsReady();
    await d.stop();
    for (const f of ['virtnetd.sock', 'virtnetd-ro.sock', 'virtnetd.pid']) expect([f, existsSync(join(root, 'run/virtnet', f))]).toEqual([f, false]);
    expect(existsSync(join(root, 'run/virtnet/token'))).toBe(true);
    expect(closed).toBe(1);
    expect(driver.calls.map((x) => x.method)).not.toContain('destroy');
    expect((await t.driver.lookupByName('keep')).active).toBe(true);
    expect(driver.subscribers).toBe(0);
    await c.close();
    // And a new daemon may take the root at once.
    await start();
  });

  it('keeps its token across restarts, unless told to make a new one or the file is not one it wrote', async () => {
    const d1 = await start();
    await d1.stop();
    const d2 = await start();
    expect(d2.token).toBe(d1.token);
    await d2.stop();
    const d3 = await start({ newToken: true });
    expect(d3.token).not.toBe(d1.token);
    expect(readFileSync(join(root, 'run/virtnet/token'), 'utf8')).toBe(`${d3.token}\n`);
    await d3.stop();
    // Readable by others: not trusted, replaced (0600 again).
    chmodSync(join(root, 'run/virtnet/token'), 0o644);
    const d4 = await start();
    expect(d4.token).not.toBe(d3.token);
    expect(statSync(join(root, 'run/virtnet/token')).mode & 0o777).toBe(0o600);
  });

  it('clears stale sockets of a daemon that died', async () => {
    // A process killed while bound to the socket leaves its file behind, as a crashed daemon does.
    const path = join(root, 'run/virtnet/virtnetd.sock');
    mkdirSync(join(root, 'run/virtnet'), { recursive: true });
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(existsSync(path)).toBe(true);
    const d2 = await start();
    const c = await connect({ uri: `unix://${d2.socket}` });
    expect(await c.list()).toEqual([]);
    await c.close();
  });

  it('fails clearly on a namespace that does not exist, leaving nothing behind', async () => {
    const err = await start({ netns: 'vnt-does-not-exist-x' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      "network namespace 'vnt-does-not-exist-x' does not exist (create it with: ip netns add vnt-does-not-exist-x)",
    );
    for (const f of ['virtnetd.sock', 'token', 'virtnetd.pid']) expect(existsSync(join(root, 'run/virtnet', f))).toBe(false);
    await start();
  });
});
