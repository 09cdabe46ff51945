/**
 * Dry runs against a real virtnetd in a test namespace: net-start,
 * net-create and net-update with --dry-run change nothing on the host (its
 * links, addresses, routes, nftables ruleset, sysctls, processes and
 * virtnet's files are the same before and after), and what they said is
 * what the real change then did: the bridge with those addresses, those
 * sysctl values, those files byte for byte, that dnsmasq command line, and
 * the nftables batch, applied in a scratch namespace, lists exactly as the
 * table the real start made.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type HttpVirtnetClient } from '../../src/client/index.js';
import type { HostChanges } from '../../src/contract/host-changes.js';
import type { VirError } from '../../src/util/errors.js';
import { removeCliBundle, virtnet, type CliRun } from './cli-harness.js';
import { endAllDaemons, startServing } from './daemon-process.js';
import { natXml } from '../support/network-testkit.js';
import { canUseNetns, createNetns, deleteNetns, inNetns } from './netns.js';

const root = canUseNetns();

const netXml = (name: string, third: number, bridge: string): string => natXml(name, `192.168.${third}`, { bridge, range: [10, 20] });

/** Every regular file under a folder with its content (names sorted). */
function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out[p] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** nft's text listing of a table, without handles and counters. */
const listTable = (ns: string): string => inNetns(ns, 'nft', ['-s', 'list', 'table', 'inet', 'virtnet']);

