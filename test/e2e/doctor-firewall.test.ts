/**
 * `virtnet doctor` against foreign firewalls, on the real kernel: a real
 * Docker daemon (Debian's docker.io) started by the test in its own network
 * namespace with private data and exec roots (nsenter, not `ip netns exec`,
 * so dockerd still sees the host's cgroup mounts), beside a real virtnetd
 * with a NAT network (uplink to a second namespace) and an isolated one,
 * netns guests on both. Docker's FORWARD policy DROP cuts the NAT guest off
 * and, through br_netfilter, the isolated guests from each other; doctor
 * names Docker's chain and br_netfilter; --fix restores traffic; --undo puts
 * Docker's ruleset back as it was. ufw's and firewalld's rulesets are
 * reproduced (iptables-legacy-restore, nft -f), since neither can run here
 * without changing the host's configuration.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type HttpVirtnetClient } from '../../src/client/index.js';
import { comparableSave } from '../../src/doctor/iptables-rules.js';
import { isolatedXml, natXml } from '../support/network-testkit.js';
import { pollUntil } from '../support/poll.js';
import { virtnet } from './cli-harness.js';
import { daemonSite, startServing } from './daemon-process.js';
import { startGuestAt } from './guest-fixture.js';
import { canUseNetns, createNetns, deleteNetns, inNetns, vethBetween } from './netns.js';

const root = canUseNetns();
const hasDockerd = spawnSync('dockerd', ['--version']).status === 0;

const NAT = natXml('dknat', '192.168.150', { bridge: 'vdknat', dhcp: false });

describe.skipIf(!root)('virtnet doctor and foreign firewalls', () => {
  const site = daemonSite('doc', { open: true });
  let outside: string | undefined;
  let docker: ChildProcess | undefined;
  let client: HttpVirtnetClient | undefined;
  let socket = '';

  const save = (tool = 'iptables-nft-save'): string => comparableSave(inNetns(site.ns, tool, []));
  const doctor = (...args: string[]) => virtnet(['-c', `unix://${socket}`, 'doctor', ...args], { timeoutMs: 60_000 });
  /** Whether any of three pings is answered. */
  const ping = async (guest: string, to: string): Promise<boolean> =>
    (await client!.guestExec(guest, ['ping', '-c', '3', '-i', '0.2', '-W', '1', to])).exitCode === 0;

  beforeAll(async () => {
    outside = createNetns('docout');
    // The uplink: ns's up0 to the outside namespace, the default route through it.
    vethBetween(site.ns, 'up0', outside, 'down0');
    inNetns(site.ns, 'ip', ['addr', 'add', '203.0.113.2/24', 'dev', 'up0']);
    inNetns(site.ns, 'ip', ['route', 'add', 'default', 'via', '203.0.113.1']);
    inNetns(outside, 'ip', ['addr', 'add', '203.0.113.1/24', 'dev', 'down0']);
    const d = await startServing(['--root', site.dir, '--netns', site.ns]);
    socket = d.socket;
    client = await connect({ uri: `unix://${socket}` });
    site.clients.push(client);
    await client.define(NAT);
    await client.start('dknat');
    await client.define(isolatedXml('dkiso', { subnet: '192.168.151', bridge: 'vdkiso' }));
    await client.start('dkiso');
    const guests: [string, string, string, string | undefined][] = [
      ['dk1', 'dknat', '192.168.150.10/24', '192.168.150.1'],
      ['dk2', 'dkiso', '192.168.151.10/24', undefined],
      ['dk3', 'dkiso', '192.168.151.11/24', undefined],
    ];
    for (const [name, net, addr, gw] of guests) {
      await startGuestAt(client, name, net, addr, gw);
      // A fresh link answers its first packets late (neighbour discovery): wait until the guest reaches its bridge.
      await pollUntil(() => ping(name, addr.startsWith('192.168.150.') ? '192.168.150.1' : '192.168.151.1'), {
        ms: 20_000,
        everyMs: 200,
        what: `${name} reaching its bridge`,
      });
    }
  }, 120_000);

  afterAll(async () => {
    if (docker?.pid !== undefined && docker.exitCode === null) {
      const gone = new Promise<void>((r) => docker!.once('exit', () => r()));
      docker.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
      if (docker.exitCode === null) docker.kill('SIGKILL');
    }
    if (outside) deleteNetns(outside);
  }, 60_000);

  it('finds nothing wrong on a clean namespace, and the guests reach out and each other', async () => {
    expect(await ping('dk1', '203.0.113.1')).toBe(true);
    expect(await ping('dk2', '192.168.151.11')).toBe(true);
    const r = await doctor();
    expect(r.rc, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[ok {2}\] foreign-forward-drop +foreign firewall: nothing drops/);
    expect(r.stdout).toMatch(/\[ok {2}\] dnsmasq-down +dnsmasq, network 'dknat': running/);
  });

  it.skipIf(!hasDockerd)(
    "a real dockerd's FORWARD DROP: doctor names it and br_netfilter, --fix restores traffic, --undo restores Docker's ruleset",
    async () => {
      const data = join(site.dir, 'docker');
      // Docker sets FORWARD's policy to DROP when it turns ip_forward on itself, as on a host where it starts before any
      // virtual network: so it starts here with ip_forward off, and the NAT network's forwarding is turned on by Docker.
      inNetns(site.ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=0']);
      writeFileSync(join(site.dir, 'docker.json'), '{}\n');
      docker = spawn(
        'nsenter',
        [
          `--net=/run/netns/${site.ns}`,
          'dockerd',
          '--config-file',
          join(site.dir, 'docker.json'),
          '--data-root',
          join(data, 'data'),
          '--exec-root',
          join(data, 'exec'),
          '--pidfile',
          join(data, 'docker.pid'),
          '-H',
          `unix://${join(data, 'docker.sock')}`,
        ],
        { stdio: 'ignore' },
      );
      // Docker is set up once its API answers and FORWARD starts with the jump to DOCKER-USER (it moves it there last).
      const settled = (): boolean => {
        const rules = save()
          .split('\n')
          .filter((l) => l.startsWith('-A FORWARD '));
        return existsSync(join(data, 'docker.sock')) && rules[0] === '-A FORWARD -j DOCKER-USER' && rules.length > 1;
      };
      await pollUntil(() => docker!.exitCode !== null || settled(), { ms: 60_000, everyMs: 200, what: "Docker's chains" });
      expect(docker.exitCode).toBeNull();
      const dockers = save();
      expect(dockers).toContain(':FORWARD DROP');

      // Docker's rules cut the NAT guest off, and the isolated guests from each other (br_netfilter).
      expect(inNetns(site.ns, 'cat', ['/proc/sys/net/bridge/bridge-nf-call-iptables']).trim()).toBe('1');
      expect(await ping('dk1', '203.0.113.1')).toBe(false);
      expect(await ping('dk2', '192.168.151.11')).toBe(false);

      const found = await doctor();
      expect(found.rc, found.stdout + found.stderr).toBe(1);
      expect(found.stdout).toMatch(
        /\[FAIL\] foreign-forward-drop +foreign firewall, network 'dknat': iptables-nft \(Docker's rules\): traffic from vdknat to up0 ends at policy FORWARD DROP .*DOCKER-USER/,
      );
      expect(found.stdout).toMatch(
        /\[FAIL\] br-netfilter +br_netfilter, network 'dkiso': bridge-nf-call-iptables=1: .*between guests on vdkiso ends at policy FORWARD DROP/,
      );
      expect(found.stdout).toContain('fix: virtnet doctor --fix');
      // One network only.
      const one = await doctor('dkiso');
      expect(one.stdout).not.toContain("network 'dknat'");

      const fixed = await doctor('--fix');
      expect(fixed.stdout).toContain('fixed: iptables-nft -I DOCKER-USER -i vdknat -m comment --comment virtnet-doctor -j ACCEPT\n');
      expect(fixed.stdout).toContain('fixed: iptables-nft -I DOCKER-USER -o vdkiso -m comment --comment virtnet-doctor -j ACCEPT\n');
      expect(fixed.rc, fixed.stdout + fixed.stderr).toBe(0);
      expect(await ping('dk1', '203.0.113.1')).toBe(true);
      expect(await ping('dk2', '192.168.151.11')).toBe(true);
      expect((await doctor()).stdout).toContain('4 fix(es) applied by doctor --fix; virtnet doctor --undo takes them back');
      expect((await doctor('--fix')).stdout).toMatch(/^Nothing to fix\n/);

      const undone = await doctor('--undo');
      expect(undone.rc, undone.stdout + undone.stderr).toBe(0);
      expect(undone.stdout.split('\n').filter((l) => l.startsWith('undone: iptables-nft -I DOCKER-USER'))).toHaveLength(4);
      expect(save()).toBe(dockers);
      expect(await ping('dk1', '203.0.113.1')).toBe(false);
      expect((await doctor('--undo')).stdout).toBe('No fixes to undo\n\n');
    },
    180_000,
  );

  it("a ufw ruleset in iptables-legacy (reproduced): doctor names ufw's chains, --fix goes to the top of FORWARD, --undo restores it", async () => {
    const ufw = [
      '*filter',
      ':INPUT DROP [0:0]',
      ':FORWARD DROP [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':ufw-before-forward - [0:0]',
      ':ufw-user-forward - [0:0]',
      ':ufw-after-forward - [0:0]',
      ':ufw-reject-forward - [0:0]',
      '-A INPUT -i lo -j ACCEPT',
      '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -j ufw-before-forward',
      '-A FORWARD -j ufw-after-forward',
      '-A FORWARD -j ufw-reject-forward',
      '-A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A ufw-before-forward -p icmp -m icmp --icmp-type 3 -j ACCEPT',
      '-A ufw-before-forward -j ufw-user-forward',
      'COMMIT',
      '',
    ].join('\n');
    // Docker's accepts are gone (undone above); its FORWARD DROP stays in iptables-nft, so drop it too for this case.
    inNetns(site.ns, 'iptables-nft', ['-P', 'FORWARD', 'ACCEPT']);
    inNetns(site.ns, 'iptables-legacy-restore', [], ufw);
    const before = save('iptables-legacy-save');
    expect(await ping('dk1', '203.0.113.1')).toBe(false);
    const found = await doctor('dknat');
    expect(found.rc, found.stdout + found.stderr).toBe(1);
    expect(found.stdout).toMatch(
      /foreign-forward-drop +foreign firewall, network 'dknat': iptables-legacy \(ufw's rules\): traffic from vdknat to up0 ends at policy FORWARD DROP \(through ufw-before-forward, ufw-user-forward, ufw-after-forward, ufw-reject-forward\)/,
    );
    const fixed = await doctor('dknat', '--fix');
    expect(fixed.stdout).toContain('fixed: iptables-legacy -I FORWARD -i vdknat -m comment --comment virtnet-doctor -j ACCEPT\n');
    expect(fixed.rc, fixed.stdout + fixed.stderr).toBe(0);
    expect(await ping('dk1', '203.0.113.1')).toBe(true);
    await doctor('--undo');
    expect(save('iptables-legacy-save')).toBe(before);
    inNetns(site.ns, 'iptables-legacy', ['-P', 'FORWARD', 'ACCEPT']);
    inNetns(site.ns, 'iptables-legacy', ['-F']);
    inNetns(site.ns, 'iptables-legacy', ['-X']);
  }, 120_000);

  it('a firewalld-style nftables table (reproduced): doctor names the table, --fix inserts accepts by handle, --undo removes them', async () => {
    inNetns(
      site.ns,
      'nft',
      ['-f', '-'],
      'table inet firewalld {\n  chain filter_FORWARD {\n    type filter hook forward priority filter + 10; policy accept;\n    ct state established,related accept\n    iifname "lo" accept\n    reject with icmpx admin-prohibited\n  }\n}\n',
    );
    const before = inNetns(site.ns, 'nft', ['list', 'table', 'inet', 'firewalld']);
    expect(await ping('dk1', '203.0.113.1')).toBe(false);
    const found = await doctor('dknat');
    expect(found.stdout).toMatch(
      /foreign-forward-drop +foreign firewall: nftables table inet firewalld \(not virtnet's\): its forward chain filter_FORWARD ends with an unconditional reject/,
    );
    expect(found.stdout).toContain('firewall-cmd --zone=trusted --add-interface=BRIDGE');
    const fixed = await doctor('dknat', '--fix');
    expect(fixed.stdout).toContain('fixed: nft insert rule inet firewalld filter_FORWARD iifname "vdknat" accept comment "virtnet-doctor"\n');
    expect(await ping('dk1', '203.0.113.1')).toBe(true);
    await doctor('--undo');
    expect(inNetns(site.ns, 'nft', ['list', 'table', 'inet', 'firewalld'])).toBe(before);
    inNetns(site.ns, 'nft', ['delete', 'table', 'inet', 'firewalld']);
  }, 120_000);

  it('ip_forward turned off after start: doctor says so, --fix turns it on, --undo puts it back', async () => {
    inNetns(site.ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=0']);
    const found = await doctor();
    expect(found.stdout).toMatch(/\[FAIL\] ip-forward-off +forwarding: net\.ipv4\.ip_forward=0, so dknat cannot route/);
    // The daemon sends each finding's phrases over the API; a Spanish CLI says them in Spanish.
    const es = await virtnet(['-c', `unix://${socket}`, 'doctor'], { timeoutMs: 60_000, env: { LC_ALL: '', LANG: 'es_ES.UTF-8' } });
    expect(es.stdout).toMatch(/^Comprobaciones del equipo:\n/);
    expect(es.stdout).toMatch(
      /\[FALLA {2}\] ip-forward-off +reenvío: net\.ipv4\.ip_forward=0, así que dknat no puede encaminar\n +arreglo: virtnet doctor --fix/,
    );
    expect(es.stdout).toMatch(/\[bien {3}\] dnsmasq-down +dnsmasq, red 'dknat': en marcha \(pid \d+\)/);
    expect((await doctor('--fix')).stdout).toContain('fixed: sysctl -w net.ipv4.ip_forward=1 (was 0)\n');
    expect(inNetns(site.ns, 'cat', ['/proc/sys/net/ipv4/ip_forward']).trim()).toBe('1');
    await doctor('--undo');
    expect(inNetns(site.ns, 'cat', ['/proc/sys/net/ipv4/ip_forward']).trim()).toBe('0');
    // The fixes applied and undone come with their phrases too.
    const spanish = { timeoutMs: 60_000, env: { LC_ALL: '', LANG: 'es_ES.UTF-8' } };
    const fixedEs = await virtnet(['-c', `unix://${socket}`, 'doctor', '--fix'], spanish);
    expect(fixedEs.stdout).toContain('arreglado: sysctl -w net.ipv4.ip_forward=1 (antes 0)\n');
    const undoneEs = await virtnet(['-c', `unix://${socket}`, 'doctor', '--undo'], spanish);
    expect(undoneEs.stdout).toContain('deshecho: sysctl -w net.ipv4.ip_forward=1 (antes 0)\n');
    inNetns(site.ns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  }, 60_000);

  it('a route added after start that overlaps a network, and a bridge MTU above the uplink', async () => {
    inNetns(site.ns, 'ip', ['route', 'add', '192.168.150.128/25', 'via', '203.0.113.1']);
    inNetns(site.ns, 'ip', ['link', 'set', 'up0', 'mtu', '1400']);
    try {
      const r = await doctor('dknat');
      expect(r.rc, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(
        /\[FAIL\] route-overlap +routes, network 'dknat': 192\.168\.150\.128\/25 dev up0 .*overlaps 192\.168\.150\.1\/24 on vdknat/,
      );
      expect(r.stdout).toMatch(/\[WARN\] mtu-above-uplink +MTU, network 'dknat': vdknat has MTU 1500, above up0's 1400/);
    } finally {
      inNetns(site.ns, 'ip', ['route', 'del', '192.168.150.128/25']);
      inNetns(site.ns, 'ip', ['link', 'set', 'up0', 'mtu', '1500']);
    }
  }, 60_000);
});