describe.skipIf(!root)('dry runs change nothing, and say what the change then does', () => {
  let ns: string;
  let scratch: string;
  let dir: string;
  let rootDir: string;
  let client: HttpVirtnetClient;
  let run: (...args: string[]) => Promise<CliRun>;
  let uri: string;

  /** What the host holds that a start could change. */
  const hostState = (): Record<string, unknown> => ({
    links: inNetns(ns, 'ip', ['-o', 'link', 'show']),
    addresses: inNetns(ns, 'ip', ['address', 'show']),
    routes: inNetns(ns, 'ip', ['route', 'show']),
    ruleset: inNetns(ns, 'nft', ['-s', 'list', 'ruleset']),
    forwarding: inNetns(ns, 'sysctl', ['-n', 'net.ipv4.ip_forward']).trim(),
    pids: spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort(),
    files: filesUnder(rootDir),
  });

  beforeAll(async () => {
    ns = createNetns('dry');
    scratch = createNetns('drys');
    dir = mkdtempSync(join(tmpdir(), 'vnt-dry-'));
    chmodSync(dir, 0o755);
    rootDir = join(dir, 'root');
    writeFileSync(join(dir, 'drynat.xml'), netXml('drynat', 173, 'vbr-dry'));
    writeFileSync(join(dir, 'drytmp.xml'), netXml('drytmp', 174, 'vbr-dry2'));
    writeFileSync(join(dir, 'clash.xml'), netXml('clash', 173, 'vbr-dry3'));
    const d = await startServing(['--root', rootDir, '--netns', ns, '--log-level', 'warn']);
    client = await connect({ uri: `unix://${d.socket}` });
    uri = `unix://${d.socket}`;
    run = (...args: string[]) => virtnet(args, { cwd: dir, env: { VIRTNET_DEFAULT_URI: uri }, timeoutMs: 60_000 });
    await client.define(netXml('drynat', 173, 'vbr-dry'));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await endAllDaemons();
    removeCliBundle();
    if (ns) deleteNetns(ns);
    if (scratch) deleteNetns(scratch);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  let planned: HostChanges;

  it('net-start --dry-run prints the changes and makes none', async () => {
    const before = hostState();
    planned = await client.dryRun({ action: 'start', name: 'drynat' });
    expect(planned.links).toEqual([
      expect.stringMatching(/^ip link add name vbr-dry address 52:54:00:[0-9a-f:]{8} type bridge forward_delay 0 stp_state 1$/),
      'ip addr add 192.168.173.1/24 broadcast 192.168.173.255 dev vbr-dry',
      'ethtool -K vbr-dry tx off',
      'ip link set dev vbr-dry up',
    ]);
    expect(planned.sysctls).toContainEqual({ key: 'net.ipv4.ip_forward', value: '1', now: before.forwarding });
    expect(planned.nftCheck).toBe('ok');
    expect(planned.files.map((f) => f.path.slice(rootDir.length))).toEqual([
      '/var/lib/virtnet/dnsmasq/drynat.conf',
      '/var/lib/virtnet/dnsmasq/drynat.hostsfile',
      '/var/lib/virtnet/dnsmasq/drynat.addnhosts',
    ]);
    expect(planned.processes).toEqual([`dnsmasq --conf-file=${rootDir}/var/lib/virtnet/dnsmasq/drynat.conf`]);

    const cli = await run('net-start', '--dry-run', 'drynat');
    expect(cli.rc, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(
      /^Starting network drynat would change on the host \(dry run, nothing changed\):\n\nLinks:\n {2}ip link add name vbr-dry /,
    );
    expect(cli.stdout).toContain('\nnftables batch (nft -c: ok):\n  {"add":{"table":');
    expect(cli.stdout).toContain(`\nFiles:\n  ${rootDir}/var/lib/virtnet/dnsmasq/drynat.conf:\n    ##WARNING:`);
    expect(cli.stdout).toContain(`\nProcesses:\n  dnsmasq --conf-file=${rootDir}/var/lib/virtnet/dnsmasq/drynat.conf\n`);
    const es = await virtnet(['net-start', '--dry-run', 'drynat'], {
      cwd: dir,
      env: { VIRTNET_DEFAULT_URI: uri, LC_ALL: '', LANG: 'es_ES.UTF-8' },
      timeoutMs: 60_000,
    });
    expect(es.stdout).toMatch(/^Iniciar la red drynat cambiaría en el equipo \(simulación, no se ha cambiado nada\):\n\nEnlaces y direcciones:\n/);
    expect(es.stdout).toContain('\nLote de nftables (nft -c: ok):\n');
    expect(es.stdout).toContain(`\nArchivos:\n  ${rootDir}/var/lib/virtnet/dnsmasq/drynat.conf:\n`);
    expect(es.stdout).toContain('\nProcesos:\n');

    expect(hostState()).toEqual(before);
    expect(await client.lookupByName('drynat')).toMatchObject({ active: false });
  });

  it('the real start then does what the dry run said', async () => {
    await client.start('drynat');
    expect(inNetns(ns, 'ip', ['-4', '-o', 'address', 'show', 'dev', 'vbr-dry'])).toContain('inet 192.168.173.1/24');
    for (const s of planned.sysctls) expect([s.key, inNetns(ns, 'sysctl', ['-n', s.key]).trim()]).toEqual([s.key, s.value]);
    for (const f of planned.files) expect([f.path, readFileSync(f.path, 'utf8')]).toEqual([f.path, f.content]);
    const pidFile = /^pid-file=(.*)$/m.exec(planned.files[0]!.content)![1]!;
    const pid = readFileSync(pidFile, 'utf8').trim();
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')).toBe(planned.processes[0]);
    // The batch, applied where nothing else is, makes the very table the start made.
    const batch = join(dir, 'batch.json');
    writeFileSync(batch, JSON.stringify({ nftables: planned.nftables.map((c) => JSON.parse(c) as unknown) }));
    inNetns(scratch, 'nft', ['-j', '-f', batch]);
    expect(listTable(scratch)).toBe(listTable(ns));
  });

  it('net-start --dry-run of a running network fails as net-start would', async () => {
    const refused = await run('net-start', '--dry-run', 'drynat');
    expect(refused).toMatchObject({
      stderr: 'error: Failed to start network drynat\nerror: Requested operation is not valid: network is already active\n',
      rc: 1,
    });
    expect(refused).toEqual(await run('net-start', 'drynat'));
  });

  it('net-create --dry-run creates nothing; a subnet in use is refused as net-create refuses it', async () => {
    const before = hostState();
    const ok = await run('net-create', '--dry-run', 'drytmp.xml');
    expect(ok.rc, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^Creating network drytmp would change on the host/);
    expect(ok.stdout).toContain('\n  ip link add name vbr-dry2 ');
    const clash = await run('net-create', '--dry-run', 'clash.xml');
    expect(clash.rc).toBe(1);
    expect(clash.stderr).toMatch(
      /^error: Failed to create network from clash\.xml\nerror: internal error: Network is already in use by interface vbr-dry\n/,
    );
    expect(hostState()).toEqual(before);
    expect((await client.list()).map((n) => n.name)).toEqual(['drynat']);
  });

  it('net-update --dry-run shows the files that change and the signal, changes nothing, and the update then matches', async () => {
    const host = "<host mac='52:54:00:d0:00:01' name='dryhost' ip='192.168.173.50'/>";
    const update = { command: 'add-last', section: 'ip-dhcp-host', parentIndex: -1, xml: host, flags: { live: true, config: true } } as const;
    const before = hostState();
    const xmlBefore = await client.getXml('drynat');
    const changes = await client.dryRun({ action: 'update', name: 'drynat', update });
    expect(changes.links).toEqual([]);
    expect(changes.nftables).toEqual([]);
    expect(changes.config).toBe(true);
    expect(changes.files.map((f) => f.path)).toEqual([`${rootDir}/var/lib/virtnet/dnsmasq/drynat.hostsfile`]);
    expect(changes.files[0]!.content).toBe('52:54:00:d0:00:01,192.168.173.50,dryhost\n');
    expect(changes.processes).toEqual([expect.stringMatching(/^dnsmasq \(pid \d+\): SIGHUP$/)]);
    expect(hostState()).toEqual(before);
    expect(await client.getXml('drynat')).toBe(xmlBefore);

    const cli = await run('net-update', 'drynat', 'add-last', 'ip-dhcp-host', host, '--live', '--config', '--dry-run');
    expect(cli.stdout).toContain('\nThe saved definition would change as well.\n');
    expect(hostState()).toEqual(before);

    await client.update('drynat', update);
    expect(readFileSync(changes.files[0]!.path, 'utf8')).toBe(changes.files[0]!.content);
    // A refused update is refused by its dry run too.
    const refused = await client.dryRun({ action: 'update', name: 'drynat', update }).catch((e: unknown) => e as VirError);
    expect((refused as VirError).message).toMatch(/^Requested operation is not valid: there is an existing dhcp host entry in network 'drynat'/);
  });
});
